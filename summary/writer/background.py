"""One event file and the background thread that encodes, frames and appends its records.

Guarantees (docs/guarantees.md lists the tests that hold us to them):
- Order: records reach the file in the order their calls returned, across all threads.
- Bounded loss: the thread wakes at least every `flush_millis`; whatever was queued by then is
  handed to the OS, so a killed process loses only the last interval.
- No waiting: callers append to a queue; only a full queue (back-pressure) makes them wait.
- Errors: a failure in the thread is raised on the caller's thread at its next call, `flush()` or
  `close()`; the thread keeps the unwritten bytes and retries after a growing pause, so logging
  resumes once the cause is fixed. While writes fail and the queue is full, the oldest entries
  are dropped and counted: memory stays bounded.
- A hung file system (one call unanswered for SUMMARY_STALL_TIMEOUT seconds, default 60) counts
  as failing for the callers: a full queue drops its oldest entries instead of waiting, and
  `flush()`/`close()` raise WriterError instead of waiting, so a training loop never hangs on it.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from summary.writer.chunk_encoder import Encoder
from summary.writer.entries import (
    Entry,
    EventEntry,
    FlushMarker,
    ScalarsEntry,
    ScalarTuple,
    SummaryEntry,
    TensorEntry,
    describe,
    events_of,
    nbytes_of,
    scalar_tuples,
)
from summary.writer.errors import WriterClosedError, WriterError
from summary.writer.health import Health, chained_error
from summary.writer.limits import (
    DEFAULT_FLUSH_MILLIS,
    DEFAULT_MAX_QUEUE,
    MAX_PENDING_BYTES,
    MIN_QUEUE_BOUND,
    WAKE_BYTES,
    stall_timeout,
)
from summary.writer.output import Output
from summary.writer.sinks import Sink


class EventFile:
    """A queue of pending records, the thread that drains it, and the file it appends to."""

    max_pending_bytes = MAX_PENDING_BYTES

    def __init__(
        self,
        open_sink: Callable[[], Sink],
        max_queue: int = DEFAULT_MAX_QUEUE,
        flush_millis: int = DEFAULT_FLUSH_MILLIS,
        label: str | None = None,
    ) -> None:
        self._open_sink = open_sink
        self.max_queue = max(1, max_queue)
        self.flush_millis = max(1, flush_millis)
        self._label = label
        self.stall_timeout = stall_timeout()
        self._reset_state()
        self._output.open()  # an OSError here (cannot create the file) goes to the caller
        self._start_thread()

    def _reset_state(self) -> None:
        self._queue: deque[Entry] = deque()
        self._wake = threading.Event()  # drain now (queue over max_queue, big array, flush)
        self._urgent = threading.Event()  # retry a failing write now (flush, close)
        self._space = threading.Condition()  # back-pressure: callers wait here for the thread
        self._bytes_lock = threading.Lock()
        self._pending_bytes = 0  # array bytes queued or staged and not yet written
        self._staged_bytes = 0  # of which staged (taken off the queue by the thread)
        # Events queued beyond one per entry (a ScalarsEntry's other values), bytes_lock held;
        # add_scalar's fast path looks at len(queue) alone (the slow path counts these), so
        # scalars logged singly after batches may pass the bound by up to max_queue entries.
        self._batched = 0
        self._health = Health(self._where, self._update_attention)
        self._lock = self._health.lock  # also guards thread start and closing
        self._encoder = Encoder(self._skip, self._expand)
        self._output = Output(self._open_sink, self._encoder.new_file, self._health.lost_file)
        self._closed = False
        self._close_reported = False
        self._thread: threading.Thread | None = None
        self._attention = True  # the caller's slow path must run: see _update_attention

    @property
    def path(self) -> str | None:
        """The file being written (the last one, once closed)."""
        return self._output.path

    @property
    def queue_bound(self) -> int:
        """Entries queued before a logging call waits (or, while writes fail, drops the oldest)."""
        return max(4 * self.max_queue, MIN_QUEUE_BOUND)

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def draining(self) -> bool:
        """True while the writer thread runs."""
        thread = self._thread
        return thread is not None and thread.is_alive()

    def _where(self) -> str:
        return self._output.path or repr(self._label)

    # -- caller side -------------------------------------------------------------------------

    def add_scalar(
        self, tag: str, step: int, value: float, metadata: bytes | None, wall_time: float
    ) -> None:
        """Queue a float32 scalar; the encoding happens on the writer thread."""
        queue = self._queue
        queue.append(entry := (tag, step, wall_time, value, metadata))  # ScalarEntry fields
        if self._attention or len(queue) >= self.max_queue:
            self._after_append(entry)

    def add_scalars(self, entry: ScalarsEntry) -> None:
        """Queue one call's scalars as one entry; the bound counts each of its values."""
        extra = len(entry.tags) - 1
        if extra:
            with self._bytes_lock:
                self._batched += extra
        queue = self._queue
        queue.append(entry)
        if self._attention or len(queue) + self._batched >= self.max_queue:
            self._after_append(entry)

    def add_tensor(self, entry: TensorEntry) -> None:
        """Queue a value whose serialized TensorProto `entry.tensor()` builds on the writer
        thread."""
        self._add(entry)

    def add_summary(self, step: int, summary: Any, wall_time: float, nbytes: int = 0) -> None:
        """Queue a whole Summary message (legacy values); like other values, each tag's plugin
        metadata is kept on its first value in the file and dropped from later ones."""
        tag = summary.value[0].tag if summary.value else ""
        self._add(SummaryEntry(tag, step, wall_time, summary, nbytes))

    def add_event(self, event: Callable[[], bytes], nbytes: int = 0) -> None:
        """Queue a whole Event whose serialized bytes `event()` builds on the writer thread."""
        self._add(EventEntry(event, nbytes))

    def _add(self, entry: TensorEntry | SummaryEntry | EventEntry) -> None:
        nbytes = entry.nbytes
        if nbytes:
            with self._bytes_lock:
                self._pending_bytes += nbytes
        queue = self._queue
        queue.append(entry)
        if (
            self._attention
            or len(queue) + self._batched >= self.max_queue
            or self._pending_bytes > self.max_pending_bytes
        ):
            self._after_append(entry)
        elif nbytes >= WAKE_BYTES:
            self._wake_thread()

    def _wake_thread(self) -> None:
        """Wake the writer thread; setting an Event takes a lock, so skip it when already set
        (a queue over max_queue takes this path on every call). The entry is queued before, and
        the thread clears the flag before it drains, so no wake-up is lost."""
        if not self._wake.is_set():
            self._wake.set()

    def _after_append(self, entry: Entry) -> None:
        """The slow path: a closed file, a thread to start, an error to report, a full queue.

        It runs after the append, so a call racing `close()` either has its entry written or
        takes it back and raises WriterClosedError — it never returns with the entry lost.
        """
        if self._closed:
            self._withdraw(entry)
            return
        if self._thread is None:
            self._start_thread()
        self._wake_thread()
        if self._health.pending is not None:
            raise self._health.take()  # an earlier failure; this call's entry stays queued
        if self._queued() >= self.queue_bound or self._pending_bytes > self.max_pending_bytes:
            self._make_room()
            if self._closed:
                self._withdraw(entry)

    def _queued(self) -> int:
        """Events queued (a ScalarsEntry counts its values; flush markers count too)."""
        return len(self._queue) + self._batched

    def _withdraw(self, entry: Entry) -> None:
        try:
            self._queue.remove(entry)
        except ValueError:
            return  # the thread took it already: it is written like any other
        self._release(entry)
        raise WriterClosedError(
            f"summary: the event file {self._where()} is closed; create a new writer to log more"
        )

    def _make_room(self) -> None:
        """Wait while the queue is over its bounds (back-pressure) — or, while the file cannot
        be written, drop the oldest entries instead, so memory stays bounded."""
        bound = self.queue_bound
        with self._space:
            while self._queued() >= bound or self._pending_bytes > self.max_pending_bytes:
                if self._closed:
                    return
                cause = self._health.failure or self._stall()
                if cause is not None:
                    self._drop_oldest(bound, cause)
                    return
                thread = self._thread
                if thread is None or not thread.is_alive():
                    return
                self._wake.set()
                self._space.wait(0.05)

    def _stall(self) -> TimeoutError | None:
        """What to tell callers when a file-system call has gone unanswered past the timeout."""
        since = self._output.busy_since
        if since is None:
            return None
        waited = time.monotonic() - since
        if waited <= self.stall_timeout:
            return None
        return TimeoutError(f"the file system has not answered a call for {waited:.3g} s")

    def _drop_oldest(self, bound: int, cause: BaseException) -> None:
        """Drop (and count) the oldest entries until the queue is within its bounds."""
        queue = self._queue
        markers: list[Entry] = []
        dropped = 0
        while self._queued() >= bound or self._pending_bytes > self.max_pending_bytes:
            try:
                entry = queue.popleft()
            except IndexError:
                break
            if type(entry) is FlushMarker:
                markers.append(entry)  # its flush() raises on the failure itself
                continue
            self._release(entry)
            dropped += events_of(entry)
        queue.extendleft(reversed(markers))
        self._health.count_dropped(dropped, bound, cause)

    def flush(self, timeout: float | None = None) -> None:
        """Return once everything queued before this call is handed to the OS.

        A failing file is retried at once; if that fails, or the file system does not answer,
        WriterError says why.
        """
        if self._closed:
            return
        if self._thread is None:
            self._start_thread()
        health = self._health
        if health.pending is not None:
            raise health.take()
        failures = health.failures
        done = threading.Event()
        self._queue.append(FlushMarker(done))
        self._urgent.set()
        self._wake.set()
        deadline = None if timeout is None else time.monotonic() + timeout
        while not done.wait(0.05):
            if health.failures != failures:
                raise health.take(health.last_failure, self._unwritten())
            if not self.draining:
                if self._closed:
                    return
                raise WriterError(f"summary: the writer thread for {self._where()} is not running")
            if deadline is not None and time.monotonic() > deadline:
                raise WriterError(f"summary: flush of {self._where()} timed out after {timeout} s")
            stall = self._stall()
            if stall is not None:
                raise self._gave_up("flush", stall)
        if health.pending is not None:
            raise health.take()

    def close(self, timeout: float | None = None, wait: bool = True) -> None:
        """Drain the queue, stop the thread, close the file; raise WriterError if events were lost.

        A failing file gets one more try. `timeout` bounds the wait for a file system that does
        not answer. With `wait=False` the thread finishes on its own.
        """
        with self._lock:
            self._closed = True
            self._update_attention()
        self._urgent.set()
        self._wake.set()
        if not wait:
            return
        thread = self._thread
        if thread is None:  # no thread ever ran (or could not start): write from here
            self._drain_once()
            self._close_output()
        elif thread is not threading.current_thread():
            self._join(thread, timeout)
        with self._lock:
            if self._close_reported:
                return
            self._close_reported = True
        error = self._health.final(self._unwritten())
        if error is not None:
            raise error

    def _join(self, thread: threading.Thread, timeout: float | None) -> None:
        """Wait for the thread to finish its last drain, giving up after `timeout` or when the
        file system stops answering."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while thread.is_alive():
            left = None if deadline is None else deadline - time.monotonic()
            thread.join(0.05 if left is None else max(0.0, min(0.05, left)))
            if not thread.is_alive():
                return
            if left is not None and left <= 0:
                raise WriterError(
                    f"summary: gave up after {timeout:.3g} s waiting for {self._where()}: the "
                    f"file system does not answer; {self._unwritten()} events were not written"
                )
            stall = self._stall()
            if stall is not None:
                raise self._gave_up("close", stall)

    def _gave_up(self, what: str, stall: TimeoutError) -> WriterError:
        """The error of a flush() or close() that stops waiting for a hung file system."""
        return chained_error(
            f"summary: {what} of {self._where()} gave up: {stall}; "
            f"{self._unwritten()} events are not written yet (they are if it answers)",
            stall,
        )

    def _unwritten(self) -> int:
        """Events queued or staged and not yet (completely) written."""
        try:
            queued = sum(map(events_of, self._queue))
        except RuntimeError:  # appended to meanwhile
            queued = self._queued()
        return queued + self._output.unwritten_events

    def _update_attention(self) -> None:
        """With the lock held: callers take the slow path while this is True."""
        self._attention = self._closed or self._thread is None or self._health.pending is not None

    def _start_thread(self) -> None:
        with self._lock:
            if self._thread is not None or self._closed:
                return
            thread = threading.Thread(target=self._run, name="summary-writer", daemon=True)
            try:
                thread.start()
            except RuntimeError:  # interpreter shutdown: close() writes from the caller's thread
                return
            self._thread = thread
            self._update_attention()

    def after_fork_in_child(self) -> None:
        """Forget the parent's queue, thread and file; open a file of our own on first use."""
        self._reset_state()

    # -- writer thread -----------------------------------------------------------------------

    def _run(self) -> None:
        try:
            while True:
                self._sleep()
                closing = self._closed
                self._drain_once()
                with self._space:
                    self._space.notify_all()
                if closing and (not self._queue or self._health.failure is not None):
                    return
        finally:
            self._close_output()

    def _sleep(self) -> None:
        """Wait for work: `flush_millis` at most; while failing, a pause that doubles each time."""
        if self._closed:
            return
        if self._health.failure is None:
            self._wake.wait(self.flush_millis / 1000)
        else:  # producers' wake-ups do not cut the pause short; flush() and close() do
            self._urgent.wait(self._health.next_retry_delay())
        self._wake.clear()
        self._urgent.clear()

    def _drain_once(self) -> None:
        try:
            self._drain()
        except Exception as error:  # the file system, or a bug: keep the thread, tell the caller
            self._health.fail(error)

    def _drain(self) -> None:
        """Write what is staged, then encode and write queued entries a chunk at a time."""
        output = self._output
        queue = self._queue
        if not output and not queue:
            output.catch_up_index(force=False)
            return  # nothing to do: do not open a file (a forked child that never logs)
        output.write()
        self._release_staged()
        while queue:
            self._write_chunk(queue)
        output.catch_up_index(force=False)
        if self._health.failure is not None or self._health.dropped:
            self._health.recover()

    def _write_chunk(self, queue: deque[Entry]) -> None:
        """Encode and write one chunk (its bytes are freed on return, before the next one)."""
        self._output.prepare_for_chunk()
        parts, size, batch, markers, nbytes = self._encoder.encode_chunk(queue)
        self._staged_bytes += nbytes  # still counted against the bound until written
        if parts:
            self._output.stage(parts, size, batch)
            del parts
            self._output.write()  # an OSError leaves the markers unset: flush() sees it
        self._release_staged()
        if markers:
            self._output.catch_up_index(force=True)  # a flushed run is an indexed run
        for marker in markers:
            marker.set()

    def _skip(self, entry: Entry, error: BaseException) -> None:
        self._health.skipped(describe(entry), error)

    def _expand(self, entry: ScalarsEntry) -> list[ScalarTuple]:
        """A ScalarsEntry's values, read here; they go back on the queue one entry each."""
        self._unbatch(entry)
        return scalar_tuples(entry, self._skip)

    def _release(self, entry: Entry) -> None:
        nbytes = nbytes_of(entry)
        if nbytes:
            with self._bytes_lock:
                self._pending_bytes -= nbytes
        if type(entry) is ScalarsEntry:
            self._unbatch(entry)

    def _unbatch(self, entry: ScalarsEntry) -> None:
        """The entry left the queue: its values beyond the first no longer count there."""
        extra = len(entry.tags) - 1
        if extra:
            with self._bytes_lock:
                self._batched -= extra

    def _release_staged(self) -> None:
        """Everything staged is written: its array bytes no longer count."""
        if self._staged_bytes:
            with self._bytes_lock:
                self._pending_bytes -= self._staged_bytes
            self._staged_bytes = 0

    def _close_output(self) -> None:
        try:
            self._output.close()
        except OSError as error:
            self._health.fail(error)

    def __repr__(self) -> str:
        return f"EventFile({self.path!r})"
