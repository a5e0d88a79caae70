"""`latest`: the last value of every scalar tag, for watching a live run.

It reads what `load(plugins="scalars")` reads: for an indexed file only the index (its chunks
are columns, so the last value of each tag comes out without touching the event file) plus the
part of the file written after the index's last chunk; an unindexed file is scanned.
"""

from __future__ import annotations

import os
import warnings
from typing import NamedTuple

from summary.reader.loader import load
from summary.reader.wanted import Filter


class Latest(NamedTuple):
    """The last value written under a tag (last in file order, which is not always the
    largest step)."""

    step: int
    wall_time: float
    value: float


def latest(
    logdir: str | os.PathLike[str], runs: Filter = None, tags: Filter = None, *, index: str = "use"
) -> dict[str, dict[str, Latest]]:
    """run -> scalar tag -> its Latest value, for every run below `logdir` (path or URL)."""
    with warnings.catch_warnings(record=True) as caught:  # re-issued from the caller's line
        warnings.simplefilter("always")
        data = load(logdir, runs=runs, tags=tags, plugins="scalars", index=index)
    for warning in caught:
        warnings.warn(warning.message, warning.category, stacklevel=2)
    found = {}
    for name, run in data.items():
        last = {}
        for tag, series in run.items():
            values = series.values
            assert isinstance(values, type(series.steps))  # scalars decode to an array
            last[tag] = Latest(
                int(series.steps[-1]), float(series.wall_times[-1]), float(values[-1])
            )
        found[name] = last
    return found
