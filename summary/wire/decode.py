"""Hand decoding of the protobuf wire format, for the few Event fields the loader looks at first.

`event_head` reads wall_time and step (fields 1 and 2, which every writer puts first) so the
bytes after them can serve as a key for events of one shape. `scan_values` walks an Event down to
each Summary.Value's tag, metadata and value kind without touching the payload, so records that a
filter does not want are skipped without parsing their images or tensors.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import Any, NamedTuple

_unpack_double = struct.Struct("<d").unpack_from
_U64 = 1 << 64
_I64 = 1 << 63

# Event fields
WALL_TIME, STEP, SUMMARY, GRAPH_DEF = 1, 2, 5, 4
# Summary.Value fields
_TAG, _NODE_NAME, _METADATA = 1, 7, 9
VALUE_KINDS = {2: "simple_value", 3: "obsolete_old_style_histogram", 4: "image", 5: "histo"}
VALUE_KINDS.update({6: "audio", 8: "tensor"})


class WireError(ValueError):
    """The bytes are not a well-formed protobuf message."""


class ValueHead(NamedTuple):
    """What a filter needs of one Summary.Value: its tag, raw metadata and value kind."""

    tag: str
    metadata: bytes | None
    kind: str | None


def varint(data: bytes, pos: int) -> tuple[int, int]:
    """(value, position after it) of the base-128 varint at `pos`."""
    result = 0
    shift = 0
    while True:
        try:
            byte = data[pos]
        except IndexError:
            raise WireError("truncated varint") from None
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise WireError("varint longer than 10 bytes")


def event_head(data: bytes, start: int, end: int) -> tuple[float, int, int]:
    """(wall_time, step, position after them) for the Event in data[start:end]."""
    pos = start
    wall_time = 0.0
    step = 0
    if pos + 9 <= end and data[pos] == 0x09:
        wall_time = _unpack_double(data, pos + 1)[0]
        pos += 9
    if pos < end and data[pos] == 0x10:
        step, pos = varint(data, pos + 1)
        if step >= _I64:
            step -= _U64
    return wall_time, step, pos


def fields(data: bytes, start: int, end: int) -> Iterator[tuple[int, int, Any]]:
    """Yield (field number, wire type, value or (begin, stop) of a length-delimited field)."""
    value: int | tuple[int, int]
    pos = start
    while pos < end:
        key, pos = varint(data, pos)
        number, wire_type = key >> 3, key & 7
        if wire_type == 0:
            value, pos = varint(data, pos)
        elif wire_type == 1:
            value, pos = pos, pos + 8
        elif wire_type == 2:
            length, pos = varint(data, pos)
            value, pos = (pos, pos + length), pos + length
        elif wire_type == 5:
            value, pos = pos, pos + 4
        else:
            raise WireError(f"unsupported wire type {wire_type}")
        if pos > end:
            raise WireError("field runs past the end of its message")
        yield number, wire_type, value


def scan_event(data: bytes, start: int, end: int) -> tuple[float, int, int, list[ValueHead]]:
    """(wall_time, step, what field number or 0, value heads) of the Event in data[start:end]."""
    wall_time, step, pos = event_head(data, start, end)
    what = 0
    heads: list[ValueHead] = []
    for number, wire_type, value in fields(data, pos, end):
        if number == WALL_TIME and wire_type == 1:
            wall_time = _unpack_double(data, value)[0]
        elif number == STEP and wire_type == 0:
            step = value - _U64 if value >= _I64 else value
        elif 3 <= number <= 9 and wire_type == 2:
            what = number
            if number == SUMMARY:
                heads = [
                    _value_head(data, *span) for num, _, span in fields(data, *value) if num == 1
                ]
    return wall_time, step, what, heads


def _value_head(data: bytes, start: int, end: int) -> ValueHead:
    tag = node_name = ""
    metadata = None
    kind = None
    for number, wire_type, value in fields(data, start, end):
        if number == _TAG and wire_type == 2:
            tag = data[value[0] : value[1]].decode("utf-8", "replace")
        elif number == _NODE_NAME and wire_type == 2:
            node_name = data[value[0] : value[1]].decode("utf-8", "replace")
        elif number == _METADATA and wire_type == 2:
            metadata = data[value[0] : value[1]]
        elif number in VALUE_KINDS:
            kind = VALUE_KINDS[number]
    return ValueHead(tag or node_name, metadata, kind)
