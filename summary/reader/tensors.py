"""TensorProto -> NumPy array, reading both layouts writers use (raw `tensor_content`, or the
typed `*_val` fields where one value stands for the whole shape), as TensorBoard does."""

from __future__ import annotations

import numpy as np

from summary.proto import tensor_pb2

# DataType enum number -> (NumPy dtype, TensorProto field holding the values when not raw)
_DTYPES: dict[int, tuple[np.dtype, str]] = {
    1: (np.dtype(np.float32), "float_val"),
    2: (np.dtype(np.float64), "double_val"),
    3: (np.dtype(np.int32), "int_val"),
    4: (np.dtype(np.uint8), "int_val"),
    5: (np.dtype(np.int16), "int_val"),
    6: (np.dtype(np.int8), "int_val"),
    7: (np.dtype(object), "string_val"),
    8: (np.dtype(np.complex64), "scomplex_val"),
    9: (np.dtype(np.int64), "int64_val"),
    10: (np.dtype(np.bool_), "bool_val"),
    14: (np.dtype(np.float32), "half_val"),  # bfloat16: widened to float32
    17: (np.dtype(np.uint16), "int_val"),
    18: (np.dtype(np.complex128), "dcomplex_val"),
    19: (np.dtype(np.float16), "half_val"),
    22: (np.dtype(np.uint32), "uint32_val"),
    23: (np.dtype(np.uint64), "uint64_val"),
}
_BFLOAT16 = 14


class TensorDecodeError(ValueError):
    """A TensorProto whose dtype is unsupported or whose values do not fill its shape."""


def to_ndarray(tensor: tensor_pb2.TensorProto) -> np.ndarray:
    """The values of `tensor` as an array of its shape (strings as an object array of bytes)."""
    shape = tuple(dim.size for dim in tensor.tensor_shape.dim)
    count = int(np.prod(shape, dtype=np.int64))
    try:
        dtype, field = _DTYPES[tensor.dtype]
    except KeyError:
        raise TensorDecodeError(f"unsupported tensor dtype {tensor.dtype}") from None
    if tensor.dtype == _BFLOAT16:
        return _bfloat16(tensor, shape, count)
    if tensor.tensor_content and dtype.kind != "O":
        flat = np.frombuffer(tensor.tensor_content, dtype=dtype.newbyteorder("<"))
        return _fill(flat.astype(dtype), shape, count)
    values = getattr(tensor, field)
    if dtype.kind == "O":
        flat = np.empty(len(values), dtype=object)
        flat[:] = list(values)
    elif dtype.kind == "c":
        pairs = np.asarray(values, dtype=dtype.type(0).real.dtype)
        flat = pairs[0::2] + 1j * pairs[1::2]
        flat = flat.astype(dtype)
    elif tensor.dtype == 19:
        flat = np.asarray(values, dtype=np.uint16).view(np.float16)
    else:
        flat = np.asarray(values, dtype=dtype)
    return _fill(flat, shape, count)


def _bfloat16(tensor: tensor_pb2.TensorProto, shape: tuple[int, ...], count: int) -> np.ndarray:
    if tensor.tensor_content:
        bits = np.frombuffer(tensor.tensor_content, dtype="<u2")
    else:
        bits = np.asarray(tensor.half_val, dtype=np.uint32).astype(np.uint16)
    widened = (bits.astype(np.uint32) << 16).view(np.float32)
    return _fill(widened, shape, count)


def _fill(flat: np.ndarray, shape: tuple[int, ...], count: int) -> np.ndarray:
    """Reshape; a single value is broadcast to the whole shape (TensorBoard's rule)."""
    if flat.size == count:
        return flat.reshape(shape)
    if flat.size == 1:
        return np.full(shape, flat[0], dtype=flat.dtype)
    raise TensorDecodeError(f"{flat.size} values do not fill shape {list(shape)}")
