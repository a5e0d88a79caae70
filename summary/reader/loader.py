"""`load`: every run's values, decoded, with filters that skip what is not wanted.

Speed comes from three things: files are read in large chunks (frames.py); an event of the
one-float shape of nearly every scalar is read by slicing out its last four bytes instead of
parsing it (one_float.py); and records a filter does not want are recognised from a hand scan of
their tags (decode.py) without parsing their payload.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Literal

from summary.reader import storage
from summary.reader.event_files import iter_event_files
from summary.reader.result import LogdirData
from summary.reader.run_reader import RunReader
from summary.reader.wanted import Filter, Wanted


def load(
    logdir: str | os.PathLike[str],
    runs: Filter = None,
    tags: Filter = None,
    plugins: Filter = None,
    *,
    values: bool = True,
    on_corruption: Literal["warn", "raise", "ignore"] = "warn",
    progress: Callable[[int, int], None] | None = None,
) -> LogdirData:
    """Read every run below `logdir` (a path or fsspec URL) into a LogdirData.

    `runs`, `tags`, `plugins`: names or glob patterns (`"train/*"`) to keep; None keeps all.
    A tag's plugin is the one named by its first metadata in the run (TensorBoard's rule).
    `values=False` reads steps and wall times only. `progress(done, total)` hears of bytes read.
    """
    logdir = os.fspath(logdir)
    wanted = Wanted(runs, tags, plugins)
    files: dict[str, list[str]] = {}
    for run, path in iter_event_files(logdir):
        if wanted.run(run):
            files.setdefault(run, []).append(path)
    on_read = _progress_counter(progress, files)
    result = {}
    for run, paths in files.items():
        reader = RunReader(run, wanted, values, on_corruption)
        for path in paths:
            reader.read_file(path, on_read)
        result[run] = reader.result(paths)
    return LogdirData(logdir, result)


def _progress_counter(
    progress: Callable[[int, int], None] | None, files: dict[str, list[str]]
) -> Callable[[int], None] | None:
    if progress is None:
        return None
    total = sum(storage.size_of(path) for paths in files.values() for path in paths)
    done = 0

    def on_read(count: int) -> None:
        nonlocal done
        done += count
        progress(done, total)

    return on_read
