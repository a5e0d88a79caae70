"""The index beside an event file (docs/index-format.md), kept by the writer thread.

The writer knows what it wrote, so it never parses its own bytes back: records reach the index as
the encoder described them (described.py), only once they are completely written (output.py), so
after a crash the index lags its file, never leads it. A chunk is appended every CHUNK_RECORDS
records or CHUNK_SECONDS (idle or not), before a flush() returns, and when the file is closed.
An index that cannot be written is given up, never the events.
"""

from __future__ import annotations

import bisect
import operator
import os
import time

import numpy as np

from summary.wire import records
from summary.wire.index_builder import IndexBuilder, UnindexableRecord
from summary.wire.index_format import HAS_VALUE, KIND_CODES, Entries, index_name
from summary.writer.described import Batch

ENABLED = True  # for benchmarks only (bench/index_bench.py): False writes event files unindexed
CHUNK_RECORDS = 65536
CHUNK_SECONDS = 1.0
_FRAMING = records.HEADER_SIZE + records.FOOTER_SIZE
_SCALAR = KIND_CODES["tensor"] | HAS_VALUE  # a plain scalar: a rank-0 float32 tensor value
_TAG, _STEP, _WALL_TIME, _VALUE = map(operator.itemgetter, range(4))  # ScalarEntry's fields


class FileIndex:
    """The index of one event file (a local file, or a whole object beside an event object)."""

    def __init__(self, event_path: str) -> None:
        self._path = event_path
        self._builder: IndexBuilder | None = IndexBuilder()
        self._offset = 0  # where the next record starts in the event file
        self._written = b""  # the index so far, for an object store (re-uploaded whole)
        self._fd = -1
        self._last = time.monotonic()

    def add(self, batch: Batch, first: int, end: int) -> None:
        """Records first..end-1 of `batch`, the next ones of the file, were completely written."""
        builder = self._builder
        if builder is None:
            return
        try:
            self._add(builder, batch, first, end)
            self._append_due(builder, force=builder.pending >= CHUNK_RECORDS)
        except UnindexableRecord:  # not an Event: a reader's scan stops there, and so do we
            self._stop(last_chunk=True)
        except Exception:  # a bug or a failing disk here must never reach the event file
            self._stop(last_chunk=False)

    def catch_up(self, force: bool) -> None:
        """Append the records written since the last chunk: at once when `force` (a flush()
        returns with its records indexed), else once CHUNK_SECONDS have passed (an idle run's
        index does not lag its file for long)."""
        builder = self._builder
        if builder is None or not builder.pending:
            return
        try:
            self._append_due(builder, force)
        except Exception:
            self._stop(last_chunk=False)

    def _append_due(self, builder: IndexBuilder, force: bool) -> None:
        now = time.monotonic()
        if builder.pending and (force or now - self._last >= CHUNK_SECONDS):
            self._last = now
            self._append(builder.chunk())

    def close(self) -> None:
        """Append the last chunk and release the index."""
        self._stop(last_chunk=True)

    def _stop(self, last_chunk: bool) -> None:
        """No more chunks (after the pending records' if `last_chunk`; quietly if that fails)."""
        try:
            if last_chunk and self._builder is not None:
                self._append(self._builder.chunk())
        except Exception:
            pass  # the index stays as it was: a prefix a reader can check
        finally:
            self._builder = None
            if self._fd >= 0:
                os.close(self._fd)
                self._fd = -1

    def _add(self, builder: IndexBuilder, batch: Batch, first: int, end: int) -> None:
        if len(batch.lengths) != len(batch.described):
            raise ValueError("a batch whose records are not all described")  # a bug: give up
        parsed = batch.parsed
        start = first
        for at in parsed[bisect.bisect_left(parsed, first) : bisect.bisect_left(parsed, end)]:
            if start < at:
                self._scalars(builder, batch, start, at)
            payload = batch.described[at]
            assert isinstance(payload, bytes)
            builder.add(payload + batch.footers[at], 0, len(payload), self._offset)
            self._offset += len(payload) + _FRAMING
            start = at + 1
        if start < end:
            self._scalars(builder, batch, start, end)

    def _scalars(self, builder: IndexBuilder, batch: Batch, first: int, end: int) -> None:
        """Entries for plain scalars first..end-1 of `batch`, built a column at a time (one C
        loop over the entries per column, allocating nothing per entry)."""
        described = batch.described
        rows = described if first == 0 and end == len(described) else described[first:end]
        count = end - first
        lengths = batch.lengths[first:end]
        sizes = lengths + _FRAMING
        ends = np.cumsum(sizes)
        ends += self._offset
        with np.errstate(over="ignore"):  # saturates to ±inf, as the encoder's float32 does
            values = np.fromiter(map(_VALUE, rows), np.float32, count)
        entries = Entries(
            offset=ends - sizes,
            length=lengths,
            tag=np.frombuffer(builder.ids_of(map(_TAG, rows)), np.uint32),
            kind=np.full(count, _SCALAR, np.uint8),
            step=np.fromiter(map(_STEP, rows), np.int64, count),
            wall_time=np.fromiter(map(_WALL_TIME, rows), np.float64, count),
            value=values,
        )
        self._offset = int(ends[-1])
        last_crc = int.from_bytes(batch.footers[end - 1], "little")
        builder.add_entries(entries, self._offset, (int(entries.offset[-1]), last_crc))

    def _append(self, chunk: bytes) -> None:
        builder = self._builder
        if not chunk or builder is None:
            return
        if "://" not in self._path:
            if self._fd < 0:
                name = os.path.join(
                    os.path.dirname(self._path), index_name(os.path.basename(self._path))
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

        where, name = self._path.rsplit("/", 1)
        self._written = (self._written or builder.header()) + chunk
        pipe_beside(where, index_name(name), self._written)
