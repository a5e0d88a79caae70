"""Embeddings for TensorBoard's Projector: TSV/PNG files beside the event file, no checkpoint.

For tag `t` at step `s`, in the writer's logdir (the run directory), as torch writes them:
`<s:05d>/<dir(t)>/tensors.tsv` (one row of floats per point), `metadata.tsv` (labels: one column
without a header, or a header row and tab-separated columns), `sprite.png` (the label images
tiled ceil(sqrt(N)) per row), and `projector_config.pbtxt` listing every embedding of the run,
rewritten whole each time (object stores cannot append). `dir(t)` is `directory_name(t)`: a tag
never names a path outside its step directory. The caller validates and copies; the files are
written on the writer thread, in order with the run's other values (docs/data/embedding.md).
"""

from __future__ import annotations

import io
import math
import os
import threading
import time
from typing import Any

import numpy as np

from summary.ops.declare import summary_op
from summary.ops.inputs import to_numeric_array
from summary.wire import encode
from summary.writer import context, files
from summary.writer.errors import op_error, op_type_error
from summary.writer.naming import directory_name
from summary.writer.target import SummaryTarget

CONFIG_FILE = "projector_config.pbtxt"  # the name the projector plugin looks for
_configs: dict[str, Any] = {}  # logdir -> its ProjectorConfig, as last written by this process
_configs_lock = threading.Lock()


@summary_op("embedding")
def embedding(
    target: SummaryTarget,
    tag: str,
    tensor: Any,
    metadata: Any = None,
    metadata_header: Any = None,
    label_img: Any = None,
    step: Any = None,
) -> None:
    """Log an [N, D] matrix for the Projector, with optional labels and [N, C, H, W] images.

    `metadata` is N labels, or N rows of `len(metadata_header)` values; every value is written
    as `str(value)`. Returns False and writes nothing when there is no default writer.
    """
    op = "embedding"
    logdir = getattr(target, "logdir", None)
    if not isinstance(logdir, str):
        raise op_error(op, tag, "embeddings need a writer with a logdir (the run directory)")
    points = check_matrix(op, tag, tensor)
    rows = len(points)
    lines = metadata_lines(op, tag, metadata, metadata_header, rows)
    images = None if label_img is None else check_label_images(op, tag, label_img, rows)
    step = context.resolve_step(op, tag, step)
    wall_time = time.time()
    nbytes = points.nbytes + (0 if images is None else images.nbytes)

    def write() -> bytes:
        write_embedding(logdir, tag, step, points, lines, images)
        return encode.event_prefix(wall_time, step)  # an Event{wall_time, step}: the run's file

    target.enqueue_event(write, nbytes)


def check_matrix(op: str, tag: str, tensor: Any) -> np.ndarray:
    """`tensor` as a float32 [N, D] copy (what the projector reads), N and D at least 1."""
    array = to_numeric_array(op, tag, tensor, allow_bool=False)
    if array.ndim != 2 or 0 in array.shape:
        raise op_error(op, tag, f"expected a non-empty 2-D matrix [N, D], got shape {array.shape}")
    return np.array(array, dtype=np.float32, order="C")


def metadata_lines(op: str, tag: str, metadata: Any, header: Any, rows: int) -> list[str] | None:
    """metadata.tsv's lines (the header first, when there are several columns), or None."""
    if metadata is None:
        if header is not None:
            raise op_error(op, tag, "metadata_header was given without metadata")
        return None
    labels = _as_list(op, tag, "metadata", metadata)
    if len(labels) != rows:
        raise op_error(
            op, tag, f"metadata has {len(labels)} entries for {rows} points; expected one each"
        )
    if header is None:
        return [_cell(op, tag, value) for value in labels]
    columns = [_cell(op, tag, name) for name in _as_list(op, tag, "metadata_header", header)]
    if not columns:
        raise op_error(op, tag, "metadata_header must name at least one column")
    lines = ["\t".join(columns)] if len(columns) > 1 else []  # one column: no header row
    for index, row in enumerate(labels):
        cells = _as_list(op, tag, f"metadata[{index}]", row)
        if len(cells) != len(columns):
            raise op_error(
                op,
                tag,
                f"metadata[{index}] has {len(cells)} values for {len(columns)} header columns",
            )
        lines.append("\t".join(_cell(op, tag, value) for value in cells))
    return lines


def check_label_images(op: str, tag: str, label_img: Any, rows: int) -> np.ndarray:
    """[N, C, H, W] images (C = 1 or 3) as a uint8 copy, by torch's rule: uint8 as is, other
    dtypes × 255, clipped to [0, 255] and truncated."""
    array = to_numeric_array(op, tag, label_img, allow_bool=False)
    if array.ndim != 4 or array.shape[1] not in (1, 3) or 0 in array.shape[2:]:
        raise op_error(
            op, tag, f"label_img must be [N, C, H, W] with C = 1 or 3, got shape {array.shape}"
        )
    if len(array) != rows:
        raise op_error(op, tag, f"label_img has {len(array)} images for {rows} points")
    if array.dtype == np.uint8:
        return np.array(array, copy=True)
    with np.errstate(invalid="ignore", over="ignore"):
        scaled = np.nan_to_num(array.astype(np.float32) * np.float32(255), nan=0.0)
    return np.clip(scaled, 0, 255).astype(np.uint8)


