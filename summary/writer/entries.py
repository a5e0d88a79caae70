"""What callers put on an event file's queue and the writer thread takes off it.

Each kind is a NamedTuple: callers build one per logged value, the encoder dispatches on its type
and reads its fields by name. `nbytes` is the array payload an entry holds (0 for none); the
queue's byte bound counts it from the append until the record is written.

One exception, measured: scalars, the hot path, are queued as plain tuples laid out as
`ScalarEntry`'s fields. Building a NamedTuple instance costs ~1,400 more instructions than a
tuple (tuple subclasses are allocated and copied through `tuple.__new__`): +15% on a
`summary.scalar` call, +20% on `add_scalar`. `EventFile.add_scalar` builds it; `nbytes_of` and
the encoder's dispatch are the two places that know.

Another, also measured: a call that logs many scalars at once (clu's `write_scalars`) queues one
`ScalarsEntry` for all of them, which the writer thread turns into one scalar tuple per value
(`scalar_tuples`); an entry per value cost ~1 µs each on the caller's thread. The queue's bound
and its loss counts count such an entry as its values (`events_of`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, NamedTuple


class ScalarEntry(NamedTuple):
    """One float32 scalar; encoded from a per-tag cached frame (the hot path). Queued as a plain
    tuple of these fields (`scalar_entry`); the encoder unpacks it in this order."""

    tag: str
    step: int
    wall_time: float
    value: float
    metadata: bytes | None  # serialized SummaryMetadata; written with the tag's first value

    @property
    def nbytes(self) -> int:
        """A scalar holds no array memory."""
        return 0


class TensorEntry(NamedTuple):
    """One value whose serialized TensorProto `tensor()` builds on the writer thread."""

    tag: str
    step: int
    wall_time: float
    tensor: Callable[[], bytes]
    metadata: bytes | None
    nbytes: int


class SummaryEntry(NamedTuple):
    """A whole Summary message (legacy values); metadata kept on each tag's first value only."""

    tag: str  # of its first value, for error messages
    step: int
    wall_time: float
    summary: Any  # summary_pb2.Summary
    nbytes: int


class EventEntry(NamedTuple):
    """A whole Event whose serialized bytes `event()` builds on the writer thread."""

    event: Callable[[], bytes]
    nbytes: int


class ScalarsEntry(NamedTuple):
    """One call's float32 scalars, all at one step and wall time, each written as a ScalarEntry.

    A value that is not a Python float is read on the writer thread by `read` (a JAX array's
    device-to-host read, which also waits for the computation that makes it)."""

    tags: tuple[str, ...]
    values: tuple[Any, ...]
    step: int
    wall_time: float
    metadata: bytes | None
    read: Callable[[Any], float]

    @property
    def nbytes(self) -> int:
        """Its values hold no array memory the byte bound counts."""
        return 0


class FlushMarker(NamedTuple):
    """Set once everything queued before it is handed to the OS (what `flush()` waits for)."""

    done: threading.Event

    @property
    def nbytes(self) -> int:
        """A marker holds no array memory."""
        return 0


ScalarTuple = tuple[str, int, float, float, "bytes | None"]  # ScalarEntry's fields, as queued
Entry = ScalarTuple | TensorEntry | SummaryEntry | EventEntry | ScalarsEntry | FlushMarker


def nbytes_of(entry: Entry) -> int:
    """Array bytes an entry holds (a scalar holds none)."""
    return 0 if type(entry) is tuple else entry.nbytes  # type: ignore[union-attr]


def events_of(entry: Entry) -> int:
    """Events an entry is written as: a ScalarsEntry one per value, a marker none, others one."""
    kind = type(entry)
    if kind is ScalarsEntry:
        return len(entry.tags)  # type: ignore[union-attr]
    return 0 if kind is FlushMarker else 1


def scalar_tuples(
    entry: ScalarsEntry, skip: Callable[[ScalarTuple, BaseException], None]
) -> list[ScalarTuple]:
    """The entry's values as scalar tuples, in order; `skip` hears of a value `read` failed on
    (a deleted JAX array), and the others are kept."""
    _, _, step, wall_time, metadata, read = entry
    out: list[ScalarTuple] = []
    for tag, value in zip(entry.tags, entry.values, strict=True):
        if type(value) is not float:
            try:
                value = read(value)
            except BaseException as error:  # as the encoder: one bad value must not stop the rest
                skip((tag, step, wall_time, value, metadata), error)
                continue
        out.append((tag, step, wall_time, value, metadata))
    return out


def describe(entry: Entry) -> str:
    """The entry as an error message names it: the tag and step, or "an event"."""
    if type(entry) is tuple:
        entry = ScalarEntry._make(entry)
    if isinstance(entry, (ScalarEntry, TensorEntry, SummaryEntry)):
        return f"{entry.tag!r} at step {entry.step}"
    return "an event"
