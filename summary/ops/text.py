"""Text: a string or an array of strings of any rank, shown as markdown or a table (Text tab).

Written as a DT_STRING tensor of UTF-8 bytes, as TF 2.x's `tf.summary.text` writes it. Rank 0 is
rendered as markdown, ranks 1 and 2 as a table; TensorBoard shows only a 2-D slice of higher ranks.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from summary.ops.declare import summary_op
from summary.ops.inputs import to_array
from summary.ops.metadata import description_metadata
from summary.wire.tensors import string_tensor_bytes
from summary.writer import context
from summary.writer.entries import TensorEntry
from summary.writer.errors import op_error, op_type_error
from summary.writer.target import SummaryTarget

PLUGIN_NAME = "text"


@summary_op("text")
def text(
    target: SummaryTarget, tag: str, data: Any, step: Any = None, description: str | None = None
) -> None:
    """Log `data` (str, bytes, or a list/array of them, any rank) under `name`.

    Returns False and writes nothing when there is no default writer or recording is off.
    """
    metadata = description_metadata("text", tag, PLUGIN_NAME, b"", description)
    array = to_text_array("text", tag, data)
    step = context.resolve_step("text", tag, step)
    target.enqueue_tensor(
        TensorEntry(
            tag,
            step,
            time.time(),
            lambda: string_tensor_bytes(array),
            metadata,
            sum(len(item) for item in array.flat),
        )
    )


def to_text_array(op: str, tag: str, data: Any) -> np.ndarray:
    """`data` as a new object array of UTF-8 `bytes`, same shape; anything but strings is refused.

    TF's text op requires a string tensor, so numbers are a TypeError rather than str()-ed.
    """
    if isinstance(data, (str, bytes)):
        array = np.empty((), dtype=object)
        array[()] = data
    elif isinstance(data, (list, tuple)):  # NumPy would str() the numbers in [1, "a"]
        array = _nested_array(op, tag, data)
    else:
        array = to_array(op, tag, data)
    if array.dtype.kind not in "OSU":
        raise op_type_error(
            op, tag, f"expected str, bytes or an array of strings, got {_describe(data, array)}"
        )
    out = np.empty(array.shape, dtype=object)
    flat = out.reshape(-1)
    for index, item in enumerate(array.flat):
        flat[index] = _utf8(op, tag, item)
    return out


def _nested_array(op: str, tag: str, data: list | tuple) -> np.ndarray:
    try:
        return np.array(data, dtype=object)
    except ValueError:  # NumPy refuses some ragged nestings even as objects
        raise op_type_error(op, tag, "nested lists must be rectangular lists of strings") from None


def _utf8(op: str, tag: str, item: Any) -> bytes:
    if isinstance(item, bytes):
        return bytes(item)  # np.bytes_ to plain bytes
    if isinstance(item, str):
        try:
            return item.encode("utf-8")
        except UnicodeEncodeError as error:
            raise op_error(
                op,
                tag,
                f"a string is not valid Unicode text ({error.reason} at position {error.start})",
            ) from None
    raise op_type_error(
        op, tag, f"expected only strings, got an element of type {type(item).__name__}: {item!r}"
    )


def _describe(data: Any, array: np.ndarray) -> str:
    if array.ndim == 0 and not isinstance(data, np.ndarray):
        return f"{type(data).__name__} {data!r}"
    return f"an array of dtype {array.dtype} and shape {array.shape}"
