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
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from summary import ops
from summary.ops.custom_scalars import one_chart
from summary.ops.declare import SummaryOp
from summary.ops.histogram import DEFAULT_BUCKET_COUNT
from summary.ops.inputs import to_float, to_int
from summary.ops.metadata import plugin_metadata
from summary.ops.pr_curve import check_num_thresholds
from summary.ops.pr_curve import plugin_content as pr_plugin_content
from summary.summary_writer import arguments as convert
from summary.summary_writer import legacy
from summary.writer.context import as_int64_step, check_name
from summary.writer.errors import op_error, op_type_error, retagged
from summary.writer.event_writer import EventWriter
from summary.writer.naming import relative_path
from summary.writer.target import PinnedWallTime, SummaryTarget

DEFAULT_PR_THRESHOLDS = 127  # torch's and tensorboardX's default (TF's is 201)
_NULL_TENSOR = np.zeros((0,), dtype=np.float32)
_TENSOR_METADATA = plugin_metadata("tensor")  # what torch's add_tensor writes


if TYPE_CHECKING:  # the type checker sees the EventWriter this mixes into (SummaryWriter's)
    _MixedInto = EventWriter
else:
    _MixedInto = object


class TensorBoardXMethods(_MixedInto):
    """The methods torch and tensorboardX users call; needs an EventWriter to mix into."""

    _run_writer: Callable[[str], SummaryTarget]  # the open writer of a sibling run
    _new_run: Callable[[str], EventWriter]  # a new writer for another run
    _scalars_for_json: dict[str, list[list[float]]]  # add_scalars' values, as tensorboardX

    def _log(self, caller: str, walltime: Any, op: SummaryOp, tag: Any, *args: Any) -> None:
        """Run `op` on this writer (stamped with `walltime` if given); errors name `caller`."""
        target: SummaryTarget = self
        if walltime is not None:
            target = PinnedWallTime(self, _finite(caller, tag, walltime))
        op.direct(target, caller, tag, *args)

    def add_scalar(
        self,
        tag: str,
        scalar_value: Any,
        global_step: int | None = None,
        walltime: float | None = None,
        new_style: bool = False,
        double_precision: bool = False,
        *,
        summary_description: str = "",
    ) -> None:
        """One number: a float32 scalar as TF 2.x writes it (torch's `new_style=True`).

        `new_style` is accepted for torch's signature; either way the TF 2.x form is written
        (both TensorBoard loaders show it as torch's legacy `simple_value`)."""
        if double_precision is not False:
            _refuse_double_precision(tag, double_precision)
        if type(scalar_value) is not float:
            scalar_value = convert.one_element("SummaryWriter.add_scalar", tag, scalar_value)
        step = 0 if global_step is None else global_step  # _step(), inline on the hot path
        description: str | None = summary_description
        if type(description) is str and not description:  # torch's default "" is no description
            description = None
        if walltime is None:
            ops.scalar.direct(
                self, "SummaryWriter.add_scalar", tag, scalar_value, step, description
            )
        else:
            self._log(
                "SummaryWriter.add_scalar",
                walltime,
                ops.scalar,
                tag,
                scalar_value,
                step,
                description,
            )

    def add_scalars(
        self,
        main_tag: str,
        tag_scalar_dict: dict[str, Any],
        global_step: int | None = None,
        walltime: float | None = None,
    ) -> None:
        """One value per key, each in its own run `<log_dir>/<main_tag>_<key>` under `main_tag`.

        The whole call is checked before anything is written: a bad value creates no run.
        """
        caller = "SummaryWriter.add_scalars"
        main_tag = check_name(caller, main_tag)
        if not isinstance(tag_scalar_dict, Mapping):
            raise op_type_error(
                caller,
                main_tag,
                f"tag_scalar_dict must be a dict of run name to number, got "
                f"{type(tag_scalar_dict).__name__}",
            )
        wall_time = time.time() if walltime is None else _finite(caller, main_tag, walltime)
        step = as_int64_step(caller, main_tag, _step(global_step))
        values = {}
        for key, value in tag_scalar_dict.items():
            try:
                run = check_name(caller, key)
            except (TypeError, ValueError) as error:
                raise retagged(error, main_tag, f"run key {key!r}") from None
            values[run] = to_float(caller, f"{main_tag} ({run})", value)
        prefix = f"{main_tag.replace('/', '_')}_"
        for run, value in values.items():
            run_dir = f"{self.logdir}/{relative_path(prefix + run)}"
            writer = PinnedWallTime(self._run_writer(run_dir), wall_time)
            ops.scalar.direct(writer, caller, main_tag, value, step, None)
            self._scalars_for_json.setdefault(run_dir, []).append([wall_time, step, value])

    def export_scalars_to_json(self, path: str | os.PathLike[str]) -> None:
        """tensorboardX's: write what `add_scalars` logged since the last export to `path`, as
        JSON `{"<run directory>": [[walltime, step, value], ...]}`, then forget it."""
        import json

        with open(path, "w", encoding="utf-8") as file:
            json.dump(self._scalars_for_json, file)
        self._scalars_for_json = {}

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
        caller = "SummaryWriter.add_histogram"
        step = _step(global_step)
        max_bins = _max_bins(caller, tag, max_bins)
        if isinstance(bins, str) and bins == "tensorflow":
            buckets = None if max_bins is None else min(DEFAULT_BUCKET_COUNT, max_bins)
            self._log(caller, walltime, ops.histogram, tag, values, step, buckets)
        elif isinstance(bins, int) and not isinstance(bins, bool):
            buckets = bins if max_bins is None else min(bins, max_bins)
            self._log(caller, walltime, ops.histogram, tag, values, step, buckets)
        else:
            rows = convert.histogram_rows(caller, tag, values, bins, max_bins)
            self._log(caller, walltime, ops.write, tag, rows, step, plugin_metadata("histograms"))

    def add_image(
        self,
        tag: str,
        img_tensor: Any,
        global_step: int | None = None,
        walltime: float | None = None,
        dataformats: str = "CHW",
    ) -> None:
        """One image (`CHW` by default); floats are scaled ×255 as torch does."""
        self._add_image(
            "SummaryWriter.add_image", tag, img_tensor, global_step, walltime, dataformats
        )

    def add_images(
        self,
        tag: str,
        img_tensor: Any,
        global_step: int | None = None,
        walltime: float | None = None,
        dataformats: str = "NCHW",
    ) -> None:
        """A batch of images (`NCHW` by default), tiled into one grid image as torch does."""
        self._add_image(
            "SummaryWriter.add_images", tag, img_tensor, global_step, walltime, dataformats
        )

    def _add_image(
        self, caller: str, tag: str, img_tensor: Any, global_step: Any, walltime: Any, formats: str
    ) -> None:
        image = convert.image_batch(caller, tag, img_tensor, formats)
        self._log(caller, walltime, ops.image, tag, image, _step(global_step), 1)

    def add_figure(
        self,
        tag: str,
        figure: Any,
        global_step: int | None = None,
        close: bool = True,
        walltime: float | None = None,
    ) -> None:
        """A matplotlib figure (or a list of them, tiled) as an image; closes it unless told."""
        caller = "SummaryWriter.add_figure"
        tag = check_name(caller, tag)
        if isinstance(figure, (list, tuple)):
            if not figure:
                raise op_error(caller, tag, "the list of figures is empty")
            images = np.stack([convert.figure_image(caller, tag, one, close) for one in figure])
            self._add_image(caller, tag, images, global_step, walltime, "NHWC")
        else:
            image = convert.figure_image(caller, tag, figure, close)
            self._add_image(caller, tag, image, global_step, walltime, "HWC")

    def add_text(
        self,
        tag: str,
        text_string: str,
        global_step: int | None = None,
        walltime: float | None = None,
    ) -> None:
        """Markdown text under `<tag>/text_summary`, the tag torch and tensorboardX write."""
        caller = "SummaryWriter.add_text"
        tag = check_name(caller, tag)
        self._log(
            caller, walltime, ops.text, f"{tag}/text_summary", [text_string], _step(global_step)
        )

    def add_embedding(
        self,
        mat: Any,
        metadata: Any = None,
        label_img: Any = None,
        global_step: int | None = None,
        tag: str = "default",
        metadata_header: Any = None,
    ) -> None:
        """An [N, D] matrix for the Projector (labels, [N, C, H, W] sprite images), written as
        torch writes it under `<step:05d>/<tag>/`; docs/data/embedding.md has the layout."""
        self._log(
            "SummaryWriter.add_embedding",
            None,
            ops.embedding,
            tag,
            mat,
            metadata,
            metadata_header,
            label_img,
            _step(global_step),
        )

    def add_audio(
        self,
        tag: str,
        snd_tensor: Any,
        global_step: int | None = None,
        sample_rate: int = 44100,
        walltime: float | None = None,
    ) -> None:
        """One clip (`[t]`, `[1, t]` or `[t, channels]`, values in [-1, 1]) as 16-bit WAV."""
        caller = "SummaryWriter.add_audio"
        clip = convert.audio_clip(caller, tag, snd_tensor)
        self._log(caller, walltime, ops.audio, tag, clip, sample_rate, _step(global_step), 1)

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
        self._log(
            "SummaryWriter.add_pr_curve",
            walltime,
            ops.pr_curve,
            tag,
            labels,
            predictions,
            _step(global_step),
            num_thresholds,
            weights,
        )

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
        caller = "SummaryWriter.add_hparams"
        run_name = run_name or name
        summaries = hparams_metadata(hparam_dict, metric_dict, hparam_domain_discrete)
        step = as_int64_step(caller, "_hparams_/experiment", _step(global_step))
        metrics = {
            check_name(caller, tag): to_float(caller, tag, value)
            for tag, value in metric_dict.items()
        }
        run = self._new_run(
            os.path.join(
                self.logdir, relative_path(os.fspath(run_name) if run_name else str(time.time()))
            )
        )
        try:
            for tag, metadata in summaries:
                ops.write.direct(run, caller, tag, _NULL_TENSOR, step, metadata)
            for tag, value in metrics.items():
                ops.scalar.direct(run, caller, tag, value, step, None)
        finally:
            run.close()

    def add_video(
        self,
        tag: str,
        vid_tensor: Any,
        global_step: int | None = None,
        fps: int | float = 4,
        walltime: float | None = None,
    ) -> None:
        """A `[N, T, C, H, W]` video (N clips tiled) as an animated GIF on the Images dashboard.

        As torch, without moviepy: Pillow encodes the GIF, on the writer thread.
        """
        caller = "SummaryWriter.add_video"
        tag = check_name(caller, tag)
        frames = legacy.video_frames(caller, tag, vid_tensor)
        rate = legacy.check_fps(caller, tag, fps)
        wall_time = self._wall_time(caller, tag, walltime)
        legacy.enqueue_legacy(
            self,
            caller,
            tag,
            _step(global_step),
            wall_time,
            lambda: legacy.video_value(frames, rate),
            frames.nbytes,
        )

    def add_image_with_boxes(
        self,
        tag: str,
        img_tensor: Any,
        box_tensor: Any,
        global_step: int | None = None,
        walltime: float | None = None,
        rescale: int | float = 1,
        dataformats: str = "CHW",
        labels: list[str] | None = None,
    ) -> None:
        """One image with boxes `[N, 4]` (xmin, ymin, xmax, ymax) and optional labels drawn on
        it in red, as torch draws them (Pillow, on the writer thread)."""
        caller = "SummaryWriter.add_image_with_boxes"
        tag = check_name(caller, tag)
        if len(str(dataformats)) == 4:
            raise op_error(caller, tag, f"expected one image (CHW, HWC or HW), got {dataformats!r}")
        image = convert.image_batch(caller, tag, img_tensor, dataformats)[0]
        boxes = legacy.check_boxes(caller, tag, box_tensor)
        names = legacy.check_labels(caller, tag, labels, len(boxes))
        scale = legacy.check_rescale(caller, tag, rescale, *image.shape[:2])
        wall_time = self._wall_time(caller, tag, walltime)
        legacy.enqueue_legacy(
            self,
            caller,
            tag,
            _step(global_step),
            wall_time,
            lambda: legacy.boxes_value(image, boxes, names, scale),
            image.nbytes,
        )

    def add_histogram_raw(
        self,
        tag: str,
        min: float,
        max: float,
        num: int,
        sum: float,
        sum_squares: float,
        bucket_limits: Any,
        bucket_counts: Any,
        global_step: int | None = None,
        walltime: float | None = None,
    ) -> None:
        """A histogram from its statistics and buckets, as torch writes it (a legacy
        HistogramProto: bucket i holds values up to `bucket_limits[i]`)."""
        caller = "SummaryWriter.add_histogram_raw"
        tag = check_name(caller, tag)
        stats = {"min": min, "max": max, "num": num, "sum": sum, "sum_squares": sum_squares}
        value = legacy.raw_histogram(caller, tag, stats, bucket_limits, bucket_counts)
        wall_time = self._wall_time(caller, tag, walltime)
        legacy.enqueue_legacy(self, caller, tag, _step(global_step), wall_time, value, 0)

    def add_pr_curve_raw(
        self,
        tag: str,
        true_positive_counts: Any,
        false_positive_counts: Any,
        true_negative_counts: Any,
        false_negative_counts: Any,
        precision: Any,
        recall: Any,
        global_step: int | None = None,
        num_thresholds: int = DEFAULT_PR_THRESHOLDS,
        weights: Any = None,
        walltime: float | None = None,
    ) -> None:
        """A precision-recall curve from its counts: the pr_curves tensor [6, n] (TP, FP, TN, FN,
        precision, recall), n thresholds evenly spaced in [0, 1]. `weights` is unused, as in
        torch (the counts are already weighted)."""
        caller = "SummaryWriter.add_pr_curve_raw"
        tag = check_name(caller, tag)
        rows = [
            true_positive_counts,
            false_positive_counts,
            true_negative_counts,
            false_negative_counts,
            precision,
            recall,
        ]
        data = convert.pr_rows(caller, tag, rows)
        count = check_num_thresholds(caller, tag, num_thresholds)
        metadata = plugin_metadata("pr_curves", pr_plugin_content(count))
        self._log(caller, walltime, ops.write, tag, data, _step(global_step), metadata)

    def add_tensor(
        self,
        tag: str,
        tensor: Any,
        global_step: int | None = None,
        walltime: float | None = None,
    ) -> None:
        """Any tensor, for TensorBoard's tensor readers (plugin "tensor", as torch). Stored in
        `tensor_content` with its own dtype, which TensorBoard decodes; bfloat16 (which NumPy
        lacks) is widened to float32."""
        caller = "SummaryWriter.add_tensor"
        tag = check_name(caller, tag)
        data = convert.plain_tensor(caller, tag, tensor)
        self._log(caller, walltime, ops.write, tag, data, _step(global_step), _TENSOR_METADATA)

    def _wall_time(self, caller: str, tag: str, walltime: Any) -> float:
        return time.time() if walltime is None else _finite(caller, tag, walltime)

    def add_custom_scalars(self, layout: Any) -> None:
        """The Custom Scalars layout: torch's `{category: {title: ["Multiline" | "Margin",
        tags]}}` dict or a `custom_scalar_pb2.Layout`; one per run (the last one wins)."""
        ops.custom_scalars.direct(self, "SummaryWriter.add_custom_scalars", layout)

    def add_custom_scalars_multilinechart(
        self, tags: list[str], category: str = "default", title: str = "untitled"
    ) -> None:
        """A layout of one multiline chart of `tags` (regexes), as torch."""
        caller = "SummaryWriter.add_custom_scalars_multilinechart"
        layout = one_chart(caller, "Multiline", tags, category, title)
        ops.custom_scalars.direct(self, caller, layout)

    def add_custom_scalars_marginchart(
        self, tags: list[str], category: str = "default", title: str = "untitled"
    ) -> None:
        """A layout of one margin chart: `tags` is [value, lower, upper], as torch."""
        caller = "SummaryWriter.add_custom_scalars_marginchart"
        layout = one_chart(caller, "Margin", tags, category, title)
        ops.custom_scalars.direct(self, caller, layout)

    def add_mesh(
        self,
        tag: str,
        vertices: Any,
        colors: Any = None,
        faces: Any = None,
        config_dict: dict[str, Any] | None = None,
        global_step: int | None = None,
        walltime: float | None = None,
    ) -> None:
        """Meshes or point clouds ([B, N, 3] vertices, optional colors and faces), as torch."""
        self._log(
            "SummaryWriter.add_mesh",
            walltime,
            ops.mesh,
            tag,
            vertices,
            faces,
            colors,
            config_dict,
            _step(global_step),
            None,
        )

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
        ops.graph.direct(self, "SummaryWriter.add_graph", graph_def)

    def add_onnx_graph(self, prototxt: Any) -> None:
        """An ONNX model (a path to an .onnx file, its bytes or an onnx.ModelProto) on the
        Graphs dashboard, as torch draws it; needs the `onnx` extra."""
        from summary.integrations.onnx_graph import onnx_graph_def

        caller = "SummaryWriter.add_onnx_graph"
        ops.graph.direct(self, caller, onnx_graph_def(caller, prototxt))


