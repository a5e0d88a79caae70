"""Audio: clips [k, t, c] as 16-bit PCM WAV in a string tensor, for TensorBoard's Audio dashboard.

The tensor is DT_STRING [n, 2] (WAV bytes, empty label) with AudioPluginData{encoding: WAV}, as
TF 2.x's `tf.summary.audio` writes it. Samples convert as TF's `wav_io.cc` converts them.
"""

from __future__ import annotations

import math
import operator
import struct
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

PLUGIN_NAME = "audio"
WAV_CONTENT = b"\x10\x0b"  # AudioPluginData{encoding: WAV (11)}
_WAV_HEADER = struct.Struct("<4sI4s4sIHHIIHH4sI")  # the canonical 44-byte PCM header
_UINT32_MAX = (1 << 32) - 1
_INT32_MAX = (1 << 31) - 1


@summary_op("audio")
def audio(
    target: SummaryTarget,
    tag: str,
    data: Any,
    sample_rate: Any,
    step: Any = None,
    max_outputs: Any = 3,
    encoding: str | None = None,
    description: str | None = None,
) -> None:
    """Log the first `max_outputs` clips of a [k, t, c] float batch (values in [-1, 1]).

    `sample_rate` is a positive whole number of Hz (8000 or 8000.0). Values outside [-1, 1]
    saturate. Returns False and writes nothing when there is no default writer or recording is off.
    """
    metadata = description_metadata("audio", tag, PLUGIN_NAME, WAV_CONTENT, description)
    if encoding is not None and not (isinstance(encoding, str) and encoding == "wav"):
        raise op_error("audio", tag, f"encoding must be None or 'wav', got {encoding!r}")
    rate = check_sample_rate("audio", tag, sample_rate)
    clips = check_audio("audio", tag, data)
    if rate * clips.shape[2] * 2 > _UINT32_MAX:
        raise op_error(
            "audio",
            tag,
            f"sample_rate {rate} with {clips.shape[2]} channels exceeds the WAV byte-rate field",
        )
    limit = to_count("audio", tag, "max_outputs", max_outputs)
    step = context.resolve_step("audio", tag, step)
    with np.errstate(over="ignore"):  # float64 beyond float32's range saturates anyway
        kept = clips[:limit].astype(np.float32)
    target.enqueue_tensor(
        TensorEntry(
            tag, step, time.time(), lambda: audio_tensor_bytes(kept, rate), metadata, kept.nbytes
        )
    )


def check_sample_rate(op: str, tag: str, sample_rate: Any) -> int:
    """A positive whole number of Hz as an int (8000.0 is accepted), or a clear error."""
    check_rate_type(op, tag, sample_rate)
    try:
        rate = operator.index(sample_rate)
    except TypeError:
        rate = _whole_hz(op, tag, sample_rate)
    if not 0 < rate <= _INT32_MAX:
        raise op_error(
            op,
            tag,
            f"sample_rate must be a positive whole number of Hz below 2**31, got {sample_rate!r}",
        )
    return rate


def check_rate_type(op: str, tag: str, sample_rate: Any) -> None:
    """Refuse a sample rate that is no number at all (bool, str, bytes, None): a TypeError.
    Shared with summary.v1, whose rates may be fractional (TF 1.x takes a float32)."""
    if isinstance(sample_rate, (bool, np.bool_, str, bytes)) or sample_rate is None:
        raise op_type_error(
            op,
            tag,
            f"sample_rate must be a number of Hz, got {type(sample_rate).__name__} {sample_rate!r}",
        )


def _whole_hz(op: str, tag: str, sample_rate: Any) -> int:
    try:
        value = float(sample_rate)
    except (TypeError, ValueError):
        raise op_type_error(
            op,
            tag,
            f"sample_rate must be a number of Hz, got {type(sample_rate).__name__} {sample_rate!r}",
        ) from None
    if not math.isfinite(value) or not value.is_integer():
        raise op_error(op, tag, f"sample_rate must be a whole number of Hz, got {sample_rate!r}")
    return int(value)


def check_audio(op: str, tag: str, data: Any) -> np.ndarray:
    """`data` as a float [k, t, c] array that fits a 16-bit WAV, or a clear error."""
    array = to_array(op, tag, data)
    if array.dtype.kind != "f":
        raise op_type_error(
            op,
            tag,
            f"audio must be floats in [-1, 1], got dtype {array.dtype}"
            + ("; for int16 PCM divide by 32768" if array.dtype.kind in "iu" else ""),
        )
    if array.ndim != 3:
        hint = "; for mono clips [k, t] pass data[..., None]" if array.ndim == 2 else ""
        raise op_error(
            op,
            tag,
            "expected a rank-3 array [k, t, c] (clips, frames, "
            f"channels), got shape {array.shape}{hint}",
        )
    frames, channels = array.shape[1:]
    if frames == 0 or not 0 < channels <= 0xFFFF:
        raise op_error(
            op,
            tag,
            f"clips need at least one frame and 1 to 65535 channels, got shape {array.shape}",
        )
    if _WAV_HEADER.size + frames * channels * 2 > _UINT32_MAX:
        raise op_error(op, tag, f"clips of shape {array.shape} exceed a WAV's 4 GiB")
    return array


def encode_wav(clip_tc_float: np.ndarray, sample_rate: int) -> bytes:
    """One [t, c] clip as a 16-bit PCM WAV; samples as TF's FloatToInt16Sample converts them.

    int16 = clamp(round_half_away(float32(x) * 32768), -32768, 32767); NaN → 0.
    """
    with np.errstate(over="ignore"):
        clip = np.asarray(clip_tc_float, dtype=np.float32)
    frames, channels = clip.shape
    scaled = np.nan_to_num(clip.astype(np.float64) * 32768.0, nan=0.0)
    np.clip(scaled, -32768, 32767, out=scaled)
    samples = np.trunc(scaled + np.copysign(0.5, scaled)).astype("<i2").tobytes()
    header = _WAV_HEADER.pack(
        b"RIFF",
        36 + len(samples),
        b"WAVE",
        b"fmt ",
        16,
        1,  # PCM
        channels,
        sample_rate,
        sample_rate * channels * 2,
        channels * 2,
        16,
        b"data",
        len(samples),
    )
    return header + samples


def audio_tensor_bytes(clips: np.ndarray, sample_rate: int) -> bytes:
    """The serialized DT_STRING tensor [n, 2] of (WAV, empty label) rows for a batch."""
    blobs = np.empty((len(clips), 2), dtype=object)
    for row, clip in enumerate(clips):
        blobs[row] = (encode_wav(clip, sample_rate), b"")
    return string_tensor_bytes(blobs)
