"""The one conversion helper: any array-like (number, list, NumPy, torch, JAX, CuPy …) to NumPy.

Frameworks are never imported here: objects are recognised by the methods they carry. Python
numbers and lists convert as TF 2.x's `convert_to_tensor` converts them (floats to float32, ints
to int32 unless they need int64), so the tensors we write have the dtypes TF would write.
"""

from __future__ import annotations

import math
import operator
import sys
import warnings
from typing import Any

import numpy as np

from summary.writer.errors import op_error, op_type_error

_PYTHON_NUMBERS = (bool, int, float)
_INT32_MIN, _INT32_MAX = -(1 << 31), (1 << 31) - 1
_NARROW_INTS = {"int2": np.int8, "int4": np.int8, "uint2": np.uint8, "uint4": np.uint8}


def to_array(op: str, tag: str | None, data: Any) -> np.ndarray:
    """`data` as a NumPy array (a view when possible); complex input is refused.

    Dtypes NumPy lacks are widened exactly: bfloat16/float8 to float32, int4 to int8, long
    double to float64. The result may share memory with `data`: copy before queueing it.
    """
    array = _as_numpy(op, tag, data)
    kind = array.dtype.kind
    if kind == "c":
        raise _complex_error(op, tag, array.dtype)
    if kind == "O":
        return _object_array(op, tag, array)
    if kind == "V":
        return _widen_extension_dtype(op, tag, array)
    if kind == "f" and array.dtype.itemsize > 8:
        return array.astype(np.float64)
    return array


def to_numeric_array(op: str, tag: str | None, data: Any, allow_bool: bool = True) -> np.ndarray:
    """`data` as a real numeric (or bool) NumPy array, or a TypeError naming op and tag."""
    array = to_array(op, tag, data)
    kind = array.dtype.kind
    if kind in "iuf" or (allow_bool and kind == "b"):
        return array
    got = (
        f"{type(data).__name__} {data!r:.40}"
        if isinstance(data, (str, bytes))
        else f"an array of dtype {array.dtype}"
    )
    raise op_type_error(op, tag, f"expected real numbers, got {got}")


def to_float(op: str, tag: str | None, data: Any) -> float:
    """One real number (rank 0) as a Python float; NaN and ±inf pass through."""
    kind = type(data)
    if kind is float:
        return data
    if kind is int or kind is bool:
        return _int_to_float(data)
    if isinstance(data, np.generic) and data.dtype.kind in "fiub":  # np.float32(…): ~100x faster
        return float(data)
    if kind.__module__.startswith("torch") and _is_torch_scalar(data):  # a loss tensor: ~10x faster
        try:
            return float(data.item())
        except RuntimeError:  # meta or otherwise unreadable: the general path explains why
            pass
    array = to_numeric_array(op, tag, data)
    if array.ndim != 0:
        raise op_error(op, tag, f"expected a single number (rank 0), got shape {array.shape}")
    return float(array)


def _is_torch_scalar(data: Any) -> bool:
    """A real, dense, unquantized 0-d torch tensor: `.item()` gives its exact value."""
    torch = sys.modules.get("torch")  # loaded, since `data` is a torch object; never imported here
    return (
        torch is not None
        and isinstance(data, torch.Tensor)
        and data.dim() == 0
        and not data.is_complex()
        and not data.is_quantized
        and data.layout is torch.strided
    )


def to_int(op: str, tag: str | None, what: str, value: Any) -> int:
    """An int or NumPy integer as a Python int; bools and floats get a TypeError."""
    if isinstance(value, (bool, np.bool_)):
        raise op_type_error(op, tag, f"{what} must be an int, got bool {value!r}")
    try:
        return operator.index(value)
    except TypeError:
        raise op_type_error(
            op, tag, f"{what} must be an int, got {type(value).__name__} {value!r}"
        ) from None


def to_count(op: str, tag: str | None, what: str, value: Any) -> int:
    """A non-negative whole number such as `max_outputs`, or a TypeError/ValueError."""
    count = to_int(op, tag, what, value)
    if count < 0:
        raise op_error(op, tag, f"{what} must be >= 0, got {count}")
    return count


def _int_to_float(data: int) -> float:
    try:
        return float(data)
    except OverflowError:
        return math.inf if data > 0 else -math.inf


def _complex_error(op: str, tag: str | None, dtype: Any) -> TypeError:
    return op_type_error(
        op,
        tag,
        f"complex values are not supported (got {dtype}); "
        "log the real and imaginary parts (or abs/angle) separately",
    )


def _as_numpy(op: str, tag: str | None, data: Any) -> np.ndarray:
    if isinstance(data, np.ndarray):
        return data
    if data is None:
        raise op_type_error(op, tag, "data is None")
    kind = type(data)
    if kind is str or kind is bytes:
        return np.asarray(data, dtype=object)
    if kind in _PYTHON_NUMBERS or kind is complex:
        return _like_tensorflow(np.asarray(data))
    if kind is list or kind is tuple:
        return _from_sequence(op, tag, data)
    if _is_torch_tensor(data):
        return _from_torch(op, tag, data)
    return _from_array_object(op, tag, data)


