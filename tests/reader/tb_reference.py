"""TensorBoard's own code as the reference: its writer to make files, its loader to read them."""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pytest

pytest.importorskip("tensorboard")

from tensorboard.backend.event_processing import event_file_loader  # noqa: E402
from tensorboard.compat.proto import event_pb2, summary_pb2  # noqa: E402
from tensorboard.summary.writer.event_file_writer import EventFileWriter  # noqa: E402
from tensorboard.util import tensor_util  # noqa: E402

Event = event_pb2.Event
Summary = summary_pb2.Summary
SummaryMetadata = summary_pb2.SummaryMetadata


def write_events(logdir: str, events: list[Any]) -> str:
    """Write TensorBoard Event messages with TensorBoard's EventFileWriter; the file's path."""
    writer = EventFileWriter(logdir)
    for event in events:
        writer.add_event(event)
    writer.close()
    (name,) = [n for n in os.listdir(logdir) if "tfevents" in n]
    return os.path.join(logdir, name)


def value_event(step: int, value: Any, wall_time: float = 1.5e9) -> Any:
    """An Event holding one Summary.Value."""
    return Event(wall_time=wall_time, step=step, summary=Summary(value=[value]))


def loader_values(path: str) -> dict[str, list[tuple[int, float, np.ndarray]]]:
    """tag -> [(step, wall_time, array)] as TensorBoard's EventFileLoader (data_compat applied)
    yields them from one file, every value, no sampling."""
    found: dict[str, list[tuple[int, float, np.ndarray]]] = {}
    for event in event_file_loader.EventFileLoader(path).Load():
        for value in event.summary.value:
            if value.HasField("tensor"):
                array = tensor_util.make_ndarray(value.tensor)
                found.setdefault(value.tag, []).append((event.step, event.wall_time, array))
    return found


def loader_plugins(path: str) -> dict[str, str]:
    """tag -> plugin name of the first metadata TensorBoard's loader sees for it."""
    plugins: dict[str, str] = {}
    for event in event_file_loader.EventFileLoader(path).Load():
        for value in event.summary.value:
            if value.HasField("metadata"):
                plugins.setdefault(value.tag, value.metadata.plugin_data.plugin_name)
    return plugins
