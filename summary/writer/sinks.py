"""Where record bytes go: an append-only local file written with unbuffered OS calls, or objects
in a store (remote.py). The index beside each file is kept by output.py."""

from __future__ import annotations

import errno
import os
from typing import Protocol

from summary.writer.naming import event_file_name


class Sink(Protocol):
    """An append-only byte destination owned by one background writer thread."""

    @property
    def path(self) -> str:
        """What the destination is called in messages (a file path or an object URL)."""

    @property
    def full(self) -> bool:
        """True when the writer should roll to a new sink (between records)."""

    @property
    def lost(self) -> bool:
        """True when the destination vanished (the writer then starts a new one)."""

    def write(self, data: memoryview) -> int:
        """Append a prefix of `data`; return how many bytes were taken (may be fewer).

        Raises OSError on failure (kept and retried), SinkLostError if the file is gone.
        """

    def close(self) -> None:
        """Release the destination; everything written before stays."""


class SinkLostError(OSError):
    """The destination vanished under the writer (its file was deleted); a new one is needed."""

    @classmethod
    def deleted(cls, path: str | None) -> SinkLostError:
        return cls(errno.ENOENT, "the event file was deleted", path)


class LocalSink:
    """A new local file opened with O_EXCL (never clobbers another writer's file) and O_APPEND.

    Bytes handed to `write` go straight to the OS: a killed process loses none of them. A file
    deleted while open is noticed before the next write (SinkLostError), not written into.
    """

    full = False

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

    @property
    def lost(self) -> bool:
        """True once the file was deleted (it has no name left)."""
        return os.fstat(self._fd).st_nlink == 0

    def write(self, data: memoryview) -> int:
        if self.lost:
            raise SinkLostError.deleted(self.path)
        return os.write(self._fd, data)

    def close(self) -> None:
        if self._fd >= 0:
            fd, self._fd = self._fd, -1
            os.close(fd)


def open_sink(logdir: str, suffix: str) -> Sink:
    """A sink for a new event file in `logdir`: a local file, or objects for a URL."""
    if logdir.startswith("file://"):
        return LocalSink(logdir[len("file://") :], suffix)
    if "://" in logdir:
        from summary.writer.remote import RemoteSink  # fsspec is imported only for URLs

        return RemoteSink(logdir, suffix)
    return LocalSink(logdir, suffix)
