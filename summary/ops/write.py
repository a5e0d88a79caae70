"""The generic op: any tensor under a tag, with caller-given SummaryMetadata."""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from summary.ops.declare import summary_op
from summary.ops.inputs import to_array
from summary.ops.metadata import metadata_bytes
from summary.wire.tensors import tensor_bytes
from summary.writer import context
from summary.writer.errors import op_type_error
from summary.writer.target import SummaryTarget


@summary_op("write", tag="verbatim")
def write(
    target: SummaryTarget,
    tag: str,
    tensor: Any,
    step: Any = None,
    metadata: Any = None,
    name: str | None = None,
) -> None:
    """Write `tensor` (or the result of calling it, only when recording) under `tag` verbatim.

    `metadata` is a SummaryMetadata message or its serialized bytes; it is written with the
    first value of the tag in each file. Returns False when nothing is recorded.
    """
    md = metadata_bytes("write", tag, metadata)
    if callable(tensor):
        tensor = tensor()
    array = np.array(to_array("write", tag, tensor), copy=True)
    if array.dtype.kind not in "iufbOSU":
        raise op_type_error("write", tag, f"cannot write an array of dtype {array.dtype}")
    step = context.resolve_step("write", tag, step)
    target.enqueue_tensor(tag, step, lambda: tensor_bytes(array), md, time.time(), array.nbytes)
