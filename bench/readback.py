"""Did every library write every value? Each run's logdir is read back with TensorBoard's own
loader (`plugin_event_accumulator`, which also migrates the peers' legacy summaries to tensors)
and checked against the data the workload logged. A benchmark that loses data is not a win.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
from writing import (
    IMAGE_SHAPE,
    VIDEO_SHAPE,
    embedding_matrix,
    scalar_step,
    scalar_tag,
    scalar_value,
    text_value,
)


def _load(logdir: str) -> Any:
    from tensorboard.backend.event_processing import plugin_event_accumulator as pea

    acc = pea.EventAccumulator(logdir, size_guidance={pea.TENSORS: 0})
    acc.Reload()
    return acc


def _series(acc: Any, tag: str) -> list[tuple[int, np.ndarray]]:
    from tensorboard.util import tensor_util

    if tag not in acc.Tags()["tensors"]:
        return []
    return [(e.step, tensor_util.make_ndarray(e.tensor_proto)) for e in acc.Tensors(tag)]


def _count(problems: list[str], tag: str, series: list, expected: int) -> bool:
    if len(series) != expected:
        problems.append(f"{tag}: {len(series)} of {expected} values")
        return False
    return True


def check_scalars(logdir: str, count: int, tags: int = 10, warmup: bool = True) -> list[str]:
    acc, problems = _load(logdir), []
    if warmup:
        _count(problems, "warmup", _series(acc, "warmup"), 1)
    for t in range(tags):
        tag = scalar_tag(t, tags)
        indices = range(t, count, tags)
        series = _series(acc, tag)
        if not _count(problems, tag, series, len(indices)):
            continue
        got = {step: float(value) for step, value in series}
        bad = sum(
            got.get(scalar_step(i, tags)) != float(np.float32(scalar_value(i))) for i in indices
        )
        if bad:
            problems.append(f"{tag}: {bad} values differ from what was logged")
    return problems


def check_histograms(logdir: str, size: int, calls: int) -> list[str]:
    acc, problems = _load(logdir), []
    series = _series(acc, "weights")
    if _count(problems, "weights", series, calls):
        counts = {int(round(float(value[:, 2].sum()))) for _, value in series}
        if counts != {size}:
            problems.append(f"weights: bucket counts sum to {sorted(counts)}, expected {size}")
    return problems


def check_images(logdir: str, calls: int) -> list[str]:
    from PIL import Image

    acc, problems = _load(logdir), []
    series = _series(acc, "samples")
    k, h, w, _ = IMAGE_SHAPE
    if _count(problems, "samples", series, calls):
        for step, value in series:
            area = sum(np.prod(Image.open(io.BytesIO(png)).size) for png in value.reshape(-1)[2:])
            if area < k * h * w:
                problems.append(f"samples step {step}: {area} pixels decoded, {k * h * w} logged")
    return problems


def check_video(logdir: str, calls: int) -> list[str]:
    """Every `add_video` value is a GIF of the clip's 16 frames."""
    from PIL import Image

    acc, problems = _load(logdir), []
    series = _series(acc, "clip")
    if _count(problems, "clip", series, calls):
        for step, value in series:
            frames = Image.open(io.BytesIO(value[2])).n_frames
            if frames != VIDEO_SHAPE[1]:
                problems.append(f"clip step {step}: {frames} frames, {VIDEO_SHAPE[1]} logged")
    return problems


def check_text(logdir: str, calls: int) -> list[str]:
    """tensorboardX and torch store `add_text("notes", …)` under "notes/text_summary"."""
    acc, problems = _load(logdir), []
    tags = [t for t in acc.Tags()["tensors"] if t == "notes" or t.startswith("notes/")]
    series = _series(acc, tags[0] if tags else "notes")
    if _count(problems, "notes", series, calls):
        bad = sum(value.reshape(-1)[0].decode() != text_value(step) for step, value in series)
        if bad:
            problems.append(f"notes: {bad} strings differ from what was logged")
    return problems


def check_pr_curves(logdir: str, size: int, calls: int, thresholds: int) -> list[str]:
    acc, problems = _load(logdir), []
    series = _series(acc, "pr")
    if _count(problems, "pr", series, calls):
        for step, value in series:
            if value.shape != (6, thresholds):
                problems.append(f"pr step {step}: shape {value.shape}")
            elif round(float(value[0, 0] + value[1, 0])) != size:
                problems.append(
                    f"pr step {step}: TP+FP at threshold 0 is {value[0, 0] + value[1, 0]}"
                )
    return problems


def check_embeddings(logdir: str, rows: int, dim: int, calls: int) -> list[str]:
    """Every call's tensors.tsv holds the matrix (as float32) where torch puts it."""
    import os

    expected, problems = embedding_matrix(rows, dim), []
    for step in range(1, calls + 1):
        path = os.path.join(logdir, f"{step:05d}", "vectors", "tensors.tsv")
        if not os.path.exists(path):
            problems.append(f"no {path}")
            continue
        read = np.loadtxt(path, delimiter="\t", dtype=np.float32, ndmin=2)
        if not np.array_equal(read, expected):
            problems.append(f"{path}: the values differ from the matrix logged")
    return problems
