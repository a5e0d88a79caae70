"""Reading event files back: Event messages (`iter_events`) or decoded values (`load`).

Both take a local path or an fsspec URL (`s3://…`, `gs://…`, `memory://…`).
"""

from __future__ import annotations

from summary.reader.events import CorruptRecordWarning, iter_events
from summary.reader.indexed import IndexWarning
from summary.reader.latest import Latest, latest
from summary.reader.loader import load
from summary.reader.plugins import Audio
from summary.reader.record_reader import CorruptRecordError
from summary.reader.result import LogdirData, RunData, Series

__all__ = [
    "Audio",
    "CorruptRecordError",
    "CorruptRecordWarning",
    "IndexWarning",
    "Latest",
    "LogdirData",
    "RunData",
    "Series",
    "iter_events",
    "latest",
    "load",
]
