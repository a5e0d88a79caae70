"""Recognising the one-float event shape (nearly every scalar) that `load` reads without protobuf.

The bytes of an event after its wall_time and step fix its shape: tag, metadata, value layout. If
the first event of a shape holds one float32 in its last four bytes — proven by parsing the same
bytes with other last four bytes — every later event of that shape is read by slicing them out.
"""

from __future__ import annotations

import struct

from google.protobuf.message import DecodeError

from summary.proto import event_pb2, summary_pb2

_PROBES = (struct.pack("<f", 1.2345678), struct.pack("<f", -7.654321))


def one_float_tag(event: event_pb2.Event, data: bytes, start: int, end: int) -> str | None:
    """The tag of an event holding one float32 in its last four bytes, else None.

    Proven by parsing the same bytes with other last four bytes: the value must follow them.
    Any later event whose bytes between step and those four match is then the same shape.
    """
    if event.WhichOneof("what") != "summary" or len(event.summary.value) != 1:
        return None
    if event.HasField("source_metadata") or float_bytes(event.summary.value[0]) is None:
        return None
    if float_bytes(event.summary.value[0]) != data[end - 4 : end]:
        return None
    probe = _PROBES[0] if data[end - 4 : end] != _PROBES[0] else _PROBES[1]
    try:
        twin = event_pb2.Event.FromString(data[start : end - 4] + probe)
    except DecodeError:
        return None
    if len(twin.summary.value) != 1 or float_bytes(twin.summary.value[0]) != probe:
        return None
    value = event.summary.value[0]
    return value.tag or value.node_name


def float_bytes(value: summary_pb2.Summary.Value) -> bytes | None:
    """The four little-endian bytes of a one-float value (simple_value or rank-0 DT_FLOAT)."""
    kind = value.WhichOneof("value")
    if kind == "simple_value":
        return struct.pack("<f", value.simple_value)
    if kind != "tensor":
        return None
    tensor = value.tensor
    if tensor.dtype != 1 or tensor.tensor_shape.dim or tensor.tensor_shape.unknown_rank:
        return None
    if len(tensor.tensor_content) == 4 and not tensor.float_val:
        return tensor.tensor_content
    if len(tensor.float_val) == 1 and not tensor.tensor_content:
        return struct.pack("<f", tensor.float_val[0])
    return None
