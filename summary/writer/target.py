"""The contract between the ops and whatever they write to.

A declared op gets a `SummaryTarget` from its skeleton (summary/ops/declare.py: the recording
default writer) or is handed one by an `add_*` method, and queues its value through one
`enqueue_*` call; encoding and I/O happen later, on the writer thread. `EventWriter` is the real
target; `PinnedWallTime` wraps one for callers that give their own wall time (torch's
`walltime=`); `StagedTarget` holds a multi-value call's values until all of them are checked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from summary.writer.entries import TensorEntry


class SummaryTarget(Protocol):
    """What ops write to. `records` is False for a writer that records nothing (NoopWriter)."""

    @property
    def records(self) -> bool: ...

    def enqueue_scalar(
        self, tag: str, step: int, value: float, metadata: bytes | None, wall_time: float
    ) -> None:
        """Queue one float32 scalar."""

    def enqueue_tensor(self, entry: TensorEntry) -> None:
        """Queue a value whose serialized TensorProto `entry.tensor()` builds on the writer
        thread; `entry.nbytes` is the array memory it holds until then (counted against the
        queue bound). The op builds the queue entry itself: it is queued as given."""

    def enqueue_summary(self, step: int, summary: Any, wall_time: float, nbytes: int = 0) -> None:
        """Queue a whole Summary message (legacy values)."""

    def enqueue_event(self, event: Callable[[], bytes], nbytes: int = 0) -> None:
        """Queue a whole Event whose serialized bytes `event()` builds on the writer thread."""


class PinnedWallTime:
    """A target that stamps every value with one given wall time instead of the op's clock."""

    records = True

    def __init__(self, target: SummaryTarget, wall_time: float) -> None:
        self._target = target
        self._wall_time = wall_time

    def enqueue_scalar(
        self, tag: str, step: int, value: float, metadata: bytes | None, wall_time: float
    ) -> None:
        self._target.enqueue_scalar(tag, step, value, metadata, self._wall_time)

    def enqueue_tensor(self, entry: TensorEntry) -> None:
        self._target.enqueue_tensor(entry._replace(wall_time=self._wall_time))

    def enqueue_summary(self, step: int, summary: Any, wall_time: float, nbytes: int = 0) -> None:
        self._target.enqueue_summary(step, summary, self._wall_time, nbytes)

    def enqueue_event(self, event: Callable[[], bytes], nbytes: int = 0) -> None:
        self._target.enqueue_event(event, nbytes)


class StagedTarget:
    """A target that holds every value queued on it until `release()` hands them to `target`,
    so a call writing several values (one per key of a dict) checks them all before any is
    written: a refused key leaves no trace."""

    records = True

    def __init__(self, target: SummaryTarget) -> None:
        self._target = target
        self._staged: list[tuple[Callable[..., None], tuple[Any, ...]]] = []

    def enqueue_scalar(self, *args: Any) -> None:
        self._staged.append((self._target.enqueue_scalar, args))

    def enqueue_tensor(self, *args: Any) -> None:
        self._staged.append((self._target.enqueue_tensor, args))

    def enqueue_summary(self, *args: Any) -> None:
        self._staged.append((self._target.enqueue_summary, args))

    def enqueue_event(self, *args: Any) -> None:
        self._staged.append((self._target.enqueue_event, args))

    def release(self) -> None:
        """Queue everything staged, in order, on the real target."""
        for enqueue, args in self._staged:
            enqueue(*args)
        self._staged.clear()
