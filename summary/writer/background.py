"""One event file and the background thread that encodes, frames and appends its records.

Guarantees (docs/guarantees.md lists the tests that hold us to them):
- Order: records reach the file in the order their calls returned, across all threads.
- Bounded loss: the thread wakes at least every `flush_millis`; whatever was queued by then is
  handed to the OS, so a killed process loses only the last interval.
- No waiting: callers append to a queue; only a full queue (back-pressure) makes them wait.
- Errors: a failure in the thread is raised on the caller's thread at its next call, `flush()` or
  `close()`; the thread keeps the unwritten bytes and retries, so logging resumes once the cause
  is fixed.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from summary.writer import encoding, records
from summary.writer.errors import WriterError
from summary.writer.sinks import Sink

SCALAR, TENSOR, EVENT, FLUSH = 0, 1, 2, 3
_CHUNK = 4096  # queue entries encoded per write
_WAKE_BYTES = 1 << 20  # array payloads this large start the thread at once
MAX_PENDING_BYTES = 256 << 20  # array payloads queued before callers wait (back-pressure)
DEFAULT_MAX_QUEUE = 100_000
DEFAULT_FLUSH_MILLIS = 1000
_U32 = records._pack_u32


class EventFile:
    """A queue of pending records, the thread that drains it, and the file it appends to."""

    def __init__(
        self,
        open_sink: Callable[[], Sink],
        max_queue: int = DEFAULT_MAX_QUEUE,
        flush_millis: int = DEFAULT_FLUSH_MILLIS,
    ) -> None:
        self._open_sink = open_sink
        self.max_queue = max(1, max_queue)
        self.flush_millis = max(1, flush_millis)
        self._reset_state()
        self._sink: Sink | None = open_sink()
        self._unwritten.append(records.frame_record(encoding.file_version_event(time.time())))
        self._start_thread()

    def _reset_state(self) -> None:
        self._queue: deque[tuple] = deque()
        self._wake = threading.Event()
        self._space = threading.Condition()
        self._bytes_lock = threading.Lock()
        self._pending_bytes = 0
        self._unwritten: deque[bytes] = deque()
        self._scalar_parts: dict[str, tuple[bytes | None, bytes, bytes, bytes]] = {}
        self._tags_with_metadata: set[str] = set()
        self._error: BaseException | None = None
        self._failure: BaseException | None = None
        self._dropped = 0
        self._stopping = False
        self._thread: threading.Thread | None = None

    def _start_thread(self) -> None:
        self._thread = threading.Thread(target=self._run, name="summary-writer", daemon=True)
        self._thread.start()

    @property
    def path(self) -> str | None:
        return self._sink.path if self._sink is not None else None

    # -- caller side -------------------------------------------------------------------------

    def add_scalar(
        self, tag: str, step: int, value: float, metadata: bytes | None, wall_time: float
    ) -> None:
        """Queue a float32 scalar; the encoding happens on the writer thread."""
        if self._error is not None:
            self._raise_error()
        if self._thread is None:
            self._ensure_thread()
        queue = self._queue
        if len(queue) >= self.max_queue:
            self._make_room()
        queue.append((SCALAR, tag, step, wall_time, value, metadata))

    def add_tensor(
        self,
        tag: str,
        step: int,
        tensor: Callable[[], bytes],
        metadata: bytes | None,
        wall_time: float,
        nbytes: int = 0,
    ) -> None:
        """Queue a value whose serialized TensorProto `tensor()` builds on the writer thread."""
        self._add((TENSOR, tag, step, wall_time, tensor, metadata, nbytes), nbytes)

    def add_event(self, event: Callable[[], bytes], nbytes: int = 0) -> None:
        """Queue a whole Event whose serialized bytes `event()` builds on the writer thread."""
        self._add((EVENT, event, nbytes), nbytes)

    def _add(self, entry: tuple, nbytes: int) -> None:
        if self._error is not None:
            self._raise_error()
        if self._thread is None:
            self._ensure_thread()
        if len(self._queue) >= self.max_queue or self._pending_bytes + nbytes > MAX_PENDING_BYTES:
            self._make_room(nbytes)
        if nbytes:
            with self._bytes_lock:
                self._pending_bytes += nbytes
        self._queue.append(entry)
        if nbytes >= _WAKE_BYTES:
            self._wake.set()

    def _make_room(self, nbytes: int = 0) -> None:
        """Wake the thread; wait while the queue is over its bounds (back-pressure)."""
        self._ensure_thread()
        self._wake.set()
        hard_limit = max(4 * self.max_queue, DEFAULT_MAX_QUEUE)
        with self._space:
            while len(self._queue) >= hard_limit or (
                self._pending_bytes and self._pending_bytes + nbytes > MAX_PENDING_BYTES
            ):
                if self._failure is not None:
                    self._drop_oldest()
                    return
                self._wake.set()
                self._space.wait(0.05)

    def _drop_oldest(self) -> None:
        """While the file cannot be written, bound memory by dropping (and counting) old entries."""
        try:
            entry = self._queue.popleft()
        except IndexError:
            return
        if entry[0] == FLUSH:
            self._queue.appendleft(entry)
            return
        self._release(entry)
        self._dropped += 1

    def flush(self, timeout: float | None = None) -> None:
        """Return once everything queued before this call is handed to the OS."""
        if self._error is not None:
            self._raise_error()
        done = threading.Event()
        self._ensure_thread()
        self._queue.append((FLUSH, done))
        self._wake.set()
        deadline = None if timeout is None else time.monotonic() + timeout
        while not done.wait(0.05):
            if self._failure is not None or self._error is not None:
                self._raise_error(self._failure)
            if self._thread is None or not self._thread.is_alive():
                raise WriterError(f"summary: the writer thread for {self.path} is not running")
            if deadline is not None and time.monotonic() > deadline:
                raise WriterError(f"summary: flush of {self.path} timed out after {timeout} s")
        if self._error is not None:
            self._raise_error()

    def close(self, timeout: float | None = None, wait: bool = True) -> None:
        """Drain the queue, stop the thread and close the file; raises if data could not land.

        With `wait=False` (garbage collection) the thread finishes the work on its own.
        """
        thread = self._thread
        self._stopping = True
        self._wake.set()
        if not wait and thread is not None:
            return
        if thread is not None:
            thread.join(timeout)
            if thread.is_alive():
                raise WriterError(
                    f"summary: gave up after {timeout} s waiting for {self.path}; "
                    f"{len(self._queue)} queued events were not written"
                )
        lost = len(self._queue) + self._dropped
        failure = self._failure or self._error
        self._error = None
        self._close_sink()
        if failure is not None:
            raise WriterError(
                f"summary: could not write {self.path}: {failure}; {lost} events lost"
            ) from failure

    def _raise_error(self, error: BaseException | None = None) -> None:
        error, self._error = error or self._error, None
        dropped = f"; {self._dropped} events dropped so far" if self._dropped else ""
        raise WriterError(f"summary: writing {self.path} failed: {error}{dropped}") from error

    def _ensure_thread(self) -> None:
        if self._thread is None and not self._stopping:
            self._start_thread()

    def after_fork_in_child(self) -> None:
        """Forget the parent's queue, thread and file; open a file of our own on first use."""
        self._reset_state()
        self._sink = None
        self._scalar_parts = {}

    # -- writer thread -----------------------------------------------------------------------

    def _run(self) -> None:
        try:
            self._loop()
        finally:
            if self._stopping:
                self._close_sink()

    def _loop(self) -> None:
        while True:
            self._wake.wait(self.flush_millis / 1000)
            self._wake.clear()
            stopping = self._stopping
            try:
                self._drain()
            except Exception as error:  # keep the thread alive; the caller hears of it
                self._record_failure(error)
            with self._space:
                self._space.notify_all()
            if stopping and (not self._queue or self._failure is not None):
                return

    def _record_failure(self, error: BaseException) -> None:
        if self._failure is None:
            self._error = error
        self._failure = error

    def _drain(self) -> None:
        """Encode and write queued entries, a chunk at a time; flush markers fire in order."""
        if not self._write_unwritten():
            return
        queue = self._queue
        while queue:
            out: list[bytes] = []
            markers: list[threading.Event] = []
            for _ in range(min(len(queue), _CHUNK)):
                entry = queue.popleft()
                if entry[0] == FLUSH:
                    markers.append(entry[1])
                    if out:
                        break
                    continue
                self._encode(entry, out)
            if out:
                self._unwritten.append(b"".join(out))
                if not self._write_unwritten():
                    return
            for marker in markers:
                marker.set()

    def _encode(self, entry: tuple, out: list[bytes]) -> None:
        kind = entry[0]
        if kind == SCALAR:
            _, tag, step, wall_time, value, metadata = entry
            parts = self._scalar_parts.get(tag)
            if parts is None or parts[0] != metadata:
                head, tail = encoding.scalar_event_parts(tag, metadata)
                plain, _ = encoding.scalar_event_parts(tag, None)
                parts = self._scalar_parts[tag] = (metadata, head, tail, plain)
            if tag in self._tags_with_metadata:
                payload = (
                    encoding.event_prefix(wall_time, step)
                    + parts[3]
                    + (encoding.float32_bytes(value))
                )
            else:
                self._tags_with_metadata.add(tag)
                payload = (
                    encoding.event_prefix(wall_time, step)
                    + parts[1]
                    + encoding.float32_bytes(value)
                    + parts[2]
                )
        else:
            try:
                payload = self._payload(entry)
            except Exception as error:  # one bad value must not stop the others
                self._error = error
                return
            finally:
                self._release(entry)
        out.append(records.record_header(len(payload)))
        out.append(payload)
        out.append(_U32(records.masked_crc32c(payload)))

    def _payload(self, entry: tuple) -> bytes:
        if entry[0] == EVENT:
            return entry[1]()
        _, tag, step, wall_time, tensor, metadata, _ = entry
        if tag in self._tags_with_metadata:
            metadata = None
        elif metadata:
            self._tags_with_metadata.add(tag)
        return encoding.value_event(wall_time, step, tag, tensor(), metadata)

    def _release(self, entry: tuple) -> None:
        nbytes = entry[-1] if entry[0] in (TENSOR, EVENT) else 0
        if nbytes:
            with self._bytes_lock:
                self._pending_bytes -= nbytes

    def _write_unwritten(self) -> bool:
        """Write buffered bytes; on an OS error keep the rest for the next try. True if all went."""
        if self._sink is None:
            self._sink = self._open_sink()
            self._unwritten.appendleft(
                records.frame_record(encoding.file_version_event(time.time()))
            )
        pending = self._unwritten
        while pending:
            view = memoryview(pending[0])
            try:
                written = self._sink.write(view)
            except OSError as error:
                self._record_failure(error)
                return False
            if written < len(view):
                pending[0] = bytes(view[written:])
            else:
                pending.popleft()
        self._failure = None
        return True

    def _close_sink(self) -> None:
        sink, self._sink = self._sink, None
        if sink is not None:
            sink.close()

    def __repr__(self) -> str:
        return f"EventFile({self.path!r})"
