"""Reading our files with TensorBoard's own loading code (the reader our users use)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

pytest.importorskip("tensorboard")

from tensorboard.backend.event_processing import plugin_event_accumulator as pea  # noqa: E402
from tensorboard.backend.event_processing import plugin_event_multiplexer as pem  # noqa: E402
from tensorboard.util import tensor_util  # noqa: E402

KEEP_ALL = {pea.TENSORS: 0, pea.GRAPH: 0, pea.META_GRAPH: 0, pea.RUN_METADATA: 0}


def accumulator(path: str) -> pea.EventAccumulator:
    """TensorBoard's per-run accumulator over a run directory, loaded, keeping every value."""
    acc = pea.EventAccumulator(str(path), size_guidance=KEEP_ALL)
    acc.Reload()
    return acc


def multiplexer(logdir: str) -> pem.EventMultiplexer:
    """TensorBoard's multi-run loader (what `tensorboard --load_fast=false` uses), loaded."""
    mux = pem.EventMultiplexer(size_guidance=KEEP_ALL)
    mux.AddRunsFromDirectory(str(logdir))
    mux.Reload()
    return mux


def values(acc: pea.EventAccumulator, tag: str) -> list[tuple[int, float, Any]]:
    """(step, wall_time, ndarray) for every value TensorBoard loaded under `tag`."""
    return [
        (e.step, e.wall_time, tensor_util.make_ndarray(e.tensor_proto)) for e in acc.Tensors(tag)
    ]


def plugin_of(acc: pea.EventAccumulator, tag: str) -> str:
    return acc.SummaryMetadata(tag).plugin_data.plugin_name


def scalar_series(acc: pea.EventAccumulator, tag: str) -> dict[int, float]:
    return {step: float(np.asarray(value)) for step, _, value in values(acc, tag)}
