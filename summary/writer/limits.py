"""The writer's tunables in one place: queue and memory bounds, flush cadence, chunk sizes and the
stall timeout. Each bound keeps memory or latency finite; the comments say which."""

from __future__ import annotations

import math
import os

DEFAULT_MAX_QUEUE = 100_000  # `max_queue`: entries queued before the writer thread is woken
DEFAULT_FLUSH_MILLIS = 1000  # `flush_millis`: the longest a logged event waits for the OS
MIN_QUEUE_BOUND = 100_000  # entries queued before callers wait: max(4 * max_queue, this)
MAX_PENDING_BYTES = 256 << 20  # array payloads queued before callers wait (back-pressure)
WAKE_BYTES = 1 << 20  # an array payload this large wakes the writer thread at once
CHUNK_ENTRIES = 4096  # queue entries encoded per write ...
CHUNK_BYTES = 4 << 20  # ... or this many encoded bytes, whichever comes first
DEFAULT_STALL_SECONDS = 60.0  # see stall_timeout()


def stall_timeout() -> float:
    """SUMMARY_STALL_TIMEOUT: seconds one file-system call may go unanswered before callers stop
    waiting for it (default 60; a slow disk answers each call, a hung one never does). Zero or
    less waits forever, as tf.summary does."""
    try:
        seconds = float(os.environ.get("SUMMARY_STALL_TIMEOUT", ""))
    except ValueError:
        return DEFAULT_STALL_SECONDS
    return seconds if seconds > 0 else math.inf
