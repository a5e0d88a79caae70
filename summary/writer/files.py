"""Whole files beside the event files (the projector's TSVs, sprite and config), written where
the writer writes: a local directory, or any fsspec URL (as `sinks.open_sink` chooses)."""

from __future__ import annotations

import os
from typing import Any

from summary.writer.remote import OBJECT_STORES, import_fsspec


def write_file(logdir: str, parts: tuple[str, ...], data: bytes) -> None:
    """Write `data` to `logdir/<parts…>`, creating directories; a local file is replaced
    atomically (a reader never sees half of it). `parts` are single path components."""
    if logdir.startswith("file://"):
        logdir = logdir[len("file://") :]
    if "://" not in logdir:
        path = os.path.join(logdir, *parts)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        temporary = f"{path}.{os.getpid()}.tmp"
        with open(temporary, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
        return
    fs, root = _filesystem(logdir)
    path = "/".join([root.rstrip("/"), *parts])
    protocol = fs.protocol if isinstance(fs.protocol, str) else fs.protocol[0]
    if protocol not in OBJECT_STORES:
        fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
    fs.pipe_file(path, data)


def read_file(logdir: str, name: str) -> bytes | None:
    """The bytes of `logdir/name`, or None when there is no such file."""
    if logdir.startswith("file://"):
        logdir = logdir[len("file://") :]
    try:
        if "://" not in logdir:
            with open(os.path.join(logdir, name), "rb") as file:
                return file.read()
        fs, root = _filesystem(logdir)
        return fs.cat_file(f"{root.rstrip('/')}/{name}")
    except FileNotFoundError:
        return None


def _filesystem(logdir: str) -> tuple[Any, str]:
    return import_fsspec(logdir).core.url_to_fs(logdir)
