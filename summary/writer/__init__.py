"""Event files and the background thread that writes them; the default-writer context."""

from summary.writer.context import (
    get_step,
    name_scope,
    record_if,
    set_step,
    should_record_summaries,
    summary_scope,
)
from summary.writer.errors import WriterClosedError, WriterError
from summary.writer.event_writer import EventWriter, NoopWriter, create_noop_writer, flush

__all__ = [
    "NoopWriter",
    "EventWriter",
    "WriterClosedError",
    "WriterError",
    "create_noop_writer",
    "flush",
    "get_step",
    "name_scope",
    "record_if",
    "set_step",
    "should_record_summaries",
    "summary_scope",
]
