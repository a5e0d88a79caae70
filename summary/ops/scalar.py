"""Scalars: one float32 value per step, shown on TensorBoard's Scalars dashboard."""

from __future__ import annotations

import time
from typing import Any

from summary.ops.declare import summary_op
from summary.ops.inputs import to_float
from summary.ops.metadata import description_metadata, plugin_metadata
from summary.writer.context import resolve_step
from summary.writer.target import SummaryTarget

PLUGIN_NAME = "scalars"
METADATA = plugin_metadata(PLUGIN_NAME)  # every scalar without a description
_now = time.time


@summary_op("scalar")
def scalar(
    target: SummaryTarget,
    tag: str,
    data: Any,
    step: Any = None,
    description: str | None = None,
) -> None:
    """Log one real number under `name` (a rank-0 DT_FLOAT tensor, as TF 2.x writes it).

    Returns False and writes nothing when there is no default writer or recording is off.
    NaN and ±inf are legal and written as they are. The caller's thread only validates, reads
    the step and the time, and queues; encoding and I/O happen on the writer thread.
    """
    target.enqueue_scalar(
        tag,
        resolve_step("scalar", tag, step),
        data if type(data) is float else to_float("scalar", tag, data),
        METADATA
        if description is None
        else description_metadata("scalar", tag, PLUGIN_NAME, b"", description),
        _now(),
    )
