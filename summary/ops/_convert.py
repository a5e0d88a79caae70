"""The one conversion helper: any array-like (number, list, NumPy, torch, JAX, CuPy …) to NumPy.

Frameworks are never imported here: objects are recognised by the methods they carry.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def to_array(op: str, tag: str, data: Any) -> np.ndarray:
    """`data` as a NumPy array (a view when possible); complex input is refused."""
    array = _as_numpy(op, tag, data)
    if array.dtype.kind == "c":
        raise TypeError(
            f"summary.{op}({tag!r}): complex values are not supported (got {array.dtype}); "
            "log the real and imaginary parts (or abs/angle) separately"
        )
    if array.dtype.name == "bfloat16":
        array = array.astype(np.float32)
    return array


def to_numeric_array(op: str, tag: str, data: Any, allow_bool: bool = True) -> np.ndarray:
    """`data` as a real numeric (or bool) NumPy array, or a TypeError naming op and tag."""
    array = to_array(op, tag, data)
    kind = array.dtype.kind
    if kind in "iuf" or (allow_bool and kind == "b"):
        return array
    raise TypeError(
        f"summary.{op}({tag!r}): expected real numbers, got an array of dtype {array.dtype}"
    )


def to_float(op: str, tag: str, data: Any) -> float:
    """One real number (rank 0) as a Python float; NaN and ±inf pass through."""
    kind = type(data)
    if kind is float:
        return data
    if kind is int or kind is bool:
        return _int_to_float(op, tag, data)
    array = to_numeric_array(op, tag, data)
    if array.ndim != 0:
        raise ValueError(
            f"summary.{op}({tag!r}): expected a single number (rank 0), got shape {array.shape}"
        )
    return float(array)


def _int_to_float(op: str, tag: str, data: int) -> float:
    try:
        return float(data)
    except OverflowError:
        return math.copysign(math.inf, data)


def _as_numpy(op: str, tag: str, data: Any) -> np.ndarray:
    if isinstance(data, np.ndarray):
        return data
    if data is None:
        raise TypeError(f"summary.{op}({tag!r}): data is None")
    if isinstance(data, (str, bytes)):
        return np.asarray(data, dtype=object)
    module = type(data).__module__.partition(".")[0]
    if module == "torch":
        return _torch_to_numpy(data)
    try:
        if hasattr(data, "__array__") or isinstance(data, (int, float, bool, complex, list, tuple)):
            array = np.asarray(data)
        elif hasattr(data, "__dlpack__"):
            array = np.from_dlpack(data)
        elif hasattr(data, "numpy"):
            array = np.asarray(data.numpy())
        elif hasattr(data, "get"):  # CuPy-like device arrays copy to host with .get()
            array = np.asarray(data.get())
        else:
            array = np.asarray(data)
    except (TypeError, ValueError, RuntimeError) as error:
        raise TypeError(
            f"summary.{op}({tag!r}): cannot convert {type(data).__name__} to an array: {error}"
        ) from None
    if array.dtype == object:
        _check_object_array(op, tag, array)
    return array


def _torch_to_numpy(tensor: Any) -> np.ndarray:
    tensor = tensor.detach()
    if str(tensor.dtype) == "torch.bfloat16":
        tensor = tensor.float()
    if tensor.device.type != "cpu":
        tensor = tensor.cpu()
    if tensor.is_conj():
        tensor = tensor.resolve_conj()
    return tensor.numpy()


def _check_object_array(op: str, tag: str, array: np.ndarray) -> None:
    """Ragged or mixed nested lists become object arrays; only all-string ones are meaningful."""
    if not all(isinstance(item, (str, bytes)) for item in array.flat):
        raise TypeError(
            f"summary.{op}({tag!r}): expected numbers or strings of one shape, got a ragged or "
            "mixed sequence"
        )
