"""What `summary.reader.load` returns: runs, each a mapping of tag -> Series, and DataFrames."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cached_property
from typing import Any

import numpy as np

from summary.proto import summary_pb2
from summary.reader import plugins

_COLUMNS = ("run", "tag", "plugin", "step", "wall_time", "value")


class Series:
    """Every value logged under one tag of one run, in file order.

    `steps` (int64) and `wall_times` (float64) are arrays; `values` is a float64 array for
    scalars and a list of decoded values otherwise (see docs/reading.md), decoded on first use.
    """

    def __init__(
        self,
        run: str,
        tag: str,
        metadata: summary_pb2.SummaryMetadata | None,
        steps: np.ndarray | list[int],
        wall_times: np.ndarray | list[float],
        raw: np.ndarray | list[Any] | None,
    ) -> None:
        self.run = run
        self.tag = tag
        self.metadata = metadata
        self.plugin = metadata.plugin_data.plugin_name if metadata is not None else ""
        self.steps = np.asarray(steps, dtype=np.int64)  # the reader's columns are kept, not copied
        self.wall_times = np.asarray(wall_times, dtype=np.float64)
        self._raw = raw

    @cached_property
    def values(self) -> np.ndarray | list[Any] | None:
        """Decoded values, one per step (None when loaded without values)."""
        if self._raw is None:
            return None
        return plugins.decode(self.plugin, self._raw)

    @property
    def raw(self) -> np.ndarray | list[Any] | None:
        """The stored tensors before plugin decoding: ndarrays, or for a series of one-float
        scalars a float64 array (which `values` then is too)."""
        return self._raw

    def __len__(self) -> int:
        return len(self.steps)

    def to_pandas(self) -> Any:
        """A DataFrame with columns step, wall_time, value (needs pandas)."""
        pandas = _pandas()
        values = self.values
        column = values if isinstance(values, np.ndarray) else _objects(values, len(self))
        return pandas.DataFrame({"step": self.steps, "wall_time": self.wall_times, "value": column})

    def __repr__(self) -> str:
        span = f"steps {self.steps.min()}..{self.steps.max()}" if len(self) else "empty"
        return f"Series(run={self.run!r}, tag={self.tag!r}, plugin={self.plugin!r}, {span})"


class RunData(Mapping[str, Series]):
    """One run: tag -> Series, tags in name order."""

    def __init__(self, name: str, series: dict[str, Series], files: list[str], records: int):
        self.name = name
        self._series = series
        self.files = files
        self.records = records

    def __getitem__(self, tag: str) -> Series:
        return self._series[tag]

    def __iter__(self) -> Iterator[str]:
        return iter(self._series)

    def __len__(self) -> int:
        return len(self._series)

    @property
    def plugins(self) -> dict[str, str]:
        """tag -> plugin name (the first metadata of each tag decides, as in TensorBoard)."""
        return {tag: series.plugin for tag, series in self._series.items()}

    def to_pandas(self) -> Any:
        """A long DataFrame: run, tag, plugin, step, wall_time, value (needs pandas)."""
        return _frame(self._series.values())

    def __repr__(self) -> str:
        return f"RunData({self.name!r}, {len(self)} tags)"


class LogdirData(Mapping[str, RunData]):
    """Every run read from a logdir: run name -> RunData, runs in name order."""

    def __init__(self, logdir: str, runs: dict[str, RunData]) -> None:
        self.logdir = logdir
        self._runs = runs

    def __getitem__(self, run: str) -> RunData:
        return self._runs[run]

    def __iter__(self) -> Iterator[str]:
        return iter(self._runs)

    def __len__(self) -> int:
        return len(self._runs)

    def series(self) -> Iterator[Series]:
        """Every Series of every run."""
        for run in self._runs.values():
            yield from run.values()

    def to_pandas(self) -> Any:
        """A long DataFrame: run, tag, plugin, step, wall_time, value (needs pandas)."""
        return _frame(self.series())

    def __repr__(self) -> str:
        return f"LogdirData({self.logdir!r}, runs={list(self._runs)})"


def _frame(all_series: Any) -> Any:
    pandas = _pandas()
    chosen = [series for series in all_series if len(series)]
    if not chosen:
        return pandas.DataFrame({name: [] for name in _COLUMNS})
    numeric = all(isinstance(series.values, np.ndarray) for series in chosen)
    values = (
        np.concatenate([series.values for series in chosen])
        if numeric
        else np.concatenate([_objects(series.values, len(series)) for series in chosen])
    )
    return pandas.DataFrame(
        {
            "run": np.repeat([series.run for series in chosen], [len(s) for s in chosen]),
            "tag": np.repeat([series.tag for series in chosen], [len(s) for s in chosen]),
            "plugin": np.repeat([series.plugin for series in chosen], [len(s) for s in chosen]),
            "step": np.concatenate([series.steps for series in chosen]),
            "wall_time": np.concatenate([series.wall_times for series in chosen]),
            "value": values,
        }
    )


def _objects(values: Any, count: int) -> np.ndarray:
    column = np.empty(count, dtype=object)
    if values is not None:
        for index, value in enumerate(values):
            column[index] = value  # one by one: array values must not be broadcast
    return column


def _pandas() -> Any:
    try:
        import pandas
    except ImportError:
        raise ImportError(
            "summary.reader: to_pandas() needs pandas (pip install 'summary[pandas]')"
        ) from None
    return pandas
