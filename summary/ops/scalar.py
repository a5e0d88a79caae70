"""Scalars: one float32 value per step, shown on TensorBoard's Scalars dashboard."""

from __future__ import annotations

import time
from typing import Any

from summary.ops._convert import to_float
from summary.ops.metadata import plugin_metadata
from summary.writer import context

PLUGIN_NAME = "scalars"


def scalar(name: str, data: Any, step: Any = None, description: str | None = None) -> bool:
    """Log one real number under `name` (a rank-0 DT_FLOAT tensor, as TF 2.x writes it).

    Returns False and writes nothing when there is no default writer or recording is off.
    NaN and ±inf are legal and written as they are.
    """
    writer = context.recording_writer()
    if writer is None:
        return False
    tag = context.scoped_tag(context.check_name("scalar", name))
    value = to_float("scalar", tag, data)
    writer.enqueue_scalar(
        tag,
        context.resolve_step("scalar", tag, step),
        value,
        plugin_metadata(PLUGIN_NAME, b"", description),
        time.time(),
    )
    return True
