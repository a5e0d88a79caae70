"""A one-line progress meter on stderr for long reads, shown only when stderr is a terminal."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

_MIN_INTERVAL = 0.1  # seconds between redraws


def progress_meter(
    what: str, stream: TextIO | None = None
) -> tuple[Callable[[int, int], None] | None, Callable[[], None]]:
    """(callback for `load(progress=...)` or None when not a terminal, finish function)."""
    stream = stream or sys.stderr
    if not stream.isatty():
        return None, lambda: None
    last = 0.0
    shown = False

    def update(done: int, total: int) -> None:
        nonlocal last, shown
        now = time.monotonic()
        if now - last < _MIN_INTERVAL and done < total:
            return
        last = now
        shown = True
        percent = f" ({100 * done / total:.0f}%)" if total else ""
        stream.write(f"\r{what}: {_megabytes(done)} of {_megabytes(total)}{percent}\x1b[K")
        stream.flush()

    def finish() -> None:
        if shown:
            stream.write("\r\x1b[K")
            stream.flush()

    return update, finish


def _megabytes(count: int) -> str:
    return f"{count / 1e6:.1f} MB"
