"""Queue entries to framed record bytes, a chunk at a time, on the writer thread.

A tag's plugin metadata goes with its first value in each file, which is where TensorBoard reads
it; the per-tag scalar framing is cached, so a scalar costs a few concatenations.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable

from summary.wire import encode, records
from summary.writer.limits import CHUNK_BYTES, CHUNK_ENTRIES

SCALAR, TENSOR, EVENT, FLUSH, SUMMARY = 0, 1, 2, 3, 4  # entry kinds: first item of an entry
_U32 = records.pack_u32


def entry_nbytes(entry: tuple) -> int:
    """Array bytes an entry holds (counted against the queue's byte bound)."""
    return entry[-1] if entry[0] in (TENSOR, EVENT, SUMMARY) else 0


class Encoder:
    """Encodes entries; `skip(entry, error)` hears of a value that could not be encoded."""

    def __init__(self, skip: Callable[[tuple, BaseException], None]) -> None:
        self._skip = skip
        self._scalar_parts: dict[str, tuple[bytes | None, bytes, bytes, bytes]] = {}
        self._tags_with_metadata: set[str] = set()

    def new_file(self) -> None:
        """The next values start a new file: each tag's metadata must be written again."""
        self._tags_with_metadata = set()

    def encode_chunk(
        self, queue: deque[tuple]
    ) -> tuple[list[bytes], int, int, list[threading.Event], int]:
        """Take entries off `queue` up to a chunk: (header/payload/footer parts, payload bytes,
        records, flush markers reached, array bytes the entries held). A marker ends the
        chunk, so it fires after its data."""
        out: list[bytes] = []
        markers: list[threading.Event] = []
        size = count = nbytes = 0
        for _ in range(CHUNK_ENTRIES):
            try:
                entry = queue.popleft()
            except IndexError:  # empty (the drop policy may take entries concurrently)
                break
            if entry[0] == FLUSH:
                markers.append(entry[1])
                if out:
                    break
                continue
            nbytes += entry_nbytes(entry)
            try:
                payload = self._payload(entry)
            except BaseException as error:  # one bad value (even SystemExit) must not stop
                self._skip(entry, error)  # the others, nor end the writer thread
                continue
            out.append(records.record_header(len(payload)))
            out.append(payload)
            out.append(_U32(records.masked_crc32c(payload)))
            count += 1
            size += len(payload)
            if size >= CHUNK_BYTES:
                break
        return out, size, count, markers, nbytes

    def _payload(self, entry: tuple) -> bytes:
        kind = entry[0]
        if kind == SCALAR:
            _, tag, step, wall_time, value, metadata = entry
            parts = self._scalar_parts.get(tag)
            if parts is None or parts[0] != metadata:
                head, tail = encode.scalar_event_parts(tag, metadata)
                plain, _ = encode.scalar_event_parts(tag, None)
                parts = self._scalar_parts[tag] = (metadata, head, tail, plain)
            prefix = encode.event_prefix(wall_time, step)
            if tag in self._tags_with_metadata:
                return prefix + parts[3] + encode.float32_bytes(value)
            self._tags_with_metadata.add(tag)
            return prefix + parts[1] + encode.float32_bytes(value) + parts[2]
        if kind == EVENT:
            return entry[1]()
        if kind == SUMMARY:
            _, _, step, wall_time, summary, _ = entry
            for value in summary.value:
                if not value.HasField("metadata"):
                    continue
                if value.tag in self._tags_with_metadata:
                    value.ClearField("metadata")
                else:
                    self._tags_with_metadata.add(value.tag)
            return encode.summary_event(wall_time, step, summary.SerializeToString())
        _, tag, step, wall_time, tensor, metadata, _ = entry
        if tag in self._tags_with_metadata:
            metadata = None
        elif metadata:
            self._tags_with_metadata.add(tag)
        return encode.value_event(wall_time, step, tag, tensor(), metadata)
