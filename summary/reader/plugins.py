"""Plugin tensors turned into the values a user wants: numbers, bucket arrays, pixel arrays,
audio samples, strings and PR-curve tables (layouts as FORMAT.md §4 describes them)."""

from __future__ import annotations

import io
import wave
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np


class Audio(NamedTuple):
    """One decoded clip: float32 samples in [-1, 1), shape [frames, channels], and its rate."""

    samples: np.ndarray
    sample_rate: int


def scalars(raw: np.ndarray | list[Any]) -> np.ndarray:
    """A float64 array, one number per step (a float64 array of raw values is that array)."""
    try:
        return np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError):
        return np.array([_first_number(item) for item in raw], dtype=np.float64)


def _first_number(item: Any) -> float:
    flat = np.asarray(item, dtype=np.float64).reshape(-1)
    return float(flat[0]) if flat.size else float("nan")


def histogram(array: np.ndarray) -> np.ndarray:
    """[k, 3] rows of (left edge, right edge, count)."""
    return np.asarray(array)


def images(array: np.ndarray) -> list[np.ndarray | bytes]:
    """Each image of the step as uint8 pixels [h, w, c] (bytes Pillow cannot decode stay bytes)."""
    return [decode_image(blob) for blob in np.asarray(array).reshape(-1)[2:]]


def decode_image(blob: bytes) -> np.ndarray | bytes:
    """PNG/JPEG/GIF/BMP bytes -> uint8 [h, w, c] (c = 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA)."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(blob)) as image:
            if image.mode not in ("L", "LA", "RGB", "RGBA"):
                image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
            pixels = np.asarray(image, dtype=np.uint8)
    except Exception:  # not an image Pillow knows: hand back what was stored
        return bytes(blob)
    return pixels[:, :, None] if pixels.ndim == 2 else pixels


def audio(array: np.ndarray) -> list[Audio | bytes]:
    """Each clip of the step (column 0 of the [n, 2] tensor), decoded from WAV when it is WAV."""
    clips = np.asarray(array)
    blobs = clips[:, 0] if clips.ndim == 2 else clips.reshape(-1)
    return [decode_wav(blob) for blob in blobs]


def decode_wav(blob: bytes) -> Audio | bytes:
    """16-bit PCM WAV -> Audio; anything else is returned as the stored bytes."""
    try:
        with wave.open(io.BytesIO(blob)) as clip:
            if clip.getsampwidth() != 2:
                return bytes(blob)
            frames = clip.readframes(clip.getnframes())
            channels = clip.getnchannels()
            rate = clip.getframerate()
    except (wave.Error, EOFError):
        return bytes(blob)
    samples = np.frombuffer(frames, dtype="<i2").reshape(-1, channels) / np.float32(32768)
    return Audio(samples.astype(np.float32), rate)


def text(array: np.ndarray) -> str | np.ndarray:
    """UTF-8 strings: a str for a rank-0 tensor, else an object array of str of the same shape."""
    array = np.asarray(array)
    decode = np.vectorize(_utf8, otypes=[object])
    strings = decode(array) if array.size else array.astype(object)
    return strings.item() if array.ndim == 0 else strings


def _utf8(item: Any) -> str:
    return item.decode("utf-8", "replace") if isinstance(item, bytes) else str(item)


PR_ROWS = (
    "true_positives",
    "false_positives",
    "true_negatives",
    "false_negatives",
    "precision",
    "recall",
)


def pr_curve(array: np.ndarray) -> dict[str, np.ndarray]:
    """The [6, N] table as named rows, plus `thresholds` (column j is threshold j / (N - 1))."""
    table = np.asarray(array)
    count = table.shape[-1] if table.ndim == 2 else 0
    result = {"thresholds": np.linspace(0.0, 1.0, count) if count > 1 else np.zeros(count)}
    for row, name in enumerate(PR_ROWS):
        result[name] = table[row] if table.ndim == 2 and table.shape[0] > row else np.zeros(0)
    return result


def tensor(array: Any) -> Any:
    """Any other plugin: the array as stored."""
    return array


DECODERS: dict[str, Callable[[Any], Any]] = {
    "histograms": histogram,
    "images": images,
    "audio": audio,
    "text": text,
    "pr_curves": pr_curve,
}


def decode(plugin: str, raw: np.ndarray | list[Any]) -> np.ndarray | list[Any]:
    """Every stored value of a series, decoded for `plugin` (scalars give one float64 array)."""
    if plugin == "scalars":
        return scalars(raw)
    decoder = DECODERS.get(plugin, tensor)
    return [None if item is None else decoder(item) for item in raw]
