"""Index entries made from event records as they are written or scanned (index_format.py's layout).

One builder per event file. The writer thread feeds it the bytes it handed to the OS; the reader
and `python -m summary index` feed it records they read (CRC-checked). Events of the one-float
shape are recognised once per shape, like the loader's fast path, so a scalar costs a dict lookup
and a few appends here, not a protobuf parse.
"""

from __future__ import annotations

import struct
from typing import Any

import numpy as np
from google.protobuf.message import DecodeError

from summary.proto import event_pb2
from summary.wire import decode, records
from summary.wire.index_format import (
    ENTRY,
    HAS_VALUE,
    KIND_CODES,
    NAMES,
    Metadata,
    encode_chunk,
    encode_header,
)
from summary.wire.one_float import one_float_tag

# kinds whose first value fixes a tag's metadata even without stored metadata (TensorBoard's
# data_compat and graph rules); any other kind does so only when it carries metadata
IMPLIED_METADATA = {"simple_value", "histo", "image", "audio", "graph_def", "tagged_run_metadata"}
_unpack_float = struct.Struct("<f").unpack_from
_unpack_u32 = struct.Struct("<I").unpack_from
_MISSING: Any = object()
_NAN = float("nan")
_FAST_MAX_BYTES = 512
_PRIME = np.uint64(0x100000001B3)


def _group_by_key(
    raw: np.ndarray, rows: np.ndarray, at: np.ndarray, sizes: np.ndarray
) -> tuple[dict[bytes, list[int]], list[int]]:
    """Record numbers `rows` grouped by their key bytes raw[at:at+size] in first-seen order
    (grouped by a hash, then checked byte for byte), and those whose key matched no group."""
    found = []
    odd: list[int] = []
    for size in np.unique(sizes[rows]).tolist():
        chosen = rows[sizes[rows] == size]
        keys = raw[at[chosen][:, None] + np.arange(size)]
        words = np.pad(keys, ((0, 0), (0, -size % 8))).view("<u8")
        hashes = np.zeros(len(chosen), dtype=np.uint64)
        for column in words.T:
            hashes = (hashes ^ column) * _PRIME
        _, first, inverse = np.unique(hashes, return_index=True, return_inverse=True)
        order = np.argsort(inverse, kind="stable")
        bounds = np.cumsum(np.bincount(inverse))[:-1]
        for head, members in zip(first.tolist(), np.split(order, bounds), strict=True):
            same = np.all(keys[members] == keys[head], axis=1)
            found.append((int(chosen[head]), keys[head].tobytes(), chosen[members[same]].tolist()))
            odd += chosen[members[~same]].tolist()
    return {key: members for _, key, members in sorted(found)}, odd


def _framed(data: bytes, start: int) -> int:
    return records.framed_size(data, start)


class UnindexableRecord(ValueError):
    """A record whose payload is not an Event: the index ends before it."""


