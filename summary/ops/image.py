"""Images: a batch [k, h, w, c] as PNGs in a string tensor, shown on TensorBoard's Images dashboard.

The tensor is rank-1 DT_STRING `[width, height, png0, png1, …]`, as TF 2.x's `tf.summary.image`
writes it. Pixels convert as `tf.image.convert_image_dtype(x, tf.uint8, saturate=True)` does.
PNG encoding runs on the writer thread, one image after another: Pillow's PNG encoder holds the
GIL, so encoding a batch in several threads measured no faster.
"""

from __future__ import annotations

import io
import time
from typing import Any

import numpy as np

from summary.ops.declare import summary_op
from summary.ops.inputs import to_array, to_count
from summary.ops.metadata import description_metadata
from summary.wire.tensors import string_tensor_bytes
from summary.writer import context
from summary.writer.entries import TensorEntry
from summary.writer.errors import op_error, op_type_error
from summary.writer.target import SummaryTarget

PLUGIN_NAME = "images"
CHANNELS = (1, 2, 3, 4)  # gray, gray + alpha, RGB, RGBA


@summary_op("image")
def image(
    target: SummaryTarget,
    tag: str,
    data: Any,
    step: Any = None,
    max_outputs: Any = 3,
    description: str | None = None,
) -> None:
    """Log the first `max_outputs` images of a [k, h, w, c] batch under `name`.

    uint8 pixels are written as they are; floats are expected in [0, 1] and other integer
    dtypes over their whole range (converted and saturated as TF 2.x does).
    Returns False and writes nothing when there is no default writer or recording is off.
    """
    metadata = description_metadata("image", tag, PLUGIN_NAME, b"", description)
    images = check_images("image", tag, data)
    limit = to_count("image", tag, "max_outputs", max_outputs)
    step = context.resolve_step("image", tag, step)
    kept = np.array(images[:limit], copy=True)
    height, width = images.shape[1:3]
    target.enqueue_tensor(
        TensorEntry(
            tag,
            step,
            time.time(),
            lambda: image_tensor_bytes(width, height, kept),
            metadata,
            kept.nbytes,
        )
    )


def check_images(op: str, tag: str, data: Any, channels: tuple[int, ...] = CHANNELS) -> np.ndarray:
    """`data` as a real-valued [k, h, w, c] array with c in `channels`, or a clear error."""
    array = to_array(op, tag, data)
    if array.dtype.kind == "b":
        raise op_type_error(
            op, tag, "bool images are not supported; convert to uint8 (e.g. mask * 255) or float"
        )
    if array.dtype.kind not in "iuf":
        raise op_type_error(
            op,
            tag,
            "images must be numbers (uint8, other ints, or floats in "
            f"[0, 1]), got dtype {array.dtype}",
        )
    if array.ndim != 4:
        hint = "; for a single image pass data[None]" if array.ndim == 3 else ""
        raise op_error(
            op, tag, f"expected a rank-4 array [k, h, w, c], got shape {array.shape}{hint}"
        )
    if array.shape[3] not in channels:
        raise op_error(
            op,
            tag,
            f"expected {'/'.join(map(str, channels))} channels (the last "
            f"axis of [k, h, w, c]), got shape {array.shape}",
        )
    if array.shape[1] == 0 or array.shape[2] == 0:
        raise op_error(op, tag, f"images must be at least 1x1 pixels, got shape {array.shape}")
    return array


def to_uint8(op: str, tag: str, array: np.ndarray) -> np.ndarray:
    """Pixels as uint8, exactly as TF 2.x's `convert_image_dtype(x, uint8, saturate=True)`.

    Floats: x * 255.5 in the input's own precision, clamped to [0, 255], truncated (NaN → 0).
    Wider ints: floor-divided by (max + 1) / 256, negatives saturated to 0. int8: max(x, 0) * 2.
    """
    dtype = array.dtype
    if dtype == np.uint8:
        return array
    if dtype.kind == "f":
        with np.errstate(over="ignore", invalid="ignore"):
            scaled = array * dtype.type(255.5)
        return np.clip(np.nan_to_num(scaled, nan=0.0), 0, 255).astype(np.uint8)
    if dtype.kind in "iu":
        top = int(np.iinfo(dtype).max)
        if top < 255:
            return np.clip(array, 0, None).astype(np.uint8) * (256 // (top + 1))
        return np.clip(array // ((top + 1) // 256), 0, 255).astype(np.uint8)
    raise op_type_error(op, tag, f"cannot convert images of dtype {dtype} to uint8")


def encode_png(image_hwc_uint8: np.ndarray) -> bytes:
    """One [h, w, c] uint8 image (c = 1, 2, 3, 4 → PNG gray, gray+alpha, RGB, RGBA) as PNG."""
    from PIL import Image  # imported on the writer thread, not at `import summary`

    pixels = image_hwc_uint8
    if pixels.shape[2] == 1:
        pixels = pixels[:, :, 0]
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(pixels)).save(buffer, format="PNG")
    return buffer.getvalue()


def image_tensor_bytes(width: int, height: int, images: np.ndarray) -> bytes:
    """The serialized DT_STRING tensor [str(width), str(height), png…] of a converted batch."""
    pixels = to_uint8("image", "", images)
    encoded = [str(width).encode(), str(height).encode()]
    encoded += [encode_png(one) for one in pixels]
    blobs = np.empty(len(encoded), dtype=object)
    blobs[:] = encoded
    return string_tensor_bytes(blobs)
