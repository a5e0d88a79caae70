"""tensorboardX / `torch.utils.tensorboard` `add_*` methods, mixed into `summary.SummaryWriter`.

Each method converts torch's arguments (tag, value, global_step, walltime, dataformats …) and
calls the op with this writer as its only target: tags are verbatim (no name scope), every call
records (no record_if), `global_step=None` is step 0, as in tensorboardX. docs/
migrating-from-tensorboardx.md lists where the result differs from tensorboardX and why.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from summary import ops
from summary.ops.histogram import DEFAULT_BUCKET_COUNT
from summary.ops.metadata import plugin_metadata
from summary.ops.scalar import scalar, write_scalar
from summary.ops.write import write
from summary.summary_writer import arguments as convert
from summary.writer.context import call_with_writer
from summary.writer.event_writer import EventWriter

DEFAULT_PR_THRESHOLDS = 127  # torch's and tensorboardX's default (TF's is 201)
_NULL_TENSOR = np.zeros((0,), dtype=np.float32)


class TensorBoardXMethods:
    """The methods torch and tensorboardX users call; needs an EventWriter to mix into."""

    logdir: str
    _options: tuple[Any, ...]  # max_queue, flush_millis, filename_suffix for sibling runs
    _run_writer: Callable[[str], EventWriter]  # the open writer of a sibling run

    def _log(self, walltime: float | None, op: Any, *args: Any) -> None:
        call_with_writer(self if walltime is None else _AtWallTime(self, walltime), op, *args)

    def add_scalar(
        self,
        tag: str,
        scalar_value: Any,
        global_step: int | None = None,
        walltime: float | None = None,
        *,
        new_style: bool = True,
        double_precision: bool = False,
        summary_description: str = "",
    ) -> None:
        """One number: a float32 scalar as TF 2.x writes it (torch's `new_style=True`)."""
        if double_precision:
            raise ValueError(
                f"summary.SummaryWriter.add_scalar({tag!r}): double_precision=True is not "
                "supported: scalars are float32 (TensorBoard's fast loader drops float64 scalars)"
            )
        step = 0 if global_step is None else global_step
        wall_time = None if walltime is None else _finite(walltime)
        write_scalar(self, tag, scalar_value, step, summary_description or None, wall_time)

    def add_scalars(
        self,
        main_tag: str,
        tag_scalar_dict: dict[str, Any],
        global_step: int | None = None,
        walltime: float | None = None,
    ) -> None:
        """One value per key, each in its own run `<log_dir>/<main_tag>_<key>` under `main_tag`."""
        wall_time = time.time() if walltime is None else _finite(walltime)
        step = 0 if global_step is None else global_step
        prefix = f"{self.logdir}/{main_tag.replace('/', '_')}_"
        for key, value in tag_scalar_dict.items():
            write_scalar(self._run_writer(prefix + key), main_tag, value, step, None, wall_time)

    def add_histogram(
        self,
        tag: str,
        values: Any,
        global_step: int | None = None,
        bins: Any = "tensorflow",
        walltime: float | None = None,
        max_bins: int | None = None,
    ) -> None:
        """A histogram; `bins="tensorflow"` means TF 2.x's equal-width buckets (30 by default).

        An int is a bucket count; any other NumPy `bins` rule ("auto", "fd", edges …) is applied
        with `numpy.histogram`. `max_bins` caps the bucket count.
        """
        step = 0 if global_step is None else global_step
        if isinstance(bins, str) and bins == "tensorflow":
            buckets = None if max_bins is None else min(DEFAULT_BUCKET_COUNT, max_bins)
            self._log(walltime, ops.histogram, tag, values, step, buckets)
        elif isinstance(bins, int) and not isinstance(bins, bool):
            buckets = bins if max_bins is None else min(bins, max_bins)
            self._log(walltime, ops.histogram, tag, values, step, buckets)
        else:
            rows = convert.histogram_rows(
                "SummaryWriter.add_histogram", tag, values, bins, max_bins
            )
            self._log(walltime, write, tag, rows, step, plugin_metadata("histograms"))

    def add_image(
        self,
        tag: str,
        img_tensor: Any,
        global_step: int | None = None,
        walltime: float | None = None,
        dataformats: str = "CHW",
    ) -> None:
        """One image (`CHW` by default); floats are scaled ×255 as torch does."""
        image = convert.image_batch("SummaryWriter.add_image", tag, img_tensor, dataformats)
        self._log(walltime, ops.image, tag, image, 0 if global_step is None else global_step, 1)

    def add_images(
        self,
        tag: str,
        img_tensor: Any,
        global_step: int | None = None,
        walltime: float | None = None,
        dataformats: str = "NCHW",
    ) -> None:
        """A batch of images (`NCHW` by default), tiled into one grid image as torch does."""
        image = convert.image_batch("SummaryWriter.add_images", tag, img_tensor, dataformats)
        self._log(walltime, ops.image, tag, image, 0 if global_step is None else global_step, 1)

    def add_figure(
        self,
        tag: str,
        figure: Any,
        global_step: int | None = None,
        close: bool = True,
        walltime: float | None = None,
    ) -> None:
        """A matplotlib figure (or a list of them, tiled) as an image; closes it unless told."""
        if isinstance(figure, (list, tuple)):
            images = np.stack([convert.figure_image(one, close) for one in figure])
            self.add_images(tag, images, global_step, walltime, dataformats="NHWC")
        else:
            image = convert.figure_image(figure, close)
            self.add_image(tag, image, global_step, walltime, dataformats="HWC")

    def add_text(
        self,
        tag: str,
        text_string: str,
        global_step: int | None = None,
        walltime: float | None = None,
    ) -> None:
        """Markdown text under `<tag>/text_summary`, the tag torch and tensorboardX write."""
        step = 0 if global_step is None else global_step
        self._log(walltime, ops.text, f"{tag}/text_summary", [text_string], step)

    def add_audio(
        self,
        tag: str,
        snd_tensor: Any,
        global_step: int | None = None,
        sample_rate: int = 44100,
        walltime: float | None = None,
    ) -> None:
        """One clip (`[t]`, `[1, t]` or `[t, channels]`, values in [-1, 1]) as 16-bit WAV."""
        clip = convert.audio_clip("SummaryWriter.add_audio", tag, snd_tensor)
        step = 0 if global_step is None else global_step
        self._log(walltime, ops.audio, tag, clip, sample_rate, step, 1)

    def add_pr_curve(
        self,
        tag: str,
        labels: Any,
        predictions: Any,
        global_step: int | None = None,
        num_thresholds: int = DEFAULT_PR_THRESHOLDS,
        weights: Any = None,
        walltime: float | None = None,
    ) -> None:
        """A precision-recall curve (predictions in [0, 1]); torch's default of 127 thresholds."""
        step = 0 if global_step is None else global_step
        self._log(walltime, ops.pr_curve, tag, labels, predictions, step, num_thresholds, weights)

    def add_hparams(
        self,
        hparam_dict: dict[str, Any],
        metric_dict: dict[str, Any],
        hparam_domain_discrete: dict[str, list[Any]] | None = None,
        run_name: str | None = None,
        global_step: int | None = None,
        *,
        name: str | None = None,
    ) -> None:
        """Hyperparameters and metrics in a sub-run `<log_dir>/<run_name or time>`, as torch.

        tensorboardX's spelling `add_hparams(hparam_dict, metric_dict, name)` works too.
        """
        from summary.ops.hparams import hparams_metadata

        if isinstance(hparam_domain_discrete, str):  # tensorboardX: the third argument is `name`
            hparam_domain_discrete, name = None, hparam_domain_discrete
        run_name = run_name or name
        summaries = hparams_metadata(hparam_dict, metric_dict, hparam_domain_discrete)
        step = 0 if global_step is None else global_step
        run = EventWriter(os.path.join(self.logdir, run_name or str(time.time())), *self._options)
        try:
            for tag, metadata in summaries:
                call_with_writer(run, write, tag, _NULL_TENSOR, step, metadata)
            for tag, value in metric_dict.items():
                call_with_writer(run, scalar, tag, value, step)
        finally:
            run.close()

    def add_graph(
        self,
        model: Any,
        input_to_model: Any = None,
        verbose: bool = False,
        use_strict_trace: bool = True,
    ) -> None:
        """A torch module's traced graph (`torch.jit.trace`) for the Graphs dashboard."""
        from summary.integrations.torch_graph import traced_graph_def

        graph_def = traced_graph_def(model, input_to_model, verbose, use_strict_trace)
        call_with_writer(self, ops.graph, graph_def)


class _AtWallTime:
    """Stands for a writer, stamping each value with the caller's wall time (torch's `walltime`)."""

    records = True

    def __init__(self, writer: Any, wall_time: Any) -> None:
        self._writer = writer
        self._wall_time = _finite(wall_time)

    def enqueue_scalar(self, tag: str, step: int, value: float, metadata: Any, _: float) -> None:
        self._writer.enqueue_scalar(tag, step, value, metadata, self._wall_time)

    def enqueue_tensor(
        self, tag: str, step: int, tensor: Any, metadata: Any, _: float, nbytes: int = 0
    ) -> None:
        self._writer.enqueue_tensor(tag, step, tensor, metadata, self._wall_time, nbytes)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._writer, name)


def _finite(walltime: Any) -> float:
    """torch's `walltime` as seconds; NaN or ±inf would make TensorBoard drop the file."""
    wall_time = float(walltime)
    if not math.isfinite(wall_time):
        raise ValueError(f"summary.SummaryWriter: walltime must be finite, got {walltime!r}")
    return wall_time
