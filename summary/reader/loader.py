"""`load`: every run's values, decoded, with filters that skip what is not wanted.

Speed comes from three things: files are read in large chunks (frames.py); an event of the
one-float shape of nearly every scalar is read by slicing out its last four bytes instead of
parsing it (one_float.py); and records a filter does not want are recognised from a hand scan of
their tags (decode.py) without parsing their payload. The logdir is listed once (event_files.py);
`workers` reads several runs at a time on threads, which suits remote storage.
"""

from __future__ import annotations

import numbers
import os
import threading
import warnings
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Literal, NamedTuple

from summary.reader import indexed
from summary.reader.event_files import EventFile, list_event_files
from summary.reader.result import LogdirData, RunData
from summary.reader.run_reader import RunReader
from summary.reader.sampled import OP, checked_samples
from summary.reader.wanted import Filter, Wanted
from summary.wire.index_format import IndexFormatError
from summary.writer.errors import op_error, op_type_error


def load(
    logdir: str | os.PathLike[str],
    runs: Filter = None,
    tags: Filter = None,
    plugins: Filter = None,
    *,
    values: bool = True,
    on_corruption: Literal["warn", "raise", "ignore"] = "warn",
    progress: Callable[[int, int], None] | None = None,
    samples_per_plugin: Mapping[str, int] | None = None,
    workers: int | None = None,
    index: str = "use",
) -> LogdirData:
    """Read every run below `logdir` (a path or fsspec URL) into a LogdirData.

    `runs`, `tags`, `plugins`: names or glob patterns (`"train/*"`) to keep; None keeps all.
    A tag's plugin is the one named by its first metadata in the run (TensorBoard's rule).
    `values=False` reads steps and wall times only. `progress(done, total)` hears of bytes read.
    `samples_per_plugin={"images": 10}` keeps, per tag of those plugins, the first, the last and
    evenly spaced records between (sampling.py); the records dropped are not parsed.
    `workers=N` reads up to N runs at once on threads; the result is the same as without.
    `index`: "use" reads through the index beside an event file where it provably matches the
    file (docs/index-format.md), "build" first writes one for a file that lacks it, "ignore"
    scans every file.
    """
    indexed.check_mode(index)
    logdir = os.fspath(logdir)
    wanted = Wanted(runs, tags, plugins)
    samples = checked_samples(samples_per_plugin)
    workers = _checked_workers(workers)
    files: dict[str, list[EventFile]] = {}
    for found in list_event_files(logdir):
        if wanted.run(found.run):
            files.setdefault(found.run, []).append(found)
    on_read = _progress_counter(progress, files)

    def read_run(run: str) -> _ReadRun:
        reader = RunReader(run, wanted, values, on_corruption, samples)
        scanned = []
        for found in files[run]:
            problem = _read_file(reader, found, on_read, index)
            if problem is not None:
                scanned.append((found.path, problem))
        data = reader.result([found.path for found in files[run]])
        return _ReadRun(data, reader.warnings, scanned)

    result = {}
    unindexed: list[tuple[str, str]] = []
    for run, read in zip(files, _in_order(read_run, list(files), workers), strict=True):
        for warning in read.warnings:
            warnings.warn(warning, stacklevel=2)
        unindexed += read.unindexed
        result[run] = read.data
    indexed.warn_scanned(unindexed, stacklevel=2)
    return LogdirData(logdir, result)


class _ReadRun(NamedTuple):
    """One run read on a worker: its data and what to warn about on the caller's thread."""

    data: RunData
    warnings: list[Warning]
    unindexed: list[tuple[str, str]]  # (event file, why its index was not used) for IndexWarning


def _in_order(
    read_run: Callable[[str], _ReadRun], runs: list[str], workers: int
) -> Iterator[_ReadRun]:
    """Each run read, in `runs` order; with workers > 1, up to that many read at a time."""
    if workers == 1 or len(runs) < 2:
        yield from map(read_run, runs)
        return
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="summary-load") as pool:
        yield from pool.map(read_run, runs)


def _checked_workers(workers: int | None) -> int:
    if workers is None:
        return 1
    if isinstance(workers, bool) or not isinstance(workers, numbers.Integral):
        raise op_type_error(OP, None, f"workers must be an int, not {type(workers).__name__}")
    if workers < 1:
        raise op_error(OP, None, f"workers must be >= 1, not {workers}")
    return int(workers)


def _read_file(
    reader: RunReader, found: EventFile, on_read: Callable[[int], None] | None, index: str
) -> str | None:
    """Through the index for its proven prefix (the rest scanned), or by scanning it all.
    Returns why the index was not (wholly) used, for the load's IndexWarning; None when it was,
    when it lags a file still being written, or when told to ignore indexes."""
    path = found.path
    trusted, problem = _trusted(found, index)
    covered = 0
    if trusted is not None:
        try:
            covered = reader.read_indexed(path, trusted)
        except (OSError, IndexFormatError) as error:
            trusted, problem = None, f"index not used: {error}"
        else:
            if on_read is not None:
                on_read(covered)  # progress: the part of the file the index stood for
            if covered < trusted.covered:  # a later chunk does not decode or lies
                problem = problem or indexed.damaged_after(covered)
    if trusted is None or covered < trusted.size:
        reader.read_file(path, on_read, covered)
    return problem


def _trusted(found: EventFile, index: str) -> tuple[indexed.TrustedIndex | None, str | None]:
    """The file's proven index (for "build", written first when it has none or a bad one) and,
    when there is none or only part of it matches the file, why."""
    if index == "ignore":
        return None, None
    try:
        trusted = indexed.trusted_index(found.path, found.size)
    except indexed.UntrustedIndexError as error:
        if index != "build":
            return None, f"index not used: {error}"
        trusted = None  # rebuilt below
    if trusted is None and index == "build":
        try:
            built = indexed.build_index(found.path)
        except OSError as error:  # a read-only logdir, say: the file is scanned, and named
            return None, f"no index, and it could not be written: {error}"
        try:
            trusted = indexed.trusted_index(found.path, found.size) if built else None
        except indexed.UntrustedIndexError as error:  # the file changed while it was indexed
            return None, f"index not used: {error}"
    if trusted is None:
        return None, None if found.size == 0 else "no index"
    if trusted.unproven:
        return trusted, "index describes more than the file holds (truncated or changed)"
    if trusted.damaged:
        return trusted, indexed.damaged_after(trusted.covered)
    return trusted, None


def _progress_counter(
    progress: Callable[[int, int], None] | None, files: dict[str, list[EventFile]]
) -> Callable[[int], None] | None:
    if progress is None:
        return None
    total = sum(found.size for found in (f for run in files.values() for f in run))
    done = 0
    lock = threading.Lock()  # workers read on several threads

    def on_read(count: int) -> None:
        nonlocal done
        with lock:
            done += count
            progress(done, total)

    return on_read
