"""One EventFile per logdir per process, shared by every writer object that names it.

TensorBoard reads a run's files in name order and never goes back, so two files written at once
in one run directory lose data; writers of one logdir therefore share a file. Files are drained
and closed at interpreter exit within SUMMARY_EXIT_TIMEOUT seconds in all, also in
multiprocessing children (which leave through `os._exit`), and forgotten in a forked child,
which opens its own file on first use.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
import time
from collections import deque

from summary.writer.background import EventFile
from summary.writer.errors import WriterError
from summary.writer.sinks import open_sink

DEFAULT_EXIT_TIMEOUT_SECONDS = 30.0

_lock = threading.Lock()
_files: dict[str, EventFile] = {}
_users: dict[int, int] = {}
_released_by_gc: deque[EventFile] = deque()  # closed at the next registry call, lock-free
_closing: set[EventFile] = set()  # closed without waiting; drained at exit
_pid = os.getpid()


def logdir_key(logdir: str) -> str:
    """A canonical name for `logdir`, so two spellings of one directory share a file."""
    return logdir.rstrip("/") if "://" in logdir else os.path.realpath(logdir)


def acquire(logdir: str, suffix: str, max_queue: int, flush_millis: int) -> EventFile:
    """The open EventFile of `logdir`, created on first use; each call must be `release`d."""
    key = logdir_key(logdir)
    with _lock:
        _close_released_by_gc()
        event_file = _files.get(key)
        if event_file is None:
            try:
                event_file = EventFile(
                    lambda: open_sink(logdir, suffix), max_queue, flush_millis, label=logdir
                )
            except OSError as error:
                raise WriterError(
                    f"summary.create_file_writer: cannot create an event file in {logdir!r}: "
                    f"{error}"
                ) from error
            _files[key] = event_file
        else:
            event_file.max_queue = min(event_file.max_queue, max_queue)
            event_file.flush_millis = min(event_file.flush_millis, flush_millis)
        _users[id(event_file)] = _users.get(id(event_file), 0) + 1
        return event_file


def release(event_file: EventFile) -> None:
    """Give back one use of `event_file`; the last one closes it (raising if data was lost)."""
    with _lock:
        _close_released_by_gc()
        last = _drop_use(event_file)
    if last:
        event_file.close()


def release_later(event_file: EventFile) -> None:
    """`release` for a garbage-collected writer: never blocks (GC may run while we hold the
    lock); the file is closed without waiting and drained by its thread, or at exit."""
    _released_by_gc.append(event_file)
    if _lock.acquire(blocking=False):
        try:
            _close_released_by_gc()
        finally:
            _lock.release()


def _close_released_by_gc() -> None:
    """With the lock held: close files whose last user was garbage-collected."""
    while _released_by_gc:
        event_file = _released_by_gc.popleft()
        if _drop_use(event_file):
            event_file.close(wait=False)
            _closing.add(event_file)
    for event_file in [f for f in _closing if not f.draining]:
        _closing.discard(event_file)


def _drop_use(event_file: EventFile) -> bool:
    """With the lock held: one use fewer; True (and forgotten) when it was the last."""
    remaining = _users.get(id(event_file), 0) - 1
    if remaining > 0:
        _users[id(event_file)] = remaining
        return False
    _users.pop(id(event_file), None)
    for key, candidate in list(_files.items()):
        if candidate is event_file:
            del _files[key]
    return True


def exit_timeout() -> float:
    """SUMMARY_EXIT_TIMEOUT: seconds the exit drain waits for all files together (default 30)."""
    try:
        return max(0.0, float(os.environ.get("SUMMARY_EXIT_TIMEOUT", "")))
    except ValueError:
        return DEFAULT_EXIT_TIMEOUT_SECONDS


def close_all(timeout: float) -> None:
    """Close every file of this process, waiting `timeout` seconds in all; report losses on
    stderr (exit must go on)."""
    got_lock = _lock.acquire(timeout=timeout)
    try:
        files = list(_files.values()) + list(_closing)
        _files.clear()
        _users.clear()
        _closing.clear()
    finally:
        if got_lock:
            _lock.release()
    deadline = time.monotonic() + timeout
    for event_file in files:
        event_file.close(wait=False)  # every thread starts its last drain now
    for event_file in files:
        try:
            event_file.close(timeout=max(0.0, deadline - time.monotonic()))
        except Exception as error:
            print(f"summary: at exit: {error}", file=sys.stderr)


def _close_all_at_exit() -> None:
    close_all(exit_timeout())


def _close_all_before_threads_stop() -> None:
    """Exit of a forked or multiprocessing child: it may leave through os._exit, which skips
    atexit, but it does run threading's shutdown hooks. The main process waits for atexit, so
    that its non-daemon threads can still log until they end."""
    multiprocessing = sys.modules.get("multiprocessing")
    child = multiprocessing is not None and multiprocessing.parent_process() is not None
    if os.getpid() != _pid or child:
        _close_all_at_exit()


def _after_fork_in_child() -> None:
    global _lock
    _lock = threading.Lock()
    _released_by_gc.clear()
    _closing.clear()  # the parent's files: its own thread finishes them
    for event_file in _files.values():
        event_file.after_fork_in_child()


atexit.register(_close_all_at_exit)
try:
    threading._register_atexit(_close_all_before_threads_stop)  # type: ignore[attr-defined]
except (AttributeError, RuntimeError):  # not CPython, or imported during shutdown
    pass
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
