"""Queue entries to framed record bytes, a chunk at a time, on the writer thread.

A tag's plugin metadata goes with its first value in each file, which is where TensorBoard reads
it; the per-tag scalar framing is cached, so a scalar costs a few concatenations. Each chunk comes
with its records described for the index (described.py): a plain scalar by its entry (one list
append), any other record by its payload.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable

from summary.wire import encode, records
from summary.writer.described import Batch
from summary.writer.entries import (
    Entry,
    EventEntry,
    FlushMarker,
    ScalarsEntry,
    ScalarTuple,
    SummaryEntry,
    TensorEntry,
    nbytes_of,
)
from summary.writer.limits import CHUNK_BYTES, CHUNK_ENTRIES

_U32 = records.pack_u32


class Encoder:
    """Encodes entries; `skip(entry, error)` hears of a value that could not be encoded, and
    `expand(entry)` gives a ScalarsEntry's values as scalar tuples, encoded as queued singly."""

    def __init__(
        self,
        skip: Callable[[Entry, BaseException], None],
        expand: Callable[[ScalarsEntry], list[ScalarTuple]],
    ) -> None:
        self._skip = skip
        self._expand = expand
        self._scalar_parts: dict[str, tuple[bytes | None, bytes, bytes, bytes]] = {}
        self._tags_with_metadata: set[str] = set()
        self._described: list[ScalarTuple | bytes] = []
        self._parsed: list[int] = []

    def new_file(self) -> None:
        """The next values start a new file: each tag's metadata must be written again."""
        self._tags_with_metadata = set()

    def encode_chunk(
        self, queue: deque[Entry]
    ) -> tuple[list[bytes], int, Batch, list[threading.Event], int]:
        """Take entries off `queue` up to a chunk: (header/payload/footer parts, payload bytes,
        its records described, flush markers reached, array bytes the entries held). A marker
        ends the chunk, so it fires after its data."""
        out: list[bytes] = []
        markers: list[threading.Event] = []
        size = nbytes = 0
        for _ in range(CHUNK_ENTRIES):
            try:
                entry = queue.popleft()
            except IndexError:  # empty (the drop policy may take entries concurrently)
                break
            if type(entry) is FlushMarker:
                markers.append(entry.done)
                if out:
                    break
                continue
            if type(entry) is ScalarsEntry:  # its values go first in the queue, in order
                queue.extendleft(reversed(self._expand(entry)))
                continue
            nbytes += nbytes_of(entry)
            try:
                payload = self._payload(entry)  # type: ignore[arg-type]  # not a marker or batch
            except BaseException as error:  # one bad value (even SystemExit) must not stop
                self._skip(entry, error)  # the others, nor end the writer thread
                continue
            out.append(records.record_header(len(payload)))
            out.append(payload)
            out.append(_U32(records.masked_crc32c(payload)))
            size += len(payload)
            if size >= CHUNK_BYTES:
                break
        described, parsed = self._described, self._parsed
        self._described, self._parsed = [], []  # the batch keeps them, until they are written
        return out, size, Batch(described, parsed, out), markers, nbytes

    def _payload(self, entry: ScalarTuple | TensorEntry | SummaryEntry | EventEntry) -> bytes:
        kind = type(entry)
        if kind is tuple:  # a ScalarEntry's fields (entries.py says why not the class)
            return self._scalar_payload(entry)  # type: ignore[arg-type]
        if kind is TensorEntry:
            tag, step, wall_time, tensor, metadata, _ = entry  # type: ignore[misc]
            if tag in self._tags_with_metadata:
                metadata = None
            elif metadata:
                self._tags_with_metadata.add(tag)
            return self._to_parse(encode.value_event(wall_time, step, tag, tensor(), metadata))
        if kind is EventEntry:
            return self._to_parse(entry.event())  # type: ignore[union-attr]
        return self._to_parse(self._summary_payload(entry))  # type: ignore[arg-type]

    def _to_parse(self, payload: bytes) -> bytes:
        """Describe a record by its payload (the index parses it once it is written)."""
        self._parsed.append(len(self._described))
        self._described.append(payload)
        return payload

    def _scalar_payload(self, entry: ScalarTuple) -> bytes:
        tag, step, wall_time, value, metadata = entry
        parts = self._scalar_parts.get(tag)
        if parts is None or parts[0] != metadata:
            head, tail = encode.scalar_event_parts(tag, metadata)
            plain, _ = encode.scalar_event_parts(tag, None)
            parts = self._scalar_parts[tag] = (metadata, head, tail, plain)
        prefix = encode.event_prefix(wall_time, step)
        if tag in self._tags_with_metadata:
            payload = prefix + parts[3] + encode.float32_bytes(value)
            self._described.append(entry)  # a rank-0 float32 tensor without metadata
            return payload
        self._tags_with_metadata.add(tag)
        return self._to_parse(prefix + parts[1] + encode.float32_bytes(value) + parts[2])

    def _summary_payload(self, entry: SummaryEntry) -> bytes:
        for value in entry.summary.value:
            if not value.HasField("metadata"):
                continue
            if value.tag in self._tags_with_metadata:
                value.ClearField("metadata")
            else:
                self._tags_with_metadata.add(value.tag)
        return encode.summary_event(entry.wall_time, entry.step, entry.summary.SerializeToString())
