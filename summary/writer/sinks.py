"""Where record bytes go: an append-only local file written with unbuffered OS calls."""

from __future__ import annotations

import os
from typing import Protocol

from summary.writer.naming import event_file_name


class Sink(Protocol):
    """An append-only byte destination owned by one background writer thread."""

    path: str

    def write(self, data: memoryview) -> int:
        """Append a prefix of `data`; return how many bytes were taken (may be fewer)."""

    def close(self) -> None:
        """Release the destination; everything written before stays."""


class LocalSink:
    """A new local file opened with O_EXCL (never clobbers another writer's file) and O_APPEND.

    Bytes handed to `write` go straight to the OS: a killed process loses none of them.
    """

    def __init__(self, logdir: str, suffix: str) -> None:
        os.makedirs(logdir, exist_ok=True)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND | getattr(os, "O_CLOEXEC", 0)
        while True:
            path = os.path.join(logdir, event_file_name(suffix))
            try:
                self._fd = os.open(path, flags, 0o644)
                break
            except FileExistsError:
                continue
        self.path = path

    def write(self, data: memoryview) -> int:
        return os.write(self._fd, data)

    def close(self) -> None:
        if self._fd >= 0:
            fd, self._fd = self._fd, -1
            os.close(fd)


def open_sink(logdir: str, suffix: str) -> Sink:
    """A sink for a new event file in `logdir`."""
    return LocalSink(logdir, suffix)
