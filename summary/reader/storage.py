"""Local paths and fsspec URLs (`s3://`, `gs://`, `memory://` …) behind one small interface."""

from __future__ import annotations

import os
from typing import Any, BinaryIO


def is_url(path: str) -> bool:
    """True for `protocol://...` locations, which fsspec (an optional extra) serves."""
    return "://" in path


def filesystem(url: str) -> tuple[Any, str]:
    """(fsspec filesystem, path inside it) for `url`; fsspec is imported only here."""
    try:
        import fsspec
    except ImportError:
        raise ImportError(
            f"summary.reader: reading {url!r} needs fsspec (pip install 'summary[fsspec]', "
            "plus the protocol's package, e.g. s3fs or gcsfs)"
        ) from None
    fs, path = fsspec.core.url_to_fs(url)
    fs.invalidate_cache()  # a run may have grown since the last listing
    return fs, path


def open_binary(path: str) -> BinaryIO:
    """An open binary file for a local path or a URL."""
    if not is_url(path):
        return open(path, "rb")
    fs, inner = filesystem(path)
    return fs.open(inner, "rb")


def size_of(path: str) -> int:
    """Size in bytes of a local file or an object (0 if unknown)."""
    if not is_url(path):
        return os.path.getsize(path)
    fs, inner = filesystem(path)
    return int(fs.size(inner) or 0)


def read_range(path: str, start: int, end: int) -> bytes:
    """Bytes [start, end) of a local file or an object (one ranged request for a URL)."""
    if not is_url(path):
        with open(path, "rb") as file:
            return os.pread(file.fileno(), end - start, start)
    fs, inner = filesystem(path)
    return bytes(fs.cat_file(inner, start=start, end=end))


def read_whole(path: str) -> bytes | None:
    """All bytes of a local file or an object; None when there is none."""
    try:
        if not is_url(path):
            with open(path, "rb") as file:
                return file.read()
        fs, inner = filesystem(path)
        return bytes(fs.cat_file(inner))
    except FileNotFoundError:
        return None


def write_whole(path: str, data: bytes) -> None:
    """Replace a local file atomically (a reader never sees half of it), or put an object."""
    if not is_url(path):
        temporary = f"{path}.{os.getpid()}.tmp"
        with open(temporary, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
        return
    fs, inner = filesystem(path)
    fs.pipe_file(inner, data)
