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
from summary.writer.summary_writer import (
    NoopWriter,
    SummaryWriter,
    create_file_writer,
    create_noop_writer,
    flush,
)

__all__ = [
    "NoopWriter",
    "SummaryWriter",
    "WriterClosedError",
    "WriterError",
    "create_file_writer",
    "create_noop_writer",
    "flush",
    "get_step",
    "name_scope",
    "record_if",
    "set_step",
    "should_record_summaries",
    "summary_scope",
]
