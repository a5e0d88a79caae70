"""What went wrong on the writer thread, kept until the caller's thread can hear of it.

A write failure is reported once, at the caller's next call; while it lasts the thread retries
after a pause that doubles (RETRY_FIRST_SECONDS to RETRY_MAX_SECONDS); events dropped meanwhile
are counted and the count goes into the next error, including one raised once writing works
again. A value that cannot be encoded is skipped and reported the same way.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from summary.writer.errors import WriterError

RETRY_FIRST_SECONDS, RETRY_MAX_SECONDS = 0.1, 2.0


class Health:
    """Failure state of one event file. Every change happens under `lock`, and `changed()` is
    then called (lock held) so the file can update its fast-path flag."""

    def __init__(self, where: Callable[[], str], changed: Callable[[], None]) -> None:
        self.lock = threading.Lock()
        self._where = where
        self._changed = changed
        self.pending: tuple[str, BaseException | None] | None = None  # for the caller's next call
        self._appended = False
        self.failure: BaseException | None = None  # set while writes fail
        self.last_failure: BaseException | None = None
        self.failures = 0  # failed write attempts so far
        self.dropped = 0  # dropped events not yet reported
        self._dropped_in_failure = 0
        self.retry_delay = RETRY_FIRST_SECONDS

    def _keep(self, message: str, cause: BaseException | None) -> None:
        """Keep `message` for the caller; a second one before it is raised is appended."""
        if self.pending is None:
            self.pending = (message, cause)
            self._appended = False
        elif not self._appended:
            first, first_cause = self.pending
            self.pending = (f"{first}; then: {message.removeprefix('summary: ')}", first_cause)
            self._appended = True
        self._changed()

    def fail(self, error: BaseException) -> None:
        """A write (or opening the file) failed; the first failure of a run is reported."""
        with self.lock:
            self.failures += 1
            self.last_failure = error
            if self.failure is None:
                self._dropped_in_failure = 0
                self._keep(
                    f"summary: writing {self._where()} failed: {error}; the writer keeps what "
                    "is queued and retries",
                    error,
                )
            self.failure = error

    def next_retry_delay(self) -> float:
        """Seconds to wait before the next retry; each call doubles the next one."""
        delay = self.retry_delay
        self.retry_delay = min(2 * delay, RETRY_MAX_SECONDS)
        return delay

    def recover(self) -> None:
        """Writing works again (after failing, or after a call that hung); if events were
        dropped meanwhile, the caller hears of it."""
        with self.lock:
            failure, self.failure = self.failure, None
            cause = failure or self.last_failure
            self.retry_delay = RETRY_FIRST_SECONDS
            self._dropped_in_failure = 0
            if self.dropped:
                self._keep(
                    f"summary: writing {self._where()} works again after failing ({cause})",
                    cause,
                )

    def count_dropped(self, dropped: int, bound: int, cause: BaseException) -> None:
        """`dropped` events were dropped to keep the queue within `bound` because of `cause`:
        the failure, or the file system not answering."""
        if not dropped:
            return
        with self.lock:
            self.last_failure = cause
            if not self._dropped_in_failure:
                self._keep(
                    f"summary: {self._where()} still cannot be written ({cause}) and {bound} "
                    "events are queued; the oldest are being dropped",
                    cause,
                )
            self.dropped += dropped
            self._dropped_in_failure += dropped

    def skipped(self, what: str, error: BaseException) -> None:
        """A value could not be encoded (its tensor or event function raised)."""
        with self.lock:
            self._keep(
                f"summary: could not encode {what} for {self._where()}: {error!r}; "
                "that value was skipped",
                error,
            )

    def lost_file(self, path: str | None, events: int, error: OSError) -> None:
        """The open file was deleted; writing goes on in a new one."""
        with self.lock:
            self._keep(
                f"summary: {path} was deleted while being written; logging goes on in a new "
                "file" + (f"; {events} events were lost with it" if events else ""),
                error,
            )

    def take(self, failure: BaseException | None = None, queued: int = 0) -> WriterError:
        """The error to raise now (the pending one, else `failure`), with the drop count."""
        with self.lock:
            pending, self.pending = self.pending, None
            dropped, self.dropped = self.dropped, 0
            self._changed()
        if pending is None:
            pending = (
                f"summary: writing {self._where()} failed: {failure}; "
                f"{queued} queued events are kept and retried",
                failure,
            )
        message, cause = pending
        if dropped:
            message += f"; {dropped} events were dropped while the queue was full"
        return chained_error(message, cause)

    def final(self, lost: int) -> WriterError | None:
        """At close: the error that says what was lost (or what is still pending), if any."""
        with self.lock:
            lost += self.dropped
            failure = self.failure or self.last_failure
            pending, self.pending = self.pending, None
            self.dropped = 0
        if lost:
            return chained_error(
                f"summary: could not write {self._where()}: {failure}; {lost} events were lost",
                failure,
            )
        return None if pending is None else chained_error(*pending)


def chained_error(message: str, cause: BaseException | None) -> WriterError:
    """A WriterError chained to what caused it (the caller sees both)."""
    error = WriterError(message)
    error.__cause__ = cause
    return error
