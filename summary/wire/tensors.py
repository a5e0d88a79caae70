"""NumPy arrays to serialized TensorProto bytes, laid out as TF 2.x's summary writer stores them:
numbers as little-endian bytes in `tensor_content`, strings element by element in `string_val`."""

from __future__ import annotations

import numpy as np

from summary.wire.encode import length_delimited, varint

DT_FLOAT, DT_DOUBLE, DT_INT32, DT_UINT8, DT_INT16, DT_INT8, DT_STRING = 1, 2, 3, 4, 5, 6, 7
DT_INT64, DT_BOOL, DT_UINT16, DT_HALF, DT_UINT32, DT_UINT64 = 9, 10, 17, 19, 22, 23

_DTYPES: dict[str, int] = {
    "float32": DT_FLOAT,
    "float64": DT_DOUBLE,
    "int32": DT_INT32,
    "uint8": DT_UINT8,
    "int16": DT_INT16,
    "int8": DT_INT8,
    "int64": DT_INT64,
    "bool": DT_BOOL,
    "uint16": DT_UINT16,
    "float16": DT_HALF,
    "uint32": DT_UINT32,
    "uint64": DT_UINT64,
}


def shape_bytes(shape: tuple[int, ...]) -> bytes:
    """Serialized TensorShapeProto: one Dim{size} per axis (rank 0 has none)."""
    return b"".join(
        length_delimited(b"\x12", b"\x08" + varint(size) if size else b"") for size in shape
    )


def tensor_bytes(array: np.ndarray) -> bytes:
    """A serialized TensorProto holding `array` (numeric, bool or strings)."""
    if array.dtype.kind in "OSU":
        return string_tensor_bytes(array)
    dtype = _DTYPES.get(array.dtype.name)
    if dtype is None:
        raise TypeError(f"arrays of dtype {array.dtype} cannot be written as a tensor")
    content = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<")).tobytes()
    return (
        b"\x08"
        + varint(dtype)
        + length_delimited(b"\x12", shape_bytes(array.shape))
        + (length_delimited(b"\x22", content) if content else b"")
    )


def string_tensor_bytes(array: np.ndarray) -> bytes:
    """A DT_STRING TensorProto; str elements are UTF-8 encoded."""
    values = (item if isinstance(item, bytes) else str(item).encode("utf-8") for item in array.flat)
    return (
        b"\x08"
        + varint(DT_STRING)
        + length_delimited(b"\x12", shape_bytes(array.shape))
        + b"".join(length_delimited(b"\x42", value) for value in values)
    )