def sprite_png(images: np.ndarray) -> bytes:
    """[N, C, H, W] uint8 images tiled row by row, ceil(sqrt(N)) per row, on a black RGB canvas
    of that many tiles each way (square for square images), as PNG."""
    from PIL import Image  # imported on the writer thread, not at `import summary`

    count, channels, height, width = images.shape
    per_row = math.ceil(math.sqrt(count))
    canvas = np.zeros((per_row * height, per_row * width, 3), dtype=np.uint8)
    hwc = images.transpose(0, 2, 3, 1)
    for index in range(count):
        y, x = divmod(index, per_row)
        canvas[y * height : (y + 1) * height, x * width : (x + 1) * width] = hwc[index]
    buffer = io.BytesIO()
    Image.fromarray(canvas, "RGB").save(buffer, format="PNG")
    return buffer.getvalue()


def tensor_tsv(points: np.ndarray) -> bytes:
    """Rows of tab-separated floats; %.9g round-trips every float32 (bench: faster than
    savetxt's per-row formatting or repr per value)."""
    row = "\t".join(["%.9g"] * points.shape[1]) + "\n"
    return "".join([row % tuple(values) for values in points.tolist()]).encode()


def write_embedding(
    logdir: str,
    tag: str,
    step: int,
    points: np.ndarray,
    lines: list[str] | None,
    images: np.ndarray | None,
) -> None:
    """Write one embedding's files, then the run's config listing it (on the writer thread)."""
    from summary.proto.plugins import projector_pb2

    subdir = (f"{step:05d}", directory_name(tag))
    info = projector_pb2.EmbeddingInfo(
        tensor_name=f"{tag}:{step:05d}", tensor_path="/".join([*subdir, "tensors.tsv"])
    )
    files.write_file(logdir, (*subdir, "tensors.tsv"), tensor_tsv(points))
    if lines is not None:
        info.metadata_path = "/".join([*subdir, "metadata.tsv"])
        files.write_file(logdir, (*subdir, "metadata.tsv"), ("\n".join(lines) + "\n").encode())
    if images is not None:
        info.sprite.image_path = "/".join([*subdir, "sprite.png"])
        info.sprite.single_image_dim.extend([images.shape[3], images.shape[2]])
        files.write_file(logdir, (*subdir, "sprite.png"), sprite_png(images))
    with _configs_lock:
        config = _configs.get(_key(logdir))
        if config is None:
            config = _configs[_key(logdir)] = _existing_config(logdir)
        kept = [old for old in config.embeddings if old.tensor_name != info.tensor_name]
        del config.embeddings[:]
        config.embeddings.extend([*kept, info])
        write_config(logdir, config)


def replace_config(logdir: str, config: Any) -> None:
    """Write `config` as the run's config; later embeddings of this process are added to it."""
    with _configs_lock:
        _configs[_key(logdir)] = copy = type(config)()
        copy.CopyFrom(config)
        write_config(logdir, copy)


def write_config(logdir: str, config: Any) -> None:
    """`projector_config.pbtxt` in `logdir`: the config in protobuf text format."""
    from google.protobuf import text_format

    files.write_file(logdir, (CONFIG_FILE,), text_format.MessageToString(config).encode())


def _existing_config(logdir: str) -> Any:
    """The run's config file as found (earlier embeddings stay listed), or an empty one."""
    from google.protobuf import text_format

    from summary.proto.plugins import projector_pb2

    config = projector_pb2.ProjectorConfig()
    data = files.read_file(logdir, CONFIG_FILE)
    if data:
        try:
            text_format.Parse(data.decode("utf-8"), config)
        except (text_format.ParseError, UnicodeDecodeError):
            config = projector_pb2.ProjectorConfig()  # unreadable: replaced, as torch does
    return config


def _key(logdir: str) -> str:
    """One config per directory, however its path is spelled ("run", "./run")."""
    return logdir if "://" in logdir else os.path.abspath(logdir)


def _as_list(op: str, tag: str, what: str, values: Any) -> list[Any]:
    if hasattr(values, "tolist") and not isinstance(values, (str, bytes)):
        values = values.tolist()
    if isinstance(values, (str, bytes)) or not hasattr(values, "__len__"):
        raise op_type_error(op, tag, f"{what} must be a sequence, got {type(values).__name__}")
    return list(values)


def _cell(op: str, tag: str, value: Any) -> str:
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    if "\t" in text or "\n" in text or "\r" in text:
        raise op_error(
            op, tag, f"metadata values must not contain tabs or newlines, got {text!r:.60}"
        )
    return text
