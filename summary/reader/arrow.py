"""Series as one pyarrow Table (pyarrow is the optional `arrow` extra, imported only here).

Columns: run, tag, plugin (dictionary-encoded strings), step (int64), wall_time (float64),
value (float64: a scalar's value, NaN kept as NaN; null for other plugins) and value_json
(string: a non-scalar value as the JSON the CSV export writes; null for scalars).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from summary.reader.plain import json_value

if TYPE_CHECKING:
    from summary.reader.result import Series

COLUMNS = ("run", "tag", "plugin", "step", "wall_time", "value", "value_json")


def pyarrow() -> Any:
    """The pyarrow module, or an ImportError naming the extra that installs it."""
    try:
        import pyarrow
    except ImportError:
        raise ImportError(
            "summary.reader: to_arrow() and the parquet export need pyarrow "
            "(pip install 'summary[arrow]')"
        ) from None
    return pyarrow


def table(all_series: Iterable[Series]) -> Any:
    """One row per value of every series, in series order then file order."""
    pa = pyarrow()
    chosen = [series for series in all_series if len(series)]
    lengths = [len(series) for series in chosen]
    scalar = [series.plugin == "scalars" for series in chosen]
    columns = {
        name: _labels(pa, [getattr(series, name) for series in chosen], lengths)
        for name in ("run", "tag", "plugin")
    }
    columns["step"] = pa.array(_joined([s.steps for s in chosen], np.int64), pa.int64())
    columns["wall_time"] = pa.array(
        _joined([s.wall_times for s in chosen], np.float64), pa.float64()
    )
    numbers = [
        np.asarray(series.values, dtype=np.float64) if is_scalar else np.zeros(len(series))
        for series, is_scalar in zip(chosen, scalar, strict=True)
    ]
    missing = np.repeat(np.logical_not(scalar), lengths) if chosen else np.zeros(0, dtype=bool)
    columns["value"] = pa.array(_joined(numbers, np.float64), pa.float64(), mask=missing)
    columns["value_json"] = pa.chunked_array(
        [
            pa.nulls(len(series), pa.string())
            if is_scalar
            else pa.array([_json(series, i) for i in range(len(series))])
            for series, is_scalar in zip(chosen, scalar, strict=True)
        ],
        pa.string(),
    )
    return pa.table(columns)


def _labels(pa: Any, labels: list[str], lengths: list[int]) -> Any:
    """`labels[i]` repeated `lengths[i]` times, as a dictionary-encoded string column."""
    names = sorted(set(labels))
    codes = {name: code for code, name in enumerate(names)}
    indices = np.repeat(np.array([codes[label] for label in labels], dtype=np.int32), lengths)
    return pa.DictionaryArray.from_arrays(
        pa.array(indices, pa.int32()), pa.array(names, pa.string())
    )


def _joined(arrays: list[np.ndarray], dtype: type) -> np.ndarray:
    return np.concatenate(arrays).astype(dtype, copy=False) if arrays else np.zeros(0, dtype)


def _json(series: Series, index: int) -> str:
    return json.dumps(json_value(series, index), ensure_ascii=False)
