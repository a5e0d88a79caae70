"""The generic op: any tensor under a tag, with caller-given SummaryMetadata."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from google.protobuf.message import DecodeError

from summary.ops.declare import summary_op
from summary.ops.inputs import to_array
from summary.ops.metadata import metadata_bytes
from summary.proto import summary_pb2
from summary.wire.tensors import tensor_bytes
from summary.writer import context
from summary.writer.entries import TensorEntry
from summary.writer.errors import op_error, op_type_error
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
    target.enqueue_tensor(
        TensorEntry(tag, step, time.time(), lambda: tensor_bytes(array), md, array.nbytes)
    )


@summary_op("experimental.write_raw_pb", tag=None)
def write_raw_pb(
    target: SummaryTarget, tensor: Any, step: Any = None, name: str | None = None
) -> None:
    """Write serialized Summary protos (bytes, or a list/array of them) as they are, one event
    each with every value, as `tf.summary.experimental.write_raw_pb`. Each is parsed here, so
    bytes that are not a Summary are refused at the call. `name` is TF's op name (unused)."""
    op = "experimental.write_raw_pb"
    blobs = _raw_blobs(op, tensor() if callable(tensor) else tensor)
    summaries = []
    for index, blob in enumerate(blobs):
        try:
            summaries.append(summary_pb2.Summary.FromString(blob))
        except DecodeError as error:
            raise op_error(
                op,
                None,
                f"element {index} ({len(blob)} bytes) is not a serialized Summary: {error}",
            ) from None
    step = context.resolve_step(op, None, step)
    wall_time = time.time()
    for summary, blob in zip(summaries, blobs, strict=True):
        target.enqueue_summary(step, summary, wall_time, len(blob))


def _raw_blobs(op: str, tensor: Any) -> list[bytes]:
    """A bytes scalar or a 1-D sequence/array of bytes as a list of bytes."""
    if isinstance(tensor, (bytes, bytearray, memoryview)):
        return [bytes(tensor)]
    array = to_array(op, None, tensor)
    if array.ndim > 1 or not all(isinstance(item, bytes) for item in array.ravel().tolist()):
        raise op_type_error(
            op, None, f"expected serialized Summary bytes or a 1-D list of them, got {tensor!r:.60}"
        )
    return array.ravel().tolist()
