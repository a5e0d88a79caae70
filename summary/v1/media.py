"""TF 1.x image and audio summaries: `Summary.Image` PNGs and `Summary.Audio` WAVs, one value
per batch element, tagged `<tag>/image/<i>` (`<tag>/image` when max_outputs is 1) and likewise
`/audio/`. PNG and WAV encoders are the v2 ops'; the float-to-pixel rule here is TF 1.x's own.
Audio values also carry audio plugin metadata (WAV), which TF 1.x left out (see AUDIO_METADATA).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from summary.ops.audio import check_audio, check_rate_type, encode_wav
from summary.ops.image import check_images, encode_png
from summary.ops.inputs import to_array, to_int, to_numeric_array
from summary.proto import summary_pb2
from summary.proto.plugins import audio_pb2
from summary.writer.errors import op_error, op_type_error

IMAGE_CHANNELS = (1, 3, 4)  # TF 1.x's ImageSummary: gray, RGB, RGBA (no gray + alpha)
BAD_COLOR = np.array([255, 0, 0, 255], dtype=np.uint8)  # pixels with a non-finite channel
_ZERO_THRESHOLD = np.float32(1e-6)
_MAX_PIXELS = 1 << 29  # h * w must stay below this, as in TF
_UINT32_MAX = (1 << 32) - 1
# TF 1.x wrote audio values without metadata, and RustBoard then serves them as
# application/octet-stream; with the data class set it takes this metadata as it is (audio/wav).
AUDIO_METADATA = summary_pb2.SummaryMetadata(
    plugin_data=summary_pb2.SummaryMetadata.PluginData(
        plugin_name="audio",
        content=audio_pb2.AudioPluginData(
            encoding=audio_pb2.AudioPluginData.WAV, converted_to_tensor=True
        ).SerializeToString(),
    ),
    data_class=summary_pb2.DATA_CLASS_BLOB_SEQUENCE,
)


def image_values(
    op: str, tag: str, images: Any, max_outputs: Any
) -> list[summary_pb2.Summary.Value]:
    """The first `max_outputs` images of a [k, h, w, c] batch as TF 1.x Summary values."""
    limit = check_max_outputs(op, tag, max_outputs)
    batch = check_images(op, tag, images, IMAGE_CHANNELS)
    if batch.dtype != np.uint8 and batch.dtype.kind != "f":
        raise op_type_error(
            op,
            tag,
            "TF 1.x images are uint8 (as they are) or float (scaled per "
            f"image), got dtype {batch.dtype}",
        )
    _, height, width, channels = batch.shape
    if height * width >= _MAX_PIXELS:
        raise op_error(op, tag, f"images of shape {batch.shape} are too large")
    values = []
    for i, image in enumerate(batch[:limit]):
        value = summary_pb2.Summary.Value(tag=_suffixed(tag, "image", i, limit))
        value.image.height, value.image.width, value.image.colorspace = height, width, channels
        value.image.encoded_image_string = encode_png(legacy_uint8(image))
        values.append(value)
    return values


def legacy_uint8(image: np.ndarray) -> np.ndarray:
    """One [h, w, c] image as uint8, as TF 1.x's image summary converts it.

    uint8 is unchanged. Floats: min/max over pixels whose channels are all finite (in float32);
    with negatives, x * 127 / max(|min|, |max|) + 128, else x * 255 / max (scale 0 below 1e-6);
    computed in the input's precision and truncated; non-finite pixels get BAD_COLOR.
    """
    if image.dtype == np.uint8:
        return image
    dtype = image.dtype.type
    finite = np.isfinite(image).all(axis=-1)
    good = image[finite].astype(np.float32)
    low = good.min() if good.size else np.float32(np.inf)
    high = good.max() if good.size else np.float32(-np.inf)
    if low < 0:
        magnitude = max(abs(low), abs(high))
        scale = 0.0 if magnitude < _ZERO_THRESHOLD else np.float32(127) / magnitude
        offset = 128.0
    else:
        scale = 0.0 if high < _ZERO_THRESHOLD else np.float32(255) / high
        offset = 0.0
    with np.errstate(invalid="ignore", over="ignore"):
        scaled = image * dtype(np.float32(scale)) + dtype(offset)
        pixels = np.where(finite[..., None], scaled, 0).astype(np.uint8)
    pixels[~finite] = BAD_COLOR[: image.shape[-1]]
    return pixels


def audio_values(
    op: str, tag: str, audio: Any, sample_rate: Any, max_outputs: Any
) -> list[summary_pb2.Summary.Value]:
    """The first `max_outputs` clips of a [k, t] or [k, t, c] float batch as TF 1.x values."""
    limit = check_max_outputs(op, tag, max_outputs)
    rate = _sample_rate(op, tag, sample_rate)
    array = to_array(op, tag, audio)
    if array.ndim not in (2, 3):
        raise op_error(
            op,
            tag,
            "expected a rank-2 [k, t] or rank-3 [k, t, c] array (clips, "
            f"frames, channels), got shape {array.shape}",
        )
    clips = check_audio(op, tag, array[..., None] if array.ndim == 2 else array)
    frames, channels = clips.shape[1:]
    header_rate = max(1, round(float(rate)))  # TF's lrintf: to nearest, ties to even
    if header_rate * channels * 2 > _UINT32_MAX:
        raise op_error(op, tag, f"sample_rate {rate} is too high for a WAV file")
    values = []
    for i, clip in enumerate(clips[:limit]):
        value = summary_pb2.Summary.Value(tag=_suffixed(tag, "audio", i, limit))
        value.audio.sample_rate = rate
        value.audio.num_channels, value.audio.length_frames = channels, frames
        value.audio.content_type = "audio/wav"
        value.audio.encoded_audio_string = encode_wav(clip.astype(np.float32), header_rate)
        value.metadata.CopyFrom(AUDIO_METADATA)
        values.append(value)
    return values


def _suffixed(tag: str, kind: str, index: int, max_outputs: int) -> str:
    return f"{tag}/{kind}/{index}" if max_outputs > 1 else f"{tag}/{kind}"


def check_max_outputs(op: str, tag: str, max_outputs: Any) -> int:
    """`max_outputs` as an int >= 1 (TF 1.x's attribute minimum), or a clear error."""
    count = to_int(op, tag, "max_outputs", max_outputs)
    if count < 1:
        raise op_error(op, tag, f"max_outputs must be >= 1, got {count}")
    return count


def _sample_rate(op: str, tag: str, sample_rate: Any) -> float:
    """TF 1.x takes any positive float32 rate (the WAV header gets it rounded)."""
    check_rate_type(op, tag, sample_rate)
    array = to_numeric_array(op, tag, sample_rate, allow_bool=False)
    if array.size != 1:
        raise op_error(op, tag, f"sample_rate must be a single number, got shape {array.shape}")
    rate = float(np.float32(array.reshape(())))
    if not (math.isfinite(rate) and rate > 0):
        raise op_error(op, tag, f"sample_rate must be a positive number of Hz, got {sample_rate!r}")
    return rate
