"""The reading workload, run inside a worker: load a whole scalar file, CRCs checked, and count.

Readers are the rows of this table. Each one loads every value into memory, as a dashboard or an
analysis script does, and reports how many scalar values it saw (the check that none was lost).
"""

from __future__ import annotations

import os
import time
from typing import Any

from writing import scalar_step, scalar_tag, scalar_value

READERS = ("summary.reader", "summary.reader.iter_events", "EventAccumulator")


def write_file(logdir: str, count: int, tags: int) -> str:
    """The file every reader reads: `count` scalars over `tags` tags, written by `summary`."""
    import summary

    names = [scalar_tag(i, tags) for i in range(tags)]
    with summary.create_file_writer(logdir).as_default() as writer:
        for i in range(count):
            summary.scalar(names[i % tags], scalar_value(i), scalar_step(i, tags))
    writer.close()
    (name,) = os.listdir(logdir)
    return os.path.join(logdir, name)


def _load(path: str) -> int:
    """The reader's fast path: `summary.reader.load` of the run, every value decoded."""
    from summary.reader import load

    loaded = load(os.path.dirname(path), on_corruption="raise")
    return sum(len(series.values) for run in loaded.values() for series in run.values())


def _iter_events(path: str) -> int:
    from summary.reader import iter_events

    series: dict[str, list] = {}
    for event in iter_events(path, on_corruption="raise"):
        for value in event.summary.value:
            series.setdefault(value.tag, []).append((event.wall_time, event.step, value.tensor))
    return sum(len(values) for values in series.values())


def _event_accumulator(path: str) -> int:
    from tensorboard.backend.event_processing import plugin_event_accumulator as pea

    acc = pea.EventAccumulator(path, size_guidance={pea.TENSORS: 0})
    acc.Reload()
    return sum(len(acc.Tensors(tag)) for tag in acc.Tags()[pea.TENSORS])


def read(reader: str, path: str) -> dict[str, Any]:
    """Time one reader over `path`; events/s counts scalar values read."""
    import summary.reader

    if reader == "summary.reader" and not hasattr(summary.reader, "load"):
        return {"skipped": "summary.reader.load (the fast path) has not landed yet"}
    load = {
        "summary.reader": _load,
        "summary.reader.iter_events": _iter_events,
        "EventAccumulator": _event_accumulator,
    }[reader]
    start = time.perf_counter()
    values = load(path)
    seconds = time.perf_counter() - start
    return {"values": values, "seconds": seconds, "events_per_s": values / seconds}
