"""Scalars: one float32 value per step, shown on TensorBoard's Scalars dashboard."""

from __future__ import annotations

import time
from typing import Any

from summary.ops.inputs import to_float
from summary.ops.metadata import plugin_metadata
from summary.writer.context import check_name, recording_writer, resolve_step, tag_for

PLUGIN_NAME = "scalars"
_METADATA = plugin_metadata(PLUGIN_NAME)
_now = time.time


def scalar(name: str, data: Any, step: Any = None, description: str | None = None) -> bool:
    """Log one real number under `name` (a rank-0 DT_FLOAT tensor, as TF 2.x writes it).

    Returns False and writes nothing when there is no default writer or recording is off.
    NaN and ±inf are legal and written as they are. The caller's thread only validates, reads
    the step and the time, and queues; encoding and I/O happen on the writer thread.
    """
    writer = recording_writer()
    if writer is None:
        return False
    _enqueue(writer, tag_for("scalar", name), data, step, description, _now())
    return True


def write_scalar(
    writer: Any,
    tag: str,
    data: Any,
    step: Any,
    description: str | None = None,
    wall_time: float | None = None,
) -> None:
    """Queue one scalar on `writer` under `tag` as given: no name scope, no `record_if`.

    The direct path for callers that name their writer (tensorboardX-style `add_scalar`).
    """
    if type(tag) is not str or not tag:
        tag = check_name("scalar", tag)
    _enqueue(
        writer, tag, data, step, description, _now() if wall_time is None else float(wall_time)
    )


def _enqueue(
    writer: Any, tag: str, data: Any, step: Any, description: str | None, wall_time: float
) -> None:
    """Validate the value and the step on the caller's thread, then queue the scalar."""
    value = data if type(data) is float else to_float("scalar", tag, data)
    writer.enqueue_scalar(
        tag,
        resolve_step("scalar", tag, step),
        value,
        _METADATA if description is None else plugin_metadata(PLUGIN_NAME, b"", description),
        wall_time,
    )
