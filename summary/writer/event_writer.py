"""The writer objects ops write through: EventWriter (one logdir's event file, or with
`write_to_disk=False` a DiscardedFile) and NoopWriter."""

from __future__ import annotations

import os
import weakref
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from summary.writer import context, registry
from summary.writer.background import EventFile
from summary.writer.entries import ScalarsEntry, TensorEntry
from summary.writer.errors import WriterClosedError, op_error, op_type_error
from summary.writer.limits import DEFAULT_FLUSH_MILLIS, DEFAULT_MAX_QUEUE

DEFAULT_SUFFIX = ".v2"


class EventWriter:
    """Writes summaries for one logdir (a TensorBoard run) off the caller's thread.

    The TF 2.x writer interface; `summary.SummaryWriter` extends it with the tensorboardX-style
    `add_*` methods. Writers of one logdir in one process share a single event file, so
    TensorBoard sees all of their data.
    """

    records = True
    # The SummaryTarget methods are the event file's own, bound per instance so an op's call
    # goes straight to the queue (or to a DiscardedFile's no-op); close() rebinds them to raise
    # WriterClosedError.
    enqueue_scalar: Callable[[str, int, float, bytes | None, float], None]
    enqueue_tensor: Callable[[TensorEntry], None]
    enqueue_summary: Callable[..., None]
    enqueue_event: Callable[..., None]
    enqueue_scalars: Callable[[ScalarsEntry], None]  # not a SummaryTarget's: clu's write_scalars

    def __init__(
        self,
        logdir: str | os.PathLike[str],
        max_queue: int | None = None,
        flush_millis: int | None = None,
        filename_suffix: str | None = None,
        name: str | None = None,
        *,
        write_to_disk: bool = True,
    ) -> None:
        self.logdir = _check_logdir(logdir)
        suffix = DEFAULT_SUFFIX if filename_suffix is None else str(filename_suffix)
        max_queue = _positive_int("max_queue", max_queue, DEFAULT_MAX_QUEUE)
        flush_millis = _positive_int("flush_millis", flush_millis, DEFAULT_FLUSH_MILLIS)
        self._file: EventFile | DiscardedFile = (
            registry.acquire(self.logdir, suffix, max_queue, flush_millis)
            if write_to_disk
            else DiscardedFile()
        )
        self.name = name
        self.closed = False
        self.enqueue_scalar = self._file.add_scalar
        self.enqueue_tensor = self._file.add_tensor
        self.enqueue_event = self._file.add_event
        self.enqueue_summary = self._file.add_summary
        self.enqueue_scalars = self._file.add_scalars
        self._finalizer = weakref.finalize(self, _release_later, self._file)
        self._finalizer.atexit = False  # at exit, the registry drains every file and waits

    @property
    def path(self) -> str | None:
        """The event file currently written (shared with other writers of this logdir)."""
        return self._file.path

    def as_default(self, step: Any = None) -> AbstractContextManager[EventWriter]:
        """Context in which ops write here (and use `step` when given none).

        Unlike TF, leaving it does not wait for a flush (a slow or hung file system would stall
        the training loop there): what was logged lands within `flush_millis`; call `flush()`
        when it must be on disk at once.
        """
        return context.writer_as_default(self, step)

    def set_as_default(self, step: Any = None) -> None:
        """Make this the default writer of every thread (and `step` the default step).

        It stays the default after `close()`, so later ops raise WriterClosedError instead of
        dropping their values unseen."""
        context.set_process_default(self, step)

    def init(self) -> None:
        """Nothing to do: the file is open from construction (kept for TF compatibility)."""

    def flush(self) -> None:
        """Return once everything logged so far is handed to the OS."""
        if not self.closed:
            self._file.flush()

    def close(self) -> None:
        """Flush and close; later writes raise WriterClosedError. Calling it twice is fine."""
        if self._finalizer.detach() is None:  # closed already (atomic, so two threads may race)
            return
        self.closed = True
        closed = _closed_writer(self.logdir)
        self.enqueue_scalar = self.enqueue_tensor = self.enqueue_event = closed
        self.enqueue_summary = self.enqueue_scalars = closed
        try:
            self._file.flush()
        finally:
            if isinstance(self._file, EventFile):
                registry.release(self._file)

    def __enter__(self) -> EventWriter:
        self._default = context.writer_as_default(self)
        self._default.__enter__()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        try:
            self._default.__exit__(*exc_info)
        finally:
            self.close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return f"{type(self).__name__}({self.logdir!r}, {state})"


class DiscardedFile:
    """The caller side of an EventFile that keeps nothing (tensorboardX's `write_to_disk=False`):
    a writer on it validates every call as usual, then drops the value; no directory, no file,
    no thread."""

    path = None

    def add_scalar(self, *args: Any, **kwargs: Any) -> None:
        """Drop the value (any of EventFile's `add_*` arguments)."""

    add_tensor = add_summary = add_event = add_scalars = add_scalar

    def flush(self) -> None:
        """Nothing to do."""


class NoopWriter:
    """A writer that records nothing; ops under it return False."""

    records = False
    closed = False

    def as_default(self, step: Any = None) -> AbstractContextManager[NoopWriter]:
        return context.writer_as_default(self, step)

    def set_as_default(self, step: Any = None) -> None:
        context.set_process_default(self, step)

    def init(self) -> None:
        """Nothing to do."""

    def flush(self) -> None:
        """Nothing to do."""

    def close(self) -> None:
        """Nothing to do."""

    def __enter__(self) -> NoopWriter:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        return None


def create_noop_writer() -> NoopWriter:
    """A writer with the same interface that writes nothing."""
    return NoopWriter()


def flush(writer: EventWriter | NoopWriter | None = None, name: str | None = None) -> None:
    """Flush `writer`, or the default writer when None (no default: nothing to do)."""
    writer = writer if writer is not None else context.default_writer()
    if writer is not None:
        writer.flush()


def _check_logdir(logdir: Any) -> str:
    if isinstance(logdir, bytes):
        logdir = logdir.decode()
    try:
        path = os.fspath(logdir)
    except TypeError:
        raise op_type_error(
            "create_file_writer", None, f"logdir must be a path or URL, got {logdir!r}"
        ) from None
    if not path:
        raise op_error("create_file_writer", None, "logdir must not be empty")
    return path


def _positive_int(what: str, value: Any, default: int) -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise op_error("create_file_writer", None, f"{what} must be a positive int, got {value!r}")
    return value


def _release_later(event_file: EventFile | DiscardedFile) -> None:
    """The finalizer of a garbage-collected writer: give its event file back to the registry."""
    if isinstance(event_file, EventFile):
        registry.release_later(event_file)


def _closed_writer(logdir: str) -> Callable[..., None]:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise WriterClosedError(
            f"the writer for {logdir!r} is closed; create a new one to log more"
        )

    return refuse
