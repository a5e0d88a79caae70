"""Copies of the caller's arrays for the writer thread, made into recycled buffers.

The caller may change its array right after a call, so large inputs are copied before they are
queued. Fresh memory is paid for in page faults on first touch (a 40 MB copy takes about 2 ms
into memory touched before, 4 ms into fresh memory at best and up to 100 ms when the kernel must
first compact memory for huge pages), so buffers the writer thread is done with are kept, up to
a byte budget, and reused for the next copy of the same size and dtype: a run that logs several
layers of one shape per step copies into warm memory from its second step on.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np

from summary.writer.limits import MAX_PENDING_BYTES
from summary.writer.locks import ForkSafeLock

_MIN_POOLED_BYTES = 1 << 20  # smaller copies are cheap anyway
_MAX_POOLED_BYTES = MAX_PENDING_BYTES  # as much as a writer holds queued before callers wait

_lock = ForkSafeLock()
_free: OrderedDict[tuple[int, str], list[np.ndarray]] = OrderedDict()  # least recently used first
_pooled_bytes = 0


def flat_snapshot(array: np.ndarray) -> np.ndarray:
    """A flat, C-contiguous copy of `array`; give it back with `recycle` when done reading it."""
    if array.nbytes < _MIN_POOLED_BYTES:
        return array.flatten()
    buffer = _take((array.size, array.dtype.str))
    if buffer is None:
        return array.flatten()
    np.copyto(buffer.reshape(array.shape), array)
    return buffer


def recycle(buffer: np.ndarray) -> None:
    """Return a snapshot's memory for reuse (it must not be read afterwards)."""
    global _pooled_bytes
    if buffer.nbytes < _MIN_POOLED_BYTES or buffer.base is not None:
        return
    key = (buffer.size, buffer.dtype.str)
    with _lock:
        _free.setdefault(key, []).append(buffer)
        _free.move_to_end(key)
        _pooled_bytes += buffer.nbytes
        while _pooled_bytes > _MAX_POOLED_BYTES:
            oldest_key, oldest = next(iter(_free.items()))
            _pooled_bytes -= oldest.pop().nbytes
            if not oldest:
                del _free[oldest_key]


def _take(key: tuple[int, str]) -> np.ndarray | None:
    global _pooled_bytes
    with _lock:
        free = _free.get(key)
        if not free:
            return None
        buffer = free.pop()
        if not free:
            del _free[key]
        _pooled_bytes -= buffer.nbytes
        return buffer
