"""Hand-written protobuf encoding of the few Event shapes the writer emits on its hot path.

The bytes equal what protobuf's serializer produces for the same message (fields in number order),
which `tests/writer/test_encoding.py` checks; building them directly is ~10x cheaper than messages.
"""

from __future__ import annotations

import math
import struct

_DOUBLE = struct.Struct("<d").pack
_FLOAT = struct.Struct("<f").pack
# Event field 1 (wall_time: key 0x09, double) and field 2 (step: key 0x10, varint of 1-4 bytes)
# packed in one call: the writer thread builds one such prefix per event.
_PREFIX = struct.Struct("<Bd").pack
_PREFIX_STEP1 = struct.Struct("<BdBB").pack
_PREFIX_STEP2 = struct.Struct("<BdBBB").pack
_PREFIX_STEP3 = struct.Struct("<BdBBBB").pack
_PREFIX_STEP4 = struct.Struct("<BdBBBBB").pack
# TensorProto{dtype: DT_FLOAT, tensor_shape: {}, tensor_content: <4 bytes>} as field 8 of Value.
_FLOAT_TENSOR_FIELD = b"\x42\x0a\x08\x01\x12\x00\x22\x04"
_FLOAT_TENSOR_FIELD_SIZE = len(_FLOAT_TENSOR_FIELD) + 4


def varint(value: int) -> bytes:
    """Protobuf base-128 varint; negative int64 values as their 10-byte two's complement."""
    if 0 <= value < 0x80:
        return bytes((value,))
    if 0x80 <= value < 0x4000:
        return bytes(((value & 0x7F) | 0x80, value >> 7))
    if value < 0:
        value += 1 << 64
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def length_delimited(field_key: bytes, payload: bytes) -> bytes:
    """A length-delimited field: key byte(s), varint length, payload."""
    return field_key + varint(len(payload)) + payload


def float32_bytes(value: float) -> bytes:
    """Little-endian float32, saturating to ±inf like a float32 cast (struct would raise)."""
    try:
        return _FLOAT(value)
    except OverflowError:
        return _FLOAT(math.copysign(math.inf, value))


def event_prefix(wall_time: float, step: int) -> bytes:
    """Event fields 1 (wall_time) and 2 (step; omitted when 0, as protobuf does)."""
    if 0 < step < 0x4000:
        if step < 0x80:
            return _PREFIX_STEP1(0x09, wall_time, 0x10, step)
        return _PREFIX_STEP2(0x09, wall_time, 0x10, (step & 0x7F) | 0x80, step >> 7)
    if 0x4000 <= step < 0x10000000:
        low, middle = (step & 0x7F) | 0x80, ((step >> 7) & 0x7F) | 0x80
        if step < 0x200000:
            return _PREFIX_STEP3(0x09, wall_time, 0x10, low, middle, step >> 14)
        high = ((step >> 14) & 0x7F) | 0x80
        return _PREFIX_STEP4(0x09, wall_time, 0x10, low, middle, high, step >> 21)
    if step == 0:
        return _PREFIX(0x09, wall_time)
    return _PREFIX(0x09, wall_time) + b"\x10" + varint(step)


def metadata_field(metadata: bytes | None) -> bytes:
    """Summary.Value field 9 (metadata), or nothing."""
    return length_delimited(b"\x4a", metadata) if metadata else b""


def value_event(
    wall_time: float, step: int, tag: str, tensor: bytes, metadata: bytes | None
) -> bytes:
    """Event{wall_time, step, summary{value{tag, tensor, metadata}}} from serialized parts."""
    value = (
        length_delimited(b"\x0a", tag.encode("utf-8"))
        + length_delimited(b"\x42", tensor)
        + metadata_field(metadata)
    )
    summary = length_delimited(b"\x0a", value)
    return event_prefix(wall_time, step) + length_delimited(b"\x2a", summary)


def scalar_event_parts(tag: str, metadata: bytes | None) -> tuple[bytes, bytes]:
    """(head, tail) such that prefix + head + float32 + tail is a complete scalar Event.

    Everything but the wall time, step and value is fixed per tag, so the writer caches this pair.
    """
    tag_field = length_delimited(b"\x0a", tag.encode("utf-8"))
    tail = metadata_field(metadata)
    value_size = len(tag_field) + _FLOAT_TENSOR_FIELD_SIZE + len(tail)
    value_key = b"\x0a" + varint(value_size)
    head = (
        b"\x2a" + varint(len(value_key) + value_size) + value_key + tag_field + _FLOAT_TENSOR_FIELD
    )
    return head, tail


def file_version_event(wall_time: float) -> bytes:
    """The first Event of every file: wall_time and file_version "brain.Event:2"."""
    return b"\x09" + _DOUBLE(wall_time) + length_delimited(b"\x1a", b"brain.Event:2")


def summary_event(wall_time: float, step: int, summary: bytes) -> bytes:
    """Event{wall_time, step, summary} from a serialized Summary."""
    return event_prefix(wall_time, step) + length_delimited(b"\x2a", summary)
