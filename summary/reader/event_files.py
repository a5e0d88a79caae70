"""Finding event files: a single file, or every event file below a logdir, grouped by run."""

from __future__ import annotations

import os
from collections.abc import Iterator


def is_event_file(name: str) -> bool:
    """TensorBoard's rule: the basename contains "tfevents" (and is not a profiler marker)."""
    return "tfevents" in name and not name.endswith(".profile-empty")


def iter_event_files(path: str | os.PathLike[str]) -> Iterator[tuple[str, str]]:
    """Yield (run, file path) in TensorBoard's order: runs by name, files by name within a run.

    `path` may be one event file (its run is ".") or a logdir; a run is a directory that directly
    holds event files, named by its path relative to the logdir.
    """
    path = os.fspath(path)
    if os.path.isfile(path):
        yield ".", path
        return
    if not os.path.isdir(path):
        raise FileNotFoundError(f"summary.reader: no such file or directory: {path!r}")
    for directory, subdirs, files in sorted(os.walk(path), key=lambda walk: walk[0]):
        subdirs.sort()
        run = os.path.relpath(directory, path)
        for name in sorted(files):
            full = os.path.join(directory, name)
            if is_event_file(name) and os.path.isfile(full):
                yield run, full
