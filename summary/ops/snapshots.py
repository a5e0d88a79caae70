"""Copies of the caller's arrays for the writer thread, made into recycled buffers.

The caller may change its array right after a call, so large inputs are copied before they are
queued. Fresh memory is paid for in page faults on first touch (a 40 MB copy took 4-90 ms into
new memory against 2-4 ms into memory touched before), so buffers of a size and dtype seen
before are reused once the writer thread is done with them.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

_MIN_POOLED_BYTES = 1 << 20  # smaller copies are cheap anyway
_PER_SHAPE = 2  # one being filled by the caller, one being read by the writer thread
_MAX_POOLED_BYTES = 256 << 20

_lock = threading.Lock()
_free: OrderedDict[tuple[int, str], list[np.ndarray]] = OrderedDict()
_pooled_bytes = 0


def flat_snapshot(array: np.ndarray) -> np.ndarray:
    """A flat, C-contiguous copy of `array`; give it back with `recycle` when done reading it."""
    if array.nbytes < _MIN_POOLED_BYTES:
        return array.flatten()
    buffer = _take((array.size, array.dtype.str))
    if buffer is None:
        return array.flatten()
    np.copyto(buffer, array.reshape(-1))
    return buffer


def recycle(buffer: np.ndarray) -> None:
    """Return a snapshot's memory for reuse (it must not be read afterwards)."""
    global _pooled_bytes
    if buffer.nbytes < _MIN_POOLED_BYTES or buffer.base is not None:
        return
    key = (buffer.size, buffer.dtype.str)
    with _lock:
        free = _free.setdefault(key, [])
        _free.move_to_end(key)
        if len(free) >= _PER_SHAPE:
            return
        free.append(buffer)
        _pooled_bytes += buffer.nbytes
        while _pooled_bytes > _MAX_POOLED_BYTES:
            _, evicted = _free.popitem(last=False)
            _pooled_bytes -= sum(item.nbytes for item in evicted)


def _take(key: tuple[int, str]) -> np.ndarray | None:
    global _pooled_bytes
    with _lock:
        free = _free.get(key)
        if not free:
            return None
        buffer = free.pop()
        _pooled_bytes -= buffer.nbytes
        return buffer