class IndexBuilder:
    """Collects the entries of one event file's records and encodes them as chunks."""

    def __init__(self) -> None:
        self.tag_ids: dict[str, int] = {}
        self.with_metadata: set[int] = set()
        self.current = 0  # offset of the record being read (where a tag's metadata is)
        self.covered = 0  # event-file bytes described by the chunks encoded so far
        self.end = 0  # event-file bytes described by pending entries
        self.last = (0, 0)
        self.first_crc: int | None = None
        self._shapes: dict[bytes, tuple[int, int] | None] = {}
        self._reset()

    def _reset(self) -> None:
        self.new_tags: list[str] = []
        self.metadata: list[Metadata] = []
        self.records = 0
        self.columns: tuple[list[Any], ...] = tuple([] for _ in NAMES)
        self.arrays: list[np.ndarray] = []  # entries of one-float records read in bulk

    @property
    def pending(self) -> int:
        """Records fed since the last chunk."""
        return self.records

    def header(self) -> bytes:
        """The index's header (after the first record was fed)."""
        assert self.first_crc is not None
        return encode_header(self.first_crc)

    def add(self, data: Any, start: int, end: int, offset: int) -> None:
        """One complete record whose payload is data[start:end], at `offset` in the event file
        (its footer follows the payload in `data`). UnindexableRecord, with nothing taken, for
        a payload that is not an Event (a reader's scan stops there, so the index must too)."""
        crc = _unpack_u32(data, end)[0]
        self._read(data, start, end, offset)
        if self.first_crc is None:
            self.first_crc = crc
        self.records += 1
        self.end = end - start + offset + records.HEADER_SIZE + records.FOOTER_SIZE
        self.last = (offset, crc)

    def _read(self, data: Any, start: int, end: int, offset: int) -> None:
        length = end - start
        if 16 <= length <= _FAST_MAX_BYTES:
            try:
                wall_time, step, pos = decode.event_head(data, start, end)
            except decode.WireError:
                pos = end  # not a shape the fast path knows: parsed below
            if pos <= end - 4:
                key = bytes(data[pos : end - 4])
                shape = self._shapes.get(key, _MISSING)
                if shape is None:
                    pass
                elif shape is not _MISSING:
                    value = _unpack_float(data, end - 4)[0]
                    self._entry(offset, length, shape[0], shape[1], step, wall_time, value)
                    return
                else:
                    self._event(data, start, end, offset, key)
                    return
        self._event(data, start, end, offset, None)

    def add_records(self, data: bytes, starts: list[int], base: int) -> None:
        """Complete records framed at `starts` in `data` (at file offset `base` + start): the
        writer's batch. Events of a known one-float shape are decoded together with NumPy."""
        if not starts:
            return
        for start in starts[:1] if self.first_crc is None else ():
            self.add(
                data, start + records.HEADER_SIZE, start + _framed(data, start) - 4, base + start
            )
            starts = starts[1:]
        if not starts:
            return
        raw = np.frombuffer(data, dtype=np.uint8)
        at = np.array(starts, dtype=np.int64)
        lengths = raw[at[:, None] + np.arange(8)].view("<u8").ravel().astype(np.int64)
        ends = at + lengths + records.HEADER_SIZE  # where each payload ends
        last = len(starts) - 1
        self.records += len(starts)
        self.end = base + int(ends[last]) + records.FOOTER_SIZE
        self.last = (base + starts[last], int(raw[ends[last] : ends[last] + 4].view("<u4")[0]))
        begin = at + records.HEADER_SIZE
        safe = np.minimum(begin, len(raw) - 21)
        heads = raw[safe[:, None] + np.arange(21)]
        shaped = (lengths >= 16) & (lengths <= _FAST_MAX_BYTES) & (heads[:, 0] == 0x09)
        shaped &= (heads[:, 9] == 0x10) & (safe == begin)
        more = heads[:, 10:20] >= 0x80
        width = np.argmin(more, axis=1) + 1  # bytes of the step varint
        shaped &= ~more.all(axis=1) & (begin + 10 + width <= ends - 4)
        slow = np.flatnonzero(~shaped)
        fast = np.flatnonzero(shaped)
        key_at, key_end = begin + 10 + width, ends - 4
        groups, odd = _group_by_key(raw, fast, key_at, key_end - key_at)
        slow = np.concatenate([slow, np.array(odd, dtype=np.int64)])
        firsts = [members[0] for key, members in groups.items() if key not in self._shapes]
        learn = set(firsts)
        for i in sorted(slow.tolist() + firsts):  # file order: a tag's first metadata first
            key = data[key_at[i] : key_end[i]] if i in learn else None
            self._one(data, int(begin[i]), int(ends[i]), base, key)
        taken = []
        for key, members in groups.items():
            if members[0] in learn:
                members = members[1:]
            shape = self._shapes.get(key)
            if shape is None:
                for i in members:
                    self._one(data, int(begin[i]), int(ends[i]), base, None)
            elif members:
                taken.append((np.array(members, dtype=np.int64), shape))
        for rows, (tag, kind) in taken:
            self.arrays.append(
                self._bulk(raw, rows, at, lengths, heads, width, ends, base, tag, kind)
            )

    def _one(self, data: bytes, start: int, end: int, base: int, key: bytes | None) -> None:
        self._event(data, start, end, base + start - records.HEADER_SIZE, key)

    @staticmethod
    def _bulk(
        raw: np.ndarray,
        members: np.ndarray,
        at: np.ndarray,
        lengths: np.ndarray,
        heads: np.ndarray,
        width: np.ndarray,
        ends: np.ndarray,
        base: int,
        tag: int,
        kind: int,
    ) -> np.ndarray:
        entries = np.empty(len(members), dtype=ENTRY)
        entries["offset"] = at[members] + base
        entries["length"] = lengths[members]
        entries["tag"] = tag
        entries["kind"] = kind
        rows = heads[members]
        entries["wall_time"] = np.ascontiguousarray(rows[:, 1:9]).view("<f8").ravel()
        digits = rows[:, 10:20].astype(np.uint64) & np.uint64(0x7F)
        digits[np.arange(10) >= width[members][:, None]] = 0
        shifts = np.arange(10, dtype=np.uint64) * np.uint64(7)
        entries["step"] = np.bitwise_or.reduce(digits << shifts, axis=1).view(np.int64)
        value_at = ends[members] - 4
        entries["value"] = raw[value_at[:, None] + np.arange(4)].view("<f4").ravel()
        return entries

    def _event(self, data: Any, start: int, end: int, offset: int, key: bytes | None) -> None:
        self.current = offset
        length = end - start
        record = bytes(data[start:end])
        try:
            event = event_pb2.Event.FromString(record)
        except DecodeError:
            raise UnindexableRecord(f"the record at byte {offset} is not an Event") from None
        step, wall_time = event.step, event.wall_time
        what = event.WhichOneof("what")
        if what == "summary" and event.summary.value:
            for value in event.summary.value:
                self._value(offset, length, step, wall_time, value)
        elif what == "graph_def":
            self._tagged(offset, length, step, wall_time, "", "graph_def")
        elif what == "tagged_run_metadata":
            tag = event.tagged_run_metadata.tag
            self._tagged(offset, length, step, wall_time, tag, "tagged_run_metadata")
        else:
            self._entry(offset, length, 0, KIND_CODES["record"], step, wall_time, _NAN)
        if key is not None:
            shaped = one_float_tag(event, record, 0, length)
            if shaped is None:
                self._shapes[key] = None
            else:
                code = KIND_CODES[event.summary.value[0].WhichOneof("value") or "empty"]
                self._shapes[key] = (self.tag_ids[shaped], code | HAS_VALUE)

    def _value(self, offset: int, length: int, step: int, wall_time: float, value: Any) -> None:
        kind = value.WhichOneof("value") or "empty"
        metadata = value.metadata.SerializeToString() if value.HasField("metadata") else None
        tag_id = self._tag(value.tag or value.node_name, kind, metadata)
        code = KIND_CODES.get(kind, KIND_CODES["record"])
        number = _number(value, kind)
        if number is not None:
            code |= HAS_VALUE
        self._entry(
            offset, length, tag_id, code, step, wall_time, _NAN if number is None else number
        )

    def _tagged(
        self, offset: int, length: int, step: int, wall_time: float, tag: str, kind: str
    ) -> None:
        tag_id = self._tag(tag, kind, None)
        self._entry(offset, length, tag_id, KIND_CODES[kind], step, wall_time, _NAN)

    def _tag(self, tag: str, kind: str, metadata: bytes | None) -> int:
        tag_id = self.tag_ids.get(tag)
        if tag_id is None:
            tag_id = self.tag_ids[tag] = len(self.tag_ids)
            self.new_tags.append(tag)
        if tag_id not in self.with_metadata and (metadata is not None or kind in IMPLIED_METADATA):
            self.with_metadata.add(tag_id)
            self.metadata.append(Metadata(tag_id, KIND_CODES[kind], self.current, metadata))
        return tag_id

    def _entry(
        self,
        offset: int,
        length: int,
        tag: int,
        kind: int,
        step: int,
        wall_time: float,
        value: float,
    ) -> None:
        for column, item in zip(
            self.columns, (offset, length, tag, kind, step, wall_time, value), strict=True
        ):
            column.append(item)

    def chunk(self) -> bytes:
        """The chunk of every record fed since the last one (b"" when none was)."""
        if not self.records:
            return b""
        entries = np.empty(len(self.columns[0]), dtype=ENTRY)
        for name, column in zip(NAMES, self.columns, strict=True):
            entries[name] = column
        if self.arrays:
            entries = np.concatenate([entries, *self.arrays])
        entries = entries[np.argsort(entries["offset"], kind="stable")]
        data = encode_chunk(
            self.covered,
            self.end,
            self.last,
            self.records,
            self.new_tags,
            self.metadata,
            entries,
        )
        self.covered = self.end
        self._reset()
        return data


def _number(value: Any, kind: str) -> float | None:
    """The number of a one-number scalar value (simple_value, or a rank-0 float tensor)."""
    if kind == "simple_value":
        return float(value.simple_value)
    if kind != "tensor":
        return None
    tensor = value.tensor
    if tensor.dtype not in (1, 2) or tensor.tensor_shape.dim or tensor.tensor_shape.unknown_rank:
        return None
    content = tensor.tensor_content
    if tensor.dtype == 1:
        if len(content) == 4 and not tensor.float_val:
            return float(_unpack_float(content)[0])
        return float(tensor.float_val[0]) if len(tensor.float_val) == 1 and not content else None
    if len(content) == 8 and not tensor.double_val:
        return float(struct.unpack("<d", content)[0])
    return float(tensor.double_val[0]) if len(tensor.double_val) == 1 and not content else None