def _refuse_double_precision(tag: Any, double_precision: Any) -> None:
    """torch's `double_precision=True` (a float64 scalar) is refused; so is a non-bool."""
    if not isinstance(double_precision, (bool, np.bool_)):
        raise op_type_error(
            "SummaryWriter.add_scalar",
            tag,
            f"double_precision must be a bool, got {type(double_precision).__name__}",
        )
    if double_precision:
        raise op_error(
            "SummaryWriter.add_scalar",
            tag,
            "double_precision=True is not supported: scalars are float32 "
            "(TensorBoard's fast loader drops float64 scalars)",
        )


def _max_bins(caller: str, tag: Any, max_bins: Any) -> int | None:
    """torch's `max_bins`: None, or a bucket count of at least 1."""
    if max_bins is None:
        return None
    count = to_int(caller, tag, "max_bins", max_bins)
    if count < 1:
        raise op_error(caller, tag, f"max_bins must be >= 1, got {count}")
    return count


def _step(global_step: Any) -> Any:
    """torch's and tensorboardX's rule: no `global_step` is step 0."""
    return 0 if global_step is None else global_step


def _finite(caller: str, tag: Any, walltime: Any) -> float:
    """torch's `walltime` as seconds; NaN or ±inf would make TensorBoard drop the file."""
    if isinstance(walltime, (bool, str, bytes)):
        raise op_type_error(caller, tag, f"walltime must be a number of seconds, got {walltime!r}")
    try:
        wall_time = float(walltime)
    except (TypeError, ValueError):
        raise op_type_error(
            caller, tag, f"walltime must be a number of seconds, got {walltime!r}"
        ) from None
    if not math.isfinite(wall_time):
        raise op_error(caller, tag, f"walltime must be finite, got {walltime!r}")
    return wall_time