def _from_sequence(op: str, tag: str | None, data: list | tuple) -> np.ndarray:
    """Nested lists of numbers, or lists of arrays of one shape (e.g. torch tensors)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # NumPy < 1.24 warns on ragged input
            array = np.asarray(data)
    except (TypeError, ValueError, RuntimeError):  # ragged, or items needing detach()/a copy
        if _is_python_leaf(data):
            raise _ragged_error(op, tag) from None
        array = None
    if array is None or (array.dtype == object and _holds_arrays(data)):
        items = [_as_numpy(op, tag, item) for item in data]
        if len({item.shape for item in items}) > 1:
            raise _ragged_error(op, tag)
        return np.asarray(items) if items else np.zeros((0,), np.float32)
    return _like_tensorflow(array) if _is_python_leaf(data) else array


def _holds_arrays(data: list | tuple) -> bool:
    """True when some item is an array object rather than a number, string, list or None."""
    plain = (*_PYTHON_NUMBERS, complex, str, bytes, list, tuple, type(None))
    return any(not isinstance(item, plain) for item in data)


def _is_python_leaf(data: Any) -> bool:
    """True when the first innermost element is a Python number (or the list is empty)."""
    while type(data) is list or type(data) is tuple:
        if not data:
            return True
        data = data[0]
    return type(data) in _PYTHON_NUMBERS


def _like_tensorflow(array: np.ndarray) -> np.ndarray:
    """Python floats become float32 and ints int32 when they fit, as in `tf.constant`."""
    if array.dtype == np.float64:
        with np.errstate(over="ignore"):
            return array.astype(np.float32)
    if array.dtype == np.int64 and (
        array.size == 0 or (_INT32_MIN <= array.min() and array.max() <= _INT32_MAX)
    ):
        return array.astype(np.int32)
    return array


def _is_torch_tensor(data: Any) -> bool:
    return any(c.__name__ == "Tensor" and c.__module__ == "torch" for c in type(data).__mro__)


def _from_torch(op: str, tag: str | None, tensor: Any) -> np.ndarray:
    """A CPU NumPy view of a torch tensor: detached, dense, dtypes NumPy lacks widened."""
    if tensor.is_complex():
        raise _complex_error(op, tag, tensor.dtype)
    try:
        tensor = tensor.detach()
        if tensor.is_quantized:
            tensor = tensor.dequantize()
        if str(tensor.layout) != "torch.strided":
            tensor = tensor.to_dense()
        if tensor.device.type != "cpu":
            tensor = tensor.cpu()
        tensor = tensor.resolve_conj().resolve_neg()
        try:
            return tensor.numpy()
        except TypeError:  # bfloat16, float8 …: exact in float32
            return tensor.float().numpy()
    except (TypeError, ValueError, RuntimeError, NotImplementedError) as error:
        raise op_type_error(
            op,
            tag,
            f"cannot convert torch tensor ({tensor.dtype}, {tensor.device}) to NumPy: {error}",
        ) from None


def _from_array_object(op: str, tag: str | None, data: Any) -> np.ndarray:
    """Try, in order: CuPy's `.get()`, `__array__`, `__dlpack__`, `.numpy()`, `np.asarray`."""
    attempts = []
    if hasattr(data, "__cuda_array_interface__") and callable(getattr(data, "get", None)):
        attempts.append(lambda: np.asarray(data.get()))
    if hasattr(data, "__array__") or hasattr(data, "__array_interface__"):
        attempts.append(lambda: np.asarray(data))
    if hasattr(data, "__dlpack__"):
        attempts.append(lambda: np.from_dlpack(data))
    if callable(getattr(data, "numpy", None)):
        attempts.append(lambda: np.asarray(data.numpy()))
    attempts.append(lambda: np.asarray(data))
    failure: Exception | None = None
    for attempt in attempts:
        try:
            array = attempt()
        except (TypeError, ValueError, RuntimeError, BufferError, AttributeError) as error:
            failure = error
            continue
        if array.dtype != object or array.ndim > 0:
            return array
    reason = f": {failure}" if failure is not None else ""
    raise op_type_error(
        op, tag, f"expected a number, a list or an array, got {type(data).__name__}{reason}"
    )


def _object_array(op: str, tag: str | None, array: np.ndarray) -> np.ndarray:
    """Object arrays of strings stay; boxed numbers are unboxed; anything else is refused."""
    items = array.ravel().tolist()
    if all(isinstance(item, (str, bytes)) for item in items):
        return array
    if any(isinstance(item, (complex, np.complexfloating)) for item in items):
        raise _complex_error(op, tag, "complex")
    if any(isinstance(item, (list, tuple, np.ndarray)) for item in items):
        raise _ragged_error(op, tag)
    for item in items:
        if isinstance(item, int) and not -(1 << 63) <= item < 1 << 64:
            raise op_error(
                op, tag, f"integer {item} does not fit in 64 bits; convert to float first"
            )
    odd = [item for item in items if not isinstance(item, (int, float, str, bytes))]
    if not odd and not any(isinstance(item, (str, bytes)) for item in items):
        return np.array(items).reshape(array.shape)  # numbers that were boxed as objects
    what = f"an element {odd[0]!r:.40}" if odd else "a mix of numbers and strings"
    raise op_type_error(op, tag, f"expected numbers or strings, got {what}")


def _widen_extension_dtype(op: str, tag: str | None, array: np.ndarray) -> np.ndarray:
    """ml_dtypes arrays (JAX's bfloat16, float8, int4 …) widened exactly to NumPy dtypes."""
    name = array.dtype.name
    if name.startswith(("bfloat16", "float")):
        return array.astype(np.float32)
    if name in _NARROW_INTS:
        return array.astype(_NARROW_INTS[name])
    raise op_type_error(op, tag, f"cannot log an array of dtype {array.dtype}")


def _ragged_error(op: str, tag: str | None) -> ValueError:
    return op_error(
        op,
        tag,
        "nested sequences must be rectangular (same length and type at "
        "each level); got a ragged or mixed sequence",
    )
