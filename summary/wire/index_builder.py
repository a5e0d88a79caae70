"""Index entries made from event records as they are written or scanned (index_format.py's layout).

One builder per event file. The reader and `python -m summary index` feed it records they read
(CRC-checked); events of the one-float shape are recognised once per shape, like the loader's fast
path, so a scalar costs a dict lookup and a few appends here, not a protobuf parse. The writer
thread feeds it the entries of the scalars it wrote (`add_entries`, summary/writer/file_index.py)
and only its other records as bytes.
"""

from __future__ import annotations

import array
import operator
import struct
from collections.abc import Iterable
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
    Entries,
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
        self.arrays: list[Entries] = []  # entries taken so far, in file order

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

    def ids_of(self, tags: Iterable[str]) -> array.array:
        """The tag ids of `tags`, numbering new ones in order (as values of a kind that implies
        no metadata, without any: no metadata entry for them)."""
        names = tuple(tags)
        ids = self.tag_ids
        try:
            found = operator.itemgetter(*names)(ids)  # one C loop of dict lookups
        except KeyError:
            for tag in dict.fromkeys(names):
                self._tag(tag, "tensor", None)
            found = operator.itemgetter(*names)(ids)
        return array.array("I", found if len(names) > 1 else (found,))

    def add_entries(self, entries: Entries, end: int, last: tuple[int, int]) -> None:
        """Whole records after those fed so far, one entry each, made by the writer from what
        it encoded; `end` is where the last ends in the file, `last` its (offset, CRC)."""
        self._keep_columns()
        self.arrays.append(entries)
        self.records += len(entries.offset)
        self.end = end
        self.last = last

    def _keep_columns(self) -> None:
        """Move the entries collected one by one into `arrays`, which stay in file order."""
        if self.columns[0]:
            self.arrays.append(
                Entries(
                    *(
                        np.array(column, dtype=ENTRY[name])
                        for name, column in zip(NAMES, self.columns, strict=True)
                    )
                )
            )
            self.columns = tuple([] for _ in NAMES)

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
        self._keep_columns()
        entries = Entries.joined(self.arrays)
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
