"""Finding event files: a single file, or every event file below a logdir, grouped by run.

A logdir is a local directory or an fsspec URL (`s3://bucket/logs`, `memory://logs` …). The whole
tree is listed once — one `scandir` per directory locally, one `find` for a URL (a single
prefix listing on object stores) — however many runs it holds, and the listing carries each
file's size, so nothing asks for it again.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Iterator
from typing import NamedTuple

from summary.reader import storage


class EventFile(NamedTuple):
    """One event file of a logdir: its run, its path (or URL) and its size when listed."""

    run: str
    path: str
    size: int


def is_event_file(name: str) -> bool:
    """TensorBoard's rule: the basename contains "tfevents" (and is not a profiler marker)."""
    return "tfevents" in name and not name.endswith(".profile-empty")


def iter_event_files(path: str | os.PathLike[str]) -> Iterator[tuple[str, str]]:
    """Yield (run, file path) in TensorBoard's order: runs by name, files by name within a run.

    `path` may be one event file (its run is ".") or a logdir; a run is a directory that directly
    holds event files, named by its path relative to the logdir.
    """
    for found in list_event_files(path):
        yield found.run, found.path


def list_event_files(path: str | os.PathLike[str]) -> list[EventFile]:
    """Every event file below `path`, in the order of `iter_event_files`, with its size."""
    path = os.fspath(path)
    if storage.is_url(path):
        return _remote_event_files(path)
    if os.path.isfile(path):
        return [EventFile(".", path, os.path.getsize(path))]
    if not os.path.isdir(path):
        raise FileNotFoundError(f"summary.reader: no such file or directory: {path!r}")
    found: list[EventFile] = []
    _walk(path, ".", found)
    found.sort(key=lambda file: "" if file.run == "." else file.run)  # stable: names stay sorted
    return found


def _walk(directory: str, run: str, found: list[EventFile]) -> None:
    """Append the event files of `directory` (run `run`) and of its subdirectories, like
    `os.walk`: unreadable directories are skipped, symlinked ones are not followed, and an entry
    that cannot be stat'ed (a symlink loop) is no event file."""
    files, subdirs = [], []
    try:
        with os.scandir(directory) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    subdirs.append(entry.name)
                elif is_event_file(entry.name):
                    size = _file_size(entry)
                    if size is not None:
                        files.append(EventFile(run, entry.path, size))
    except OSError:
        return
    found.extend(sorted(files, key=lambda file: file.path))
    for name in sorted(subdirs):
        _walk(os.path.join(directory, name), os.path.normpath(os.path.join(run, name)), found)


def _file_size(entry: os.DirEntry[str]) -> int | None:
    """The size of a regular file (symlinks followed), or None for anything else."""
    try:
        return entry.stat().st_size if entry.is_file() else None
    except OSError:
        return None


def _remote_event_files(url: str) -> list[EventFile]:
    fs, root = storage.filesystem(url)
    root = root.rstrip("/")
    listing = fs.find(root, detail=True)
    if root in listing:  # `find` of a file lists the file itself
        return [EventFile(".", url, int(listing[root].get("size") or fs.size(root) or 0))]
    if not listing and not fs.isdir(root):
        raise FileNotFoundError(f"summary.reader: no such file or directory: {url!r}")
    by_run: dict[str, list[str]] = {}
    for inner in listing:
        if is_event_file(posixpath.basename(inner)):
            run = posixpath.relpath(posixpath.dirname(inner), root or "/")
            by_run.setdefault(run, []).append(inner)
    return [
        EventFile(run, fs.unstrip_protocol(inner), int(listing[inner].get("size") or 0))
        for run in sorted(by_run, key=lambda name: "" if name == "." else name)
        for inner in sorted(by_run[run])
    ]
