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

from summary.reader import indexed, storage
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
    index: str = "use",
) -> LogdirData:
    """Read every run below `logdir` (a path or fsspec URL) into a LogdirData.

    `runs`, `tags`, `plugins`: names or glob patterns (`"train/*"`) to keep; None keeps all.
    A tag's plugin is the one named by its first metadata in the run (TensorBoard's rule).
    `values=False` reads steps and wall times only. `progress(done, total)` hears of bytes read.
    `index`: "use" reads through the index beside an event file where it provably matches the
    file (docs/index-format.md), "build" first writes one for a file that lacks it, "ignore"
    scans every file.
    """
    indexed.check_mode(index)
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
            _read_file(reader, path, on_read, index)
        result[run] = reader.result(paths)
    return LogdirData(logdir, result)


def _read_file(
    reader: RunReader, path: str, on_read: Callable[[int], None] | None, index: str
) -> None:
    """Through the index for its proven prefix (the rest scanned), or by scanning it all."""
    trusted = None if index == "ignore" else indexed.trusted_index(path)
    if trusted is None and index == "build" and indexed.build_index(path):
        trusted = indexed.trusted_index(path)
    if trusted is not None:
        try:
            reader.read_indexed(path, trusted)
        except OSError as error:
            indexed.distrust(path, error)
            trusted = None
        else:
            if on_read is not None:
                on_read(trusted.covered)  # progress: the part of the file the index stood for
    if trusted is None or trusted.covered < trusted.size:
        reader.read_file(path, on_read, 0 if trusted is None else trusted.covered)


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
