"""The index beside each event file (docs/index-format.md), appended by the writer thread.

`IndexedSink` wraps the sink of an event file. Only after the sink took bytes (they reached the
OS, or the object store) are the complete records among them indexed, and a chunk is appended
every CHUNK_RECORDS records or CHUNK_SECONDS, and when the file is closed: after a crash the index
lags its file, never leads it. An index that cannot be written is given up, never the events.
"""

from __future__ import annotations

import os
import struct
import time

from summary.wire import records
from summary.wire.index_builder import IndexBuilder
from summary.wire.index_format import index_name
from summary.writer.sinks import Sink

CHUNK_RECORDS = 4096
CHUNK_SECONDS = 1.0
_LENGTH = struct.Struct("<Q").unpack_from
_FRAMING = records.HEADER_SIZE + records.FOOTER_SIZE


class IndexedSink:
    """A Sink that also writes the index of what it wrote (a local file or a whole object)."""

    def __init__(self, inner: Sink, logdir: str) -> None:
        self._inner = inner
        self._logdir = logdir
        self._builder: IndexBuilder | None = IndexBuilder()
        self._tail = bytearray()  # the start of a record not yet wholly written
        self._offset = 0  # file offset of the tail's first byte
        self._written = b""  # the index so far, for an object store (re-uploaded whole)
        self._fd = -1
        self._last = time.monotonic()

    @property
    def path(self) -> str:
        return self._inner.path

    @property
    def full(self) -> bool:
        return self._inner.full

    @property
    def lost(self) -> bool:
        return self._inner.lost

    def write(self, data: memoryview) -> int:
        taken = self._inner.write(data)
        if self._builder is not None and taken > 0:
            try:
                self._index(data[:taken])
            except (OSError, ValueError):
                self._builder = None  # no index from here on; the event file is unaffected
        return taken

    def close(self) -> None:
        try:
            if self._builder is not None:
                self._append(self._builder.chunk())
        except (OSError, ValueError):
            self._builder = None
        finally:
            if self._fd >= 0:
                os.close(self._fd)
                self._fd = -1
            self._inner.close()

    def _index(self, data: memoryview) -> None:
        builder = self._builder
        assert builder is not None
        if self._tail:
            self._tail += data
            buffer: bytes | bytearray | memoryview = self._tail
        else:
            buffer = data
        pos = 0
        size = len(buffer)
        starts: list[int] = []
        append, length = starts.append, _LENGTH
        last = size - records.HEADER_SIZE
        while pos <= last:
            end = pos + length(buffer, pos)[0] + _FRAMING
            if end > size:
                break
            append(pos)
            pos = end
        builder.add_records(
            bytes(buffer[:pos]) if pos < size else bytes(buffer), starts, self._offset
        )
        self._offset += pos
        self._tail = bytearray(buffer[pos:])
        now = time.monotonic()
        if builder.pending >= CHUNK_RECORDS or (
            builder.pending and now - self._last >= CHUNK_SECONDS
        ):
            self._last = now
            self._append(builder.chunk())

    def _append(self, chunk: bytes) -> None:
        builder = self._builder
        if not chunk or builder is None:
            return
        if "://" not in self.path:
            if self._fd < 0:
                name = os.path.join(
                    os.path.dirname(self.path), index_name(os.path.basename(self.path))
                )
                flags = (
                    os.O_WRONLY
                    | os.O_CREAT
                    | os.O_TRUNC
                    | os.O_APPEND
                    | getattr(os, "O_CLOEXEC", 0)
                )
                self._fd = os.open(name, flags, 0o644)
                os.write(self._fd, builder.header())
            os.write(self._fd, chunk)
            return
        from summary.writer.remote import pipe_beside

        self._written = (self._written or builder.header()) + chunk
        pipe_beside(self._logdir, index_name(self.path.rsplit("/", 1)[-1]), self._written)
