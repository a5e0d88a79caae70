"""Growing numpy columns: how the reader keeps a tag's steps, wall times and numbers.

A Python list of floats costs about 32 bytes per value (the float object and its pointer); a
column costs 8. Growth reallocates in place (`ndarray.resize`), so a large column is moved by
the allocator's remapping rather than copied beside itself, and the capacity not yet written
is never touched, so it costs no resident memory.
"""

from __future__ import annotations

from typing import Any

import numpy as np

_FIRST_CAPACITY = 64


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

    def array(self) -> np.ndarray:
        """The values so far, trimmed to their count (the column keeps no other copy)."""
        self._array.resize(self.size, refcheck=False)
        return self._array

    def _grow(self, needed: int) -> None:
        self._array.resize(max(needed, 2 * len(self._array)), refcheck=False)
