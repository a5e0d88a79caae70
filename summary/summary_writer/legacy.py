"""The values torch's writer stores as legacy `Summary.Value` fields rather than tensors: a video
(an animated GIF in `Summary.Image`), an image with boxes drawn on it (a PNG in `Summary.Image`)
and a raw histogram (`HistogramProto`). TensorBoard's loaders migrate these to its plugins
(images, histograms) as they do TF 1.x's. The caller's thread validates and copies; GIF/PNG
encoding, box drawing and serialization run on the writer thread (`enqueue_event`'s builder).
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from summary.ops.inputs import to_numeric_array
from summary.proto import summary_pb2
from summary.wire.encode import summary_event
from summary.writer.context import as_int64_step
from summary.writer.errors import op_error, op_type_error
from summary.writer.target import SummaryTarget

BOX_COLOR = "Red"  # torch's box and label-background colour; the label text is black
BOX_WIDTH = 2  # torch's line width in pixels


def enqueue_legacy(
    target: SummaryTarget,
    caller: str,
    tag: str,
    step: Any,
    wall_time: float,
    value: Callable[[], summary_pb2.Summary.Value],
    nbytes: int,
) -> None:
    """Queue one Summary holding `value()` (built on the writer thread) under `tag`."""
    step = as_int64_step(caller, tag, step)

    def event() -> bytes:
        summary = summary_pb2.Summary(value=[value()])
        summary.value[0].tag = tag
        return summary_event(wall_time, step, summary.SerializeToString())

    target.enqueue_event(event, nbytes)


# Video -------------------------------------------------------------------------------------


def video_frames(caller: str, tag: str, data: Any) -> np.ndarray:
    """torch's `[N, T, C, H, W]` video → uint8 frames `[T, h, w, C]`, the N clips tiled in a grid.

    As torch: the batch is padded with black clips to a power of two and laid out in
    2**((N.bit_length() - 1) // 2) rows; uint8 pixels stay as they are, others are ×255,
    clipped and truncated. C is 1 (gray) or 3 (RGB): a GIF has no alpha channel.
    """
    array = to_numeric_array(caller, tag, data, allow_bool=False)
    if array.ndim != 5:
        raise op_error(
            caller, tag, f"expected a video of shape [N, T, C, H, W], got shape {array.shape}"
        )
    n, t, c, h, w = array.shape
    if c not in (1, 3):
        raise op_error(
            caller, tag, f"expected 1 or 3 channels (axis 2 of [N, T, C, H, W]), got {c}"
        )
    if 0 in (n, t, h, w):
        raise op_error(caller, tag, f"the video is empty: shape {array.shape}")
    if array.dtype != np.uint8:
        with np.errstate(invalid="ignore", over="ignore"):
            scaled = np.nan_to_num(array.astype(np.float32) * np.float32(255), nan=0.0)
        array = np.clip(scaled, 0, 255).astype(np.uint8)
    padded = 1 << (n - 1).bit_length()
    if padded != n:
        array = np.concatenate([array, np.zeros((padded - n, t, c, h, w), np.uint8)])
    rows = 2 ** ((n.bit_length() - 1) // 2)
    columns = padded // rows
    grid = array.reshape(rows, columns, t, c, h, w).transpose(2, 0, 4, 1, 5, 3)
    return np.ascontiguousarray(grid.reshape(t, rows * h, columns * w, c))


def check_fps(caller: str, tag: str, fps: Any) -> float:
    """Frames per second as a positive finite float."""
    if isinstance(fps, (bool, str, bytes)) or not isinstance(fps, (int, float, np.number)):
        raise op_type_error(caller, tag, f"fps must be a number, got {fps!r}")
    value = float(fps)
    if not math.isfinite(value) or value <= 0:
        raise op_error(caller, tag, f"fps must be a positive number, got {fps!r}")
    return value


def video_value(frames: np.ndarray, fps: float) -> summary_pb2.Summary.Value:
    """`Summary.Value{image}` with the frames as a looping GIF (height/width/colorspace set)."""
    _, height, width, channels = frames.shape
    return summary_pb2.Summary.Value(
        image=summary_pb2.Summary.Image(
            height=height,
            width=width,
            colorspace=channels,
            encoded_image_string=encode_gif(frames, fps),
        )
    )


def encode_gif(frames: np.ndarray, fps: float) -> bytes:
    """uint8 frames `[T, h, w, 1 or 3]` as an animated GIF that loops forever.

    A frame with at most 256 colours keeps them exactly (its own palette); one with more is
    reduced to 256 by Pillow's fast octree quantizer, without dithering. GIF delays are in
    1/100 s, so 1000/fps ms is rounded to 10 ms (Pillow merges identical consecutive frames
    into one longer frame).
    """
    from PIL import Image

    images = [_palette_frame(Image, frame) for frame in frames]
    buffer = io.BytesIO()
    images[0].save(
        buffer,
        format="GIF",
        save_all=True,
        append_images=images[1:],
        duration=max(10, round(1000 / fps / 10) * 10),
        loop=0,
    )
    return buffer.getvalue()


def _palette_frame(image_module: Any, frame: np.ndarray) -> Any:
    """One `[h, w, c]` frame as a Pillow image GIF can store without changing its colours."""
    if frame.shape[2] == 1:
        return image_module.fromarray(frame[:, :, 0], mode="L")
    packed = (
        frame[:, :, 0].astype(np.uint32) << 16
        | frame[:, :, 1].astype(np.uint32) << 8
        | frame[:, :, 2]
    )
    colours, indices = np.unique(packed, return_inverse=True)
    if len(colours) > 256:
        rgb = image_module.fromarray(frame, mode="RGB")
        return rgb.quantize(256, method=image_module.Quantize.FASTOCTREE, dither=0)
    image = image_module.fromarray(indices.reshape(packed.shape).astype(np.uint8), mode="P")
    palette = np.stack([colours >> 16, colours >> 8 & 255, colours & 255], axis=1)
    image.putpalette(palette.astype(np.uint8).tobytes())
    return image


# Image with boxes --------------------------------------------------------------------------


def check_boxes(caller: str, tag: str, data: Any) -> np.ndarray:
    """torch's `box_tensor`: `[N, 4]` rows (xmin, ymin, xmax, ymax) in pixels, finite."""
    boxes = to_numeric_array(caller, tag, data, allow_bool=False).astype(np.float64)
    if boxes.ndim == 1 and boxes.size == 4:
        boxes = boxes[None]
    if boxes.ndim != 2 or boxes.shape[1] != 4:
        raise op_error(
            caller,
            tag,
            f"box_tensor must have shape [N, 4] (xmin, ymin, xmax, ymax), got shape {boxes.shape}",
        )
    if not np.isfinite(boxes).all():
        raise op_error(caller, tag, "box_tensor must be finite (no NaN or inf)")
    return boxes


def check_labels(caller: str, tag: str, labels: Any, count: int) -> list[str] | None:
    """One str per box (a single str for one box), or None for no labels."""
    if labels is None:
        return None
    if isinstance(labels, str):
        labels = [labels]
    if not isinstance(labels, Sequence) or not all(isinstance(one, str) for one in labels):
        raise op_type_error(caller, tag, f"labels must be a list of str, got {labels!r:.60}")
    if len(labels) != count:
        raise op_error(
            caller, tag, f"got {len(labels)} labels for {count} boxes; give one label per box"
        )
    return list(labels)


def check_rescale(caller: str, tag: str, rescale: Any, height: int, width: int) -> float:
    """torch's `rescale`: a positive factor that leaves the image at least 1×1 pixels."""
    if isinstance(rescale, (bool, str, bytes)) or not isinstance(rescale, (int, float, np.number)):
        raise op_type_error(caller, tag, f"rescale must be a number, got {rescale!r}")
    value = float(rescale)
    if not math.isfinite(value) or int(height * value) < 1 or int(width * value) < 1:
        raise op_error(
            caller, tag, f"rescale={rescale!r} would make the {height}x{width} image empty"
        )
    return value


def boxes_value(
    image: np.ndarray, boxes: np.ndarray, labels: list[str] | None, rescale: float
) -> summary_pb2.Summary.Value:
    """`Summary.Value{image}`: the PNG of `image` (`[h, w, c]` uint8) with the boxes drawn as
    torch draws them, resized by `rescale` (Lanczos); height/width are the unscaled size."""
    from PIL import Image, ImageDraw, ImageFont

    height, width, channels = image.shape
    pixels = image if channels != 1 else np.repeat(image, 3, axis=2)
    picture = Image.fromarray(pixels)
    draw = ImageDraw.Draw(picture)
    font = ImageFont.load_default()
    for index, (left, top, right, bottom) in enumerate(boxes.tolist()):
        corners = [(left, top), (left, bottom), (right, bottom), (right, top), (left, top)]
        draw.line(corners, width=BOX_WIDTH, fill=BOX_COLOR)
        if labels and labels[index]:
            x0, y0, x1, y1 = font.getbbox(labels[index])
            margin = math.ceil(0.05 * (y1 - y0))
            text_top = bottom - (y1 - y0) - 2 * margin
            draw.rectangle([(left, text_top), (left + x1 - x0, bottom)], fill=BOX_COLOR)
            draw.text((left + margin, text_top + margin), labels[index], fill="black", font=font)
    if rescale != 1:
        size = (int(width * rescale), int(height * rescale))
        picture = picture.resize(size, Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return summary_pb2.Summary.Value(
        image=summary_pb2.Summary.Image(
            height=height,
            width=width,
            colorspace=pixels.shape[2],
            encoded_image_string=buffer.getvalue(),
        )
    )


# Raw histogram -----------------------------------------------------------------------------


def raw_histogram(
    caller: str,
    tag: str,
    stats: dict[str, Any],
    bucket_limits: Any,
    bucket_counts: Any,
) -> Callable[[], summary_pb2.Summary.Value]:
    """torch's `add_histogram_raw` arguments checked → a builder of `Summary.Value{histo}`.

    `stats` is min, max, num, sum, sum_squares (finite numbers); the two bucket lists have the
    same length (as torch checks), at least one bucket, limits non-decreasing, counts >= 0.
    """
    numbers = {}
    for name, value in stats.items():
        if isinstance(value, (bool, str, bytes)):
            raise op_type_error(caller, tag, f"{name} must be a number, got {value!r}")
        try:
            numbers[name] = float(value)
        except (TypeError, ValueError):
            raise op_type_error(caller, tag, f"{name} must be a number, got {value!r}") from None
        if not math.isfinite(numbers[name]):
            raise op_error(caller, tag, f"{name} must be finite, got {value!r}")
    limits = to_numeric_array(caller, tag, bucket_limits, allow_bool=False).astype(np.float64)
    counts = to_numeric_array(caller, tag, bucket_counts, allow_bool=False).astype(np.float64)
    if limits.ndim != 1 or counts.ndim != 1 or len(limits) != len(counts):
        raise op_error(
            caller,
            tag,
            f"bucket_limits and bucket_counts must be 1-D of the same length "
            f"(len(bucket_limits) == len(bucket_counts)), got shapes {limits.shape} and "
            f"{counts.shape}",
        )
    if len(limits) == 0:
        raise op_error(caller, tag, "the histogram needs at least one bucket")
    if np.isnan(limits).any() or (np.diff(limits) < 0).any():
        raise op_error(caller, tag, "bucket_limits must be non-decreasing numbers (no NaN)")
    if not np.isfinite(counts).all() or (counts < 0).any():
        raise op_error(caller, tag, "bucket_counts must be finite and non-negative")
    if numbers["num"] < 0:
        raise op_error(caller, tag, f"num must be >= 0, got {stats['num']!r}")

    def histogram_value() -> summary_pb2.Summary.Value:
        return summary_pb2.Summary.Value(
            histo=summary_pb2.HistogramProto(
                bucket_limit=limits.tolist(), bucket=counts.tolist(), **numbers
            )
        )

    return histogram_value
