"""One EventFile per logdir per process, shared by every writer object that names it.

TensorBoard reads a run's files in name order and never goes back, so two files written at once
in one run directory lose data; writers of one logdir therefore share a file. Files are flushed
and closed at interpreter exit (bounded wait) and forgotten in a forked child, which opens its
own file on first use.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading

from summary.writer.background import EventFile
from summary.writer.sinks import open_sink

EXIT_TIMEOUT_SECONDS = float(os.environ.get("SUMMARY_EXIT_TIMEOUT", "30"))

_lock = threading.Lock()
_files: dict[str, EventFile] = {}
_users: dict[int, int] = {}


def logdir_key(logdir: str) -> str:
    """A canonical name for `logdir`, so two spellings of one directory share a file."""
    return logdir if "://" in logdir else os.path.realpath(logdir)


def acquire(logdir: str, suffix: str, max_queue: int, flush_millis: int) -> EventFile:
    """The open EventFile of `logdir`, created on first use; each call must be `release`d."""
    key = logdir_key(logdir)
    with _lock:
        event_file = _files.get(key)
        if event_file is None:
            event_file = EventFile(lambda: open_sink(logdir, suffix), max_queue, flush_millis)
            _files[key] = event_file
        else:
            event_file.max_queue = min(event_file.max_queue, max_queue)
            event_file.flush_millis = min(event_file.flush_millis, flush_millis)
        _users[id(event_file)] = _users.get(id(event_file), 0) + 1
        return event_file


def release(event_file: EventFile, wait: bool = True) -> None:
    """Give back one use of `event_file`; the last one closes it (raising if data was lost)."""
    with _lock:
        remaining = _users.get(id(event_file), 0) - 1
        if remaining > 0:
            _users[id(event_file)] = remaining
            return
        _users.pop(id(event_file), None)
        for key, candidate in list(_files.items()):
            if candidate is event_file:
                del _files[key]
    event_file.close(wait=wait)


def open_files() -> list[EventFile]:
    """The EventFiles open in this process."""
    with _lock:
        return list(_files.values())


def _close_all_at_exit() -> None:
    for event_file in open_files():
        try:
            release_all(event_file)
        except Exception as error:  # exit must go on; say what was lost
            print(f"summary: at exit: {error}", file=sys.stderr)


def release_all(event_file: EventFile) -> None:
    """Close `event_file` whoever still uses it, waiting at most EXIT_TIMEOUT_SECONDS."""
    with _lock:
        _users.pop(id(event_file), None)
        for key, candidate in list(_files.items()):
            if candidate is event_file:
                del _files[key]
    event_file.close(timeout=EXIT_TIMEOUT_SECONDS)


def _after_fork_in_child() -> None:
    global _lock
    _lock = threading.Lock()
    for event_file in _files.values():
        event_file.after_fork_in_child()


atexit.register(_close_all_at_exit)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
