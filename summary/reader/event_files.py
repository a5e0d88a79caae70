"""Finding event files: a single file, or every event file below a logdir, grouped by run.

A logdir is a local directory or an fsspec URL (`s3://bucket/logs`, `memory://logs` …).
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Iterator

from summary.reader import storage


def is_event_file(name: str) -> bool:
    """TensorBoard's rule: the basename contains "tfevents" (and is not a profiler marker)."""
    return "tfevents" in name and not name.endswith(".profile-empty")


def iter_event_files(path: str | os.PathLike[str]) -> Iterator[tuple[str, str]]:
    """Yield (run, file path) in TensorBoard's order: runs by name, files by name within a run.

    `path` may be one event file (its run is ".") or a logdir; a run is a directory that directly
    holds event files, named by its path relative to the logdir.
    """
    path = os.fspath(path)
    if storage.is_url(path):
        yield from _remote_event_files(path)
        return
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


def _remote_event_files(url: str) -> Iterator[tuple[str, str]]:
    fs, root = storage.filesystem(url)
    root = root.rstrip("/")
    if fs.isfile(root):
        yield ".", url
        return
    found = [p for p in fs.find(root) if is_event_file(posixpath.basename(p))]
    if not found and not fs.isdir(root):
        raise FileNotFoundError(f"summary.reader: no such file or directory: {url!r}")
    by_run: dict[str, list[str]] = {}
    for inner in found:
        run = posixpath.relpath(posixpath.dirname(inner), root or "/")
        by_run.setdefault(run, []).append(inner)
    for run in sorted(by_run, key=lambda name: "" if name == "." else name):
        for inner in sorted(by_run[run]):
            yield run, fs.unstrip_protocol(inner)
