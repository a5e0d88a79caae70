"""Local paths and fsspec URLs (`s3://`, `gs://`, `memory://` …) behind one small interface."""

from __future__ import annotations

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
