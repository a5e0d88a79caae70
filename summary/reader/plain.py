"""One value of a Series as plain JSON-ready Python (numbers, strings, lists, dicts): what the
CSV, JSON-lines and Arrow exports write for a value that is not a scalar."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from summary.reader.result import Series


def json_value(series: Series, index: int) -> Any:
    """Value `index` of `series`: a float for scalars; histograms as [left, right, count] rows,
    text as strings, PR curves as named lists, images and audio as base64 of their bytes."""
    if series.plugin == "scalars":
        return float(_loaded(series.values)[index])
    raw = _loaded(series.raw)[index]
    if raw is not None and series.plugin == "images":
        return {
            "width": int(raw[0]),
            "height": int(raw[1]),
            "images_base64": [_base64(blob) for blob in raw[2:]],
        }
    if raw is not None and series.plugin == "audio":
        return {"audio_base64": [_base64(blob) for blob in np.asarray(raw)[:, 0]]}
    return _plain(_loaded(series.values)[index])


def _loaded(values: np.ndarray | list[Any] | None) -> np.ndarray | list[Any]:
    """`Series.values` or `.raw`, which an export always loads (they are None only without)."""
    assert values is not None
    return values


def _plain(value: Any) -> Any:
    """NumPy and bytes made JSON-ready: arrays as nested lists, bytes as UTF-8 or base64."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, np.ndarray):
        return _plain(value.tolist()) if value.dtype == object else value.tolist()
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return {"base64": _base64(value)}
    if isinstance(value, np.generic):
        return value.item()
    return value


def _base64(blob: bytes) -> str:
    return base64.b64encode(bytes(blob)).decode("ascii")
