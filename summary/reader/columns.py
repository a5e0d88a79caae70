"""Growing numpy columns: how the reader keeps a tag's steps, wall times and numbers.

A Python list of floats costs about 32 bytes per value (the float object and its pointer); a
column costs 8. Capacity doubles (or is reserved up front, when a reader can tell how many
values will come); the part not yet written is never touched (`np.empty`, or an anonymous
mapping for a large column, not `ndarray.resize`, which zero-fills), so it costs address space
but no resident memory, and the finished column is cut to its size without a copy.
"""

from __future__ import annotations

import mmap
from typing import Any

import numpy as np

_FIRST_CAPACITY = 64
_MAPPED_BYTES = 4 << 20


class Column:
    """An append-only 1-D array of one dtype."""

    __slots__ = ("_array", "size")

    def __init__(self, dtype: type[np.generic]) -> None:
        self._array = np.empty(_FIRST_CAPACITY, dtype=dtype)
        self.size = 0

    def append(self, item: Any) -> None:
        if self.size == len(self._array):
            self._grow(self.size + 1)
        self._array[self.size] = item
        self.size += 1

    def extend(self, items: np.ndarray) -> None:
        end = self.size + len(items)
        if end > len(self._array):
            self._grow(end)
        self._array[self.size : end] = items
        self.size = end

    def take(self, source: np.ndarray, indices: np.ndarray | slice) -> None:
        """Append source[indices] (an index array or a slice), gathered straight into the
        column."""
        if isinstance(indices, slice):
            self.extend(source[indices])  # a view: copied once, into the column
            return
        end = self.size + len(indices)
        if end > len(self._array):
            self._grow(end)
        np.take(source, indices, out=self._array[self.size : end])
        self.size = end

    def reserve(self, capacity: int) -> None:
        """Make room for `capacity` values (address space only until they are written)."""
        if capacity > len(self._array):
            self._grow(capacity)

    def array(self) -> np.ndarray:
        """The values so far, in an array of their size: a view of a mapped column, or the
        column shrunk in place when nothing else refers to it; a copy otherwise."""
        if self.size < len(self._array):
            if not self._array.flags.owndata:  # mapped: the untouched rest costs no memory
                self._array = self._array[: self.size]
                return self._array
            try:
                self._array.resize(self.size)
            except ValueError:  # referenced elsewhere
                self._array = self._array[: self.size].copy()
        return self._array

    def _grow(self, needed: int) -> None:
        grown = _fresh(max(needed, 2 * len(self._array)), self._array.dtype)
        grown[: self.size] = self._array[: self.size]
        self._array = grown


def _fresh(count: int, dtype: np.dtype[Any]) -> np.ndarray:
    """An uninitialised array; a large one in its own anonymous mapping, left to ordinary pages
    (numpy asks for huge pages above 4 MiB, which made filling 240 MB of results ~0.2 s slower
    on a 2-core VM: each first touch clears 2 MiB)."""
    size = count * dtype.itemsize
    if size < _MAPPED_BYTES:
        return np.empty(count, dtype=dtype)
    return np.frombuffer(mmap.mmap(-1, size), dtype=dtype)
