"""What the encoder says each record of a chunk is, kept from staging until the record is written.

The index beside an event file (file_index.py) is made from these descriptions, never by parsing
the written bytes back: a plain scalar is described by its queue entry, any other record by its
payload (parsed once it is written; such records are rare and costly to encode anyway).
"""

from __future__ import annotations

from collections import deque

import numpy as np

from summary.writer.entries import ScalarTuple


class Batch:
    """The records of one encoded chunk, in order: `described[i]` is a plain scalar's entry (a
    float32 value without metadata) or a payload; `parsed` lists the positions of the payloads;
    `lengths` and `footers` are every record's payload size and footer bytes."""

    __slots__ = ("described", "parsed", "lengths", "footers")

    def __init__(self, described: list[ScalarTuple | bytes], parsed: list[int], parts: list[bytes]):
        self.described = described
        self.parsed = parsed
        self.lengths = np.fromiter(map(len, parts[1::3]), np.int64)  # checked by the index
        self.footers = parts[2::3]

    def __len__(self) -> int:
        return len(self.described)


class _Pending:
    """A batch in the backlog and how many of its records were taken already."""

    __slots__ = ("batch", "taken")

    def __init__(self, batch: Batch) -> None:
        self.batch = batch
        self.taken = 0


class Backlog:
    """Batches staged and not yet completely written, oldest first, each with how many of its
    records were taken already: records leave it once written, or when lost with their file."""

    def __init__(self) -> None:
        self._batches: deque[_Pending] = deque()

    def append(self, batch: Batch) -> None:
        if len(batch):
            self._batches.append(_Pending(batch))

    def appendleft(self, batch: Batch) -> None:
        """A file's first record, staged before everything else."""
        self._batches.appendleft(_Pending(batch))

    def take(self, count: int) -> list[tuple[Batch, int, int]]:
        """The next `count` records as (batch, first, end) ranges; they leave the backlog."""
        taken = []
        batches = self._batches
        while count > 0:
            pending = batches[0]
            batch, first = pending.batch, pending.taken
            end = min(len(batch), first + count)
            taken.append((batch, first, end))
            count -= end - first
            if end == len(batch):
                batches.popleft()
            else:
                pending.taken = end
        return taken
