"""The event file being written and the framed bytes on their way to it.

A short or failed write keeps the rest for the next try, so records land whole and in order; a
file deleted under us is replaced by a new one (a torn record never continues in another file);
large payloads are written as they are, not copied into a joined buffer. Records completely
written reach the file's index (file_index.py), in order, as the encoder described them.
"""

from __future__ import annotations

import errno
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from summary.wire import encode, records
from summary.writer import file_index
from summary.writer.described import Backlog, Batch
from summary.writer.file_index import FileIndex
from summary.writer.sinks import Sink, SinkLostError

_SPLIT_BYTES = 1 << 20  # payloads this large are written on their own, not joined


class _Piece:
    """Bytes for the sink: `events` whole records, or one part of a large record (the part that
    ends it has `events` = 1, the others 0). `whole` while it starts a record and none of it is
    written; `done` counts its records completely written, so a write cut short is counted
    exactly: records that reached the file are not among the unwritten. `counted` is False for
    a file's first record (the file version), which is no caller's event."""

    __slots__ = ("_data", "view", "events", "whole", "counted", "done", "_boundary")

    def __init__(self, data: bytes, events: int, whole: bool, counted: bool = True) -> None:
        self._data = data
        self.view = memoryview(data)
        self.events = events
        self.whole = whole
        self.counted = counted
        self.done = 0
        self._boundary = 0  # where the records counted in `done` end

    def advance(self, count: int) -> int:
        """`count` more of its bytes were written: how many of its records that completed."""
        self.view = self.view[count:]
        self.whole = False
        if not self.view:
            done = self.events
        elif self.events > 1:  # whole records: count those within the bytes written
            done, boundary = self.done, self._boundary
            written = len(self._data) - len(self.view)
            while (end := boundary + records.framed_size(self._data, boundary)) <= written:
                done, boundary = done + 1, end
            self._boundary = boundary
        else:
            done = 0
        completed, self.done = done - self.done, done
        return completed


class Output:
    """Owns the sink. `on_new_file()` runs when a file is opened, `on_lost(path, events, error)`
    when the open file was deleted (events: records lost with it). `busy_since` is when the
    file-system call now in progress started (None between calls): a hung one shows there."""

    def __init__(
        self,
        open_sink: Callable[[], Sink],
        on_new_file: Callable[[], None],
        on_lost: Callable[[str | None, int, OSError], None],
    ) -> None:
        self._open_sink = open_sink
        self._on_new_file = on_new_file
        self._on_lost = on_lost
        self._sink: Sink | None = None
        self._pieces: deque[_Piece] = deque()
        self._backlog = Backlog()  # the staged records, described, until they are written
        self._index: FileIndex | None = None
        self.unwritten_events = 0  # records staged and not (yet) completely written, exactly
        self.path: str | None = None
        self.busy_since: float | None = None

    def __bool__(self) -> bool:
        """True while bytes wait to be written."""
        return bool(self._pieces)

    def open(self) -> Sink:
        """Start a new file (and return its sink): its first record is Event{wall_time,
        file_version}."""
        sink = self._timed(self._open_sink)
        self._sink = sink
        self.path = sink.path
        self._index = FileIndex(sink.path) if file_index.ENABLED else None
        self._on_new_file()
        payload = encode.file_version_event(time.time())
        header = records.frame_record(payload)
        self._pieces.appendleft(_Piece(header, 1, True, counted=False))
        self._backlog.appendleft(Batch([payload], [0], [header[:12], payload, header[-4:]]))
        return sink

    def prepare_for_chunk(self) -> None:
        """Before a chunk is encoded, with nothing staged: start a new file when the sink asks
        for one (an object store's object has grown large) or its file was deleted, so the chunk
        is encoded for the file it lands in (each tag's metadata with its first value there)."""
        sink = self._sink
        if self._pieces or sink is None:
            return
        if sink.full:
            self.close()
            self.open()
        elif self._timed(lambda: sink.lost):
            self._replace_lost(SinkLostError.deleted(self.path))
            self.open()

    def stage(self, parts: list[bytes], size: int, batch: Batch) -> None:
        """Queue the records of `batch` given as (header, payload, footer) parts, `size` payload
        bytes."""
        count = len(batch)
        self.unwritten_events += count
        self._backlog.append(batch)
        if size < _SPLIT_BYTES:
            self._pieces.append(_Piece(b"".join(parts), count, True))
            return
        small: list[bytes] = []
        for i in range(0, len(parts), 3):
            header, payload, footer = parts[i : i + 3]
            if len(payload) < _SPLIT_BYTES:
                small += (header, payload, footer)
                continue
            self._stage_joined(small)
            small = []
            self._pieces.append(_Piece(header, 0, True))
            self._pieces.append(_Piece(payload, 0, False))
            self._pieces.append(_Piece(footer, 1, False))
        self._stage_joined(small)

    def _stage_joined(self, parts: list[bytes]) -> None:
        if parts:
            self._pieces.append(_Piece(b"".join(parts), len(parts) // 3, True))

    def write(self) -> None:
        """Write everything staged (opening a file first if none is open); an OSError leaves
        the unwritten rest here for the next call."""
        pieces = self._pieces
        while pieces:
            sink = self._sink if self._sink is not None else self.open()
            piece = pieces[0]
            try:
                written = self._timed(sink.write, piece.view)
            except SinkLostError as error:
                self._replace_lost(error)
                continue
            if written <= 0 < len(piece.view):  # a sink that takes nothing would make us spin
                raise OSError(errno.EIO, f"the sink for {self.path} accepted no bytes")
            completed = piece.advance(min(written, len(piece.view)))
            if completed:
                self._completed(completed, piece.counted)
            if not piece.view:
                pieces.popleft()

    def _completed(self, count: int, counted: bool) -> None:
        """`count` more records are completely written: they are no longer unwritten, and the
        index takes them."""
        if counted:
            self.unwritten_events -= count
        index = self._index
        for batch, first, end in self._backlog.take(count):
            if index is not None:
                index.add(batch, first, end)

    def catch_up_index(self, force: bool) -> None:
        """Let the open file's index take what was written (file_index.FileIndex.catch_up)."""
        if self._index is not None:
            self._index.catch_up(force)

    def _replace_lost(self, error: OSError) -> None:
        """The file was deleted: drop it and the rest of a piece torn in it (the records of that
        piece not written whole are lost); the loop opens a new file."""
        path = self.path
        self.close()
        lost = 0
        while self._pieces and not self._pieces[0].whole:
            piece = self._pieces.popleft()
            torn = piece.events - piece.done
            self._backlog.take(torn)
            lost += torn if piece.counted else 0
        self.unwritten_events -= lost
        self._on_lost(path, lost, error)

    def close(self) -> None:
        """Close the file; staged bytes stay (a later write opens a new file)."""
        sink, self._sink = self._sink, None
        index, self._index = self._index, None
        if index is not None:
            index.close()
        if sink is not None:
            self._timed(sink.close)

    def _timed(self, call: Callable[..., Any], *args: Any) -> Any:
        """Make one file-system call, with `busy_since` set while it is in progress."""
        self.busy_since = time.monotonic()
        try:
            return call(*args)
        finally:
            self.busy_since = None
