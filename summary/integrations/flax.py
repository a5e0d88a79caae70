"""`flax.metrics.tensorboard.SummaryWriter` without TensorFlow: same methods, same arguments.

    from summary.integrations.flax import SummaryWriter  # was: flax.metrics.tensorboard

flax's writer calls `tf.summary` for every method; this one writes the same tags, plugins and
values through `summary` (flax itself is not imported). As flax: images may be [H, W],
[H, W, 1|3] or [K, H, W(, 1|3)] and grayscale is written as RGB; audio is clipped to [-1, 1];
histogram values are flattened; nested hparams are flattened with dots and values of other
types than bool, number or string are written as their `str()`; with `auto_flush` (the default)
every call returns once its value is handed to the OS.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import numpy as np

from summary import ops
from summary.ops.inputs import to_numeric_array
from summary.summary_writer.arguments import one_element
from summary.writer.errors import op_error
from summary.writer.event_writer import EventWriter

_HPARAM_TYPES = (bool, int, float, str, np.bool_, np.integer, np.floating, np.character)


class SummaryWriter:
    """flax's writer: scalars, images, audio, histograms, text, tensors and hparams, one run."""

    def __init__(self, log_dir: str | os.PathLike[str], auto_flush: bool = True) -> None:
        self._writer = EventWriter(log_dir)
        self._auto_flush = auto_flush

    def close(self) -> None:
        """Flush and close the run; idempotent."""
        self._writer.close()

    def flush(self) -> None:
        """Return once everything written so far is handed to the OS."""
        self._writer.flush()

    def scalar(self, tag: str, value: Any, step: int) -> None:
        """One number (any one-element array) as a float32 scalar."""
        value = one_element("flax.SummaryWriter.scalar", tag, value)
        ops.scalar.direct(self._writer, "flax.SummaryWriter.scalar", tag, value, step)
        self._flushed()

    def image(self, tag: str, image: Any, step: int, max_outputs: int = 3) -> None:
        """[H, W], [H, W, 1|3], [K, H, W] or [K, H, W, 1|3] images, uint8 or floats in [0, 1];
        a 3-D array is [H, W, C] when its last axis is 1 or 3, else [K, H, W]."""
        caller = "flax.SummaryWriter.image"
        array = to_numeric_array(caller, tag, image)
        if array.ndim == 2:
            array = array[None, :, :, None]
        elif array.ndim == 3:
            array = array[None] if array.shape[-1] in (1, 3) else array[..., None]
        if array.ndim == 4 and array.shape[-1] == 1:
            array = np.repeat(array, 3, axis=-1)
        ops.image.direct(self._writer, caller, tag, array, step, max_outputs)
        self._flushed()

    def audio(
        self, tag: str, audiodata: Any, step: int, sample_rate: int = 44100, max_outputs: int = 3
    ) -> None:
        """[K, T, C] clips, clipped to [-1, 1], as WAV."""
        ops.audio.direct(
            self._writer,
            "flax.SummaryWriter.audio",
            tag,
            audiodata,
            sample_rate,
            step,
            max_outputs,
            "wav",
        )
        self._flushed()

    def histogram(self, tag: str, values: Any, step: int, bins: int | None = None) -> None:
        """The distribution of every element of `values` (flattened), `bins` buckets (TF's 30)."""
        caller = "flax.SummaryWriter.histogram"
        array = to_numeric_array(caller, tag, values).reshape(-1)
        ops.histogram.direct(self._writer, caller, tag, array, step, bins)
        self._flushed()

    def text(self, tag: str, textdata: str | bytes, step: int) -> None:
        """One Markdown string; anything else is refused, as flax refuses it."""
        caller = "flax.SummaryWriter.text"
        if not isinstance(textdata, (str, bytes)):
            raise op_error(
                caller, tag, f"textdata must be a str or bytes, got {type(textdata).__name__}"
            )
        ops.text.direct(self._writer, caller, tag, textdata, step)
        self._flushed()

    def write(self, tag: str, tensor: Any, step: int, metadata: Any = None) -> None:
        """Any tensor with its SummaryMetadata (a proto or its bytes), as `tf.summary.write`."""
        ops.write.direct(self._writer, "flax.SummaryWriter.write", tag, tensor, step, metadata)
        self._flushed()

    def hparams(self, hparams: Mapping[str, Any]) -> None:
        """One trial's hyperparameters (plugin "hparams"), flattened as flax flattens them."""
        ops.hparams.direct(self._writer, "flax.SummaryWriter.hparams", flat_hparams(hparams))
        self._flushed()

    def _flushed(self) -> None:
        if self._auto_flush:
            self._writer.flush()


def flat_hparams(hparams: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """flax's flattening: nested dicts joined with ".", unsupported values as `str(value)`."""
    flat: dict[str, Any] = {}
    for key, value in hparams.items():
        name = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            flat.update(flat_hparams(value, name))
        else:
            flat[name] = value if isinstance(value, _HPARAM_TYPES) else str(value)
    return flat
