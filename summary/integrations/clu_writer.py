"""The `clu.metric_writers.MetricWriter` that writes TensorBoard files without TensorFlow.

It writes what clu's TF-backed `SummaryWriter` writes for the same calls (tf.summary's scalar,
image, audio, text, histogram and generic tensors; hparams through the hparams plugin), plus
what that writer cannot: videos as animated GIFs on the Images dashboard. Import it through
`summary.integrations.clu`, which loads `clu.metric_writers` first (that package imports
TensorFlow unless `install()` stands in for its TF module).

Every `write_*` call checks all its keys before queueing the first: a refused call names the
method and the key and writes nothing.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from clu.internal.utils import flatten_dict
from clu.metric_writers import interface

from summary import ops
from summary.ops.inputs import to_float, to_numeric_array
from summary.ops.scalar import METADATA as SCALAR_METADATA
from summary.proto import summary_pb2
from summary.summary_writer import legacy
from summary.writer.context import as_int64_step, check_name
from summary.writer.entries import ScalarsEntry
from summary.writer.errors import WriterClosedError, closed_error, op_error
from summary.writer.event_writer import EventWriter
from summary.writer.target import StagedTarget, SummaryTarget

_JAX_ARRAY_TYPES: dict[type, bool] = {}  # whether a value's type is a concrete JAX array
VIDEO_FPS = 4  # clu's videos carry no frame rate; torch's add_video default
_SCALAR = "clu.SummaryWriter.write_scalars"


class SummaryWriter(interface.MetricWriter):
    """clu's `SummaryWriter(logdir)`: a MetricWriter writing one TensorBoard run, off-thread."""

    def __init__(self, logdir: str | os.PathLike[str]) -> None:
        super().__init__()
        self._writer = EventWriter(logdir)

    @property
    def logdir(self) -> str:
        """The run directory written to."""
        return self._writer.logdir

    def write_scalars(self, step: int, scalars: Mapping[str, Any]) -> None:
        """One float32 scalar per key (plugin "scalars"), as `tf.summary.scalar`.

        The call queues one entry for all its values, written as `ops.scalar` writes each. A
        JAX scalar is not read on the caller's thread: JAX arrays are immutable, so the writer
        thread reads it (that host read costs microseconds, and waits for the computation that
        makes it). One deleted before then (a donated buffer) is skipped and reported on the
        next call; the call's other values are written.
        """
        step = as_int64_step(_SCALAR, None, step)
        tags, values = [], []
        for key, value in scalars.items():
            if type(key) is not str or not key or not key.isascii():
                key = check_name(_SCALAR, key)
            if type(value) is not float and not _jax_scalar(value):
                value = to_float(_SCALAR, key, value)
            tags.append(key)
            values.append(value)
        if not tags:
            return
        entry = ScalarsEntry(
            tuple(tags), tuple(values), step, time.time(), SCALAR_METADATA, _host_float
        )
        try:
            self._writer.enqueue_scalars(entry)
        except WriterClosedError as error:
            raise closed_error(_SCALAR, tags[0], error) from None

    def write_summaries(
        self,
        step: int,
        values: Mapping[str, Any],
        metadata: Mapping[str, Any] | None = None,
    ) -> None:
        """Any tensor per key with its SummaryMetadata (a proto or bytes), as `tf.summary.write`."""

        def one(target: SummaryTarget, key: str, value: Any) -> None:
            md = None if metadata is None else metadata.get(key)
            ops.write.direct(target, "clu.SummaryWriter.write_summaries", key, value, step, md)

        self._all_or_none(values, one)

    def write_images(self, step: int, images: Mapping[str, Any]) -> None:
        """[N, H, W, C] or [H, W, C] images per key, every one of them kept (plugin "images")."""
        caller = "clu.SummaryWriter.write_images"

        def one(target: SummaryTarget, key: str, value: Any) -> None:
            array = to_numeric_array(caller, key, value)
            if array.ndim == 3:
                array = array[None]
            ops.image.direct(target, caller, key, array, step, _batch(array))

        self._all_or_none(images, one)

    def write_videos(self, step: int, videos: Mapping[str, Any]) -> None:
        """[N, T, H, W, C] or [T, H, W, C] videos as animated GIFs on the Images dashboard (the N
        clips tiled as torch's add_video tiles them); clu's TF writer only logs a warning."""
        caller = "clu.SummaryWriter.write_videos"
        wall_time = time.time()

        def one(target: SummaryTarget, key: str, value: Any) -> None:
            tag = check_name(caller, key)
            array = to_numeric_array(caller, tag, value, allow_bool=False)
            if array.ndim == 4:
                array = array[None]
            if array.ndim != 5:
                raise op_error(
                    caller, tag, f"expected [N, T, H, W, C] or [T, H, W, C], got {array.shape}"
                )
            frames = legacy.video_frames(caller, tag, array.transpose(0, 1, 4, 2, 3))
            legacy.enqueue_legacy(target, caller, tag, step, wall_time, _gif(frames), frames.nbytes)

        self._all_or_none(videos, one)

    def write_audios(self, step: int, audios: Mapping[str, Any], *, sample_rate: int) -> None:
        """[N, T, C] clips in [-1, 1] per key, every one kept, as WAV (plugin "audio")."""
        caller = "clu.SummaryWriter.write_audios"

        def one(target: SummaryTarget, key: str, value: Any) -> None:
            array = to_numeric_array(caller, key, value)
            ops.audio.direct(target, caller, key, array, sample_rate, step, _batch(array))

        self._all_or_none(audios, one)

    def write_texts(self, step: int, texts: Mapping[str, str]) -> None:
        """Markdown text per key (plugin "text"), as `tf.summary.text`."""
        caller = "clu.SummaryWriter.write_texts"
        self._all_or_none(texts, lambda to, key, text: ops.text.direct(to, caller, key, text, step))

    def write_histograms(
        self,
        step: int,
        arrays: Mapping[str, Any],
        num_buckets: Mapping[str, int] | None = None,
    ) -> None:
        """A histogram per key, `num_buckets[key]` buckets (TF's 30 when absent)."""
        caller = "clu.SummaryWriter.write_histograms"

        def one(target: SummaryTarget, key: str, value: Any) -> None:
            buckets = None if num_buckets is None else num_buckets.get(key)
            ops.histogram.direct(target, caller, key, value, step, buckets)

        self._all_or_none(arrays, one)

    def write_pointcloud(
        self,
        step: int,
        point_clouds: Mapping[str, Any],
        *,
        point_colors: Mapping[str, Any] | None = None,
        configs: Mapping[str, Any] | None = None,
    ) -> None:
        """[B, N, 3] points per key, optional [B, N, 3] colors, as meshes (plugin "mesh"), as
        clu's TF writer does in the versions that declare this method."""
        caller = "clu.SummaryWriter.write_pointcloud"

        def one(target: SummaryTarget, key: str, vertices: Any) -> None:
            colors = None if point_colors is None else point_colors.get(key)
            config = None if configs is None else configs.get(key)
            ops.mesh.direct(target, caller, key, vertices, None, colors, config, step, None)

        self._all_or_none(point_clouds, one)

    def write_hparams(self, hparams: Mapping[str, Any]) -> None:
        """The hparams, nested mappings and lists flattened with dots as clu flattens them, as one
        trial (plugin "hparams", `_hparams_/session_start_info`)."""
        flat = dict(flatten_dict(hparams))
        ops.hparams.direct(self._writer, "clu.SummaryWriter.write_hparams", flat)

    def _all_or_none(
        self, values: Mapping[str, Any], one: Callable[[SummaryTarget, str, Any], None]
    ) -> None:
        """`one(target, key, value)` for every item, queued only once every key is accepted."""
        staged = StagedTarget(self._writer)
        for key, value in values.items():
            one(staged, key, value)
        staged.release()

    def flush(self) -> None:
        """Return once everything written so far is handed to the OS."""
        self._writer.flush()

    def close(self) -> None:
        """Flush and close the run; idempotent."""
        self._writer.close()


def _jax_scalar(value: Any) -> bool:
    """A real JAX scalar (a concrete `jax.Array`, never a tracer), told without reading it: its
    `aval` (shape and dtype in one object) costs half of reading `.shape` and `.dtype`."""
    kind = type(value)
    known = _JAX_ARRAY_TYPES.get(kind)
    if known is None:
        jax = sys.modules.get("jax")  # loaded if `value` is a JAX array; never imported here
        known = jax is not None and issubclass(kind, jax.Array) and hasattr(kind, "aval")
        _JAX_ARRAY_TYPES[kind] = known
    if not known:
        return False
    aval = value.aval
    return aval.shape == () and aval.dtype.kind in "fiub"


def _host_float(value: Any) -> float:
    """A JAX scalar's float32 value, read from the device (on the writer thread)."""
    return float(np.asarray(value, dtype=np.float32))


def _gif(frames: np.ndarray) -> Callable[[], summary_pb2.Summary.Value]:
    """The video's GIF value, built on the writer thread."""
    return lambda: legacy.video_value(frames, VIDEO_FPS)


def _batch(array: np.ndarray) -> int:
    """How many images or clips a batch holds: all of them are written, as clu asks TF to."""
    return int(array.shape[0]) if array.ndim else 0
