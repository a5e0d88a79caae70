"""What TF's ops write for given inputs, restated from docs/data/*.md (the documented TF 2.x
encodings), for checking our clu and flax writers where TensorFlow is not installed."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import numpy as np


def pixels(image: Any) -> list[Any]:
    """[mode, rows] of one decoded PNG as TF writes an [h, w, c] image (docs/data/image.md:
    uint8 unchanged; floats `x * 255.5` in their own precision, clamped, truncated)."""
    array = np.asarray(image)
    if array.dtype != np.uint8:
        scaled = array * array.dtype.type(255.5)
        array = np.clip(scaled, 0, 255).astype(np.uint8)
    mode = {1: "L", 2: "LA", 3: "RGB", 4: "RGBA"}[array.shape[-1]]
    return [mode, (array[..., 0] if array.shape[-1] == 1 else array).tolist()]


def wav(clip: Any, sample_rate: int) -> list[Any]:
    """[rate, channels, sample width, samples] of one [t, c] clip as TF writes it
    (docs/data/audio.md: round(x * 32768) halves away from zero, saturating)."""
    scaled = np.asarray(clip, dtype=np.float32).astype(np.float64) * 32768
    rounded = np.sign(scaled) * np.floor(np.abs(scaled) + 0.5)
    samples = np.clip(rounded, -32768, 32767).astype(np.int16)
    return [sample_rate, samples.shape[1], 2, samples.reshape(-1).tolist()]


def check_histogram(series: list[Any], step: int, data: Any, buckets: int) -> None:
    """One histogram value as docs/data/histogram.md describes it: float64 [k, 3] rows of
    (left, right, count) from the data's min to its max, value x in bucket
    min(floor((x - min) / width), k - 1)."""
    ((got_step, dtype, shape, rows),) = series
    values = np.asarray(data, dtype=np.float64).reshape(-1)
    assert (got_step, dtype, shape) == (step, "float64", (buckets, 3))
    rows = np.asarray(rows)
    assert rows[0, 0] == values.min() and rows[-1, 1] == values.max()
    low, width = values.min(), (values.max() - values.min()) / buckets
    index = np.minimum(np.floor((values - low) / width).astype(int), buckets - 1)
    assert rows[:, 2].tolist() == np.bincount(index, minlength=buckets).tolist()


def check_hparams(seen: dict[str, Any], flat: dict[str, Any]) -> None:
    """One trial as docs/data/hparams.md describes it: `_hparams_/session_start_info` holding
    the hparams, grouped by the SHA-256 of their compact sorted JSON (no trial id given)."""
    plugin, content, _ = seen["_hparams_/session_start_info"]
    assert plugin == "hparams"
    assert content["sessionStartInfo"]["hparams"] == flat
    compact = json.dumps(flat, sort_keys=True, separators=(",", ":"))
    assert content["sessionStartInfo"]["groupName"] == hashlib.sha256(compact.encode()).hexdigest()
