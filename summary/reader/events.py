"""`iter_events`: the Event messages of a file or logdir, in TensorBoard's reading order."""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterator
from typing import Literal

from google.protobuf.message import DecodeError

from summary.proto import event_pb2
from summary.reader import storage
from summary.reader.event_files import iter_event_files
from summary.reader.record_reader import CorruptRecordError, iter_records


class CorruptRecordWarning(UserWarning):
    """A file had a corrupt record; the records before it were read, the rest of it skipped."""


def iter_events(
    path_or_logdir: str | os.PathLike[str],
    on_corruption: Literal["warn", "raise", "ignore"] = "warn",
) -> Iterator[event_pb2.Event]:
    """Yield every Event of one event file, or of every event file below a logdir, in order.

    A local path or an fsspec URL. CRCs are checked. A partial last record (a file still being
    written) ends its file quietly. A corrupt record ends its file too, after a
    CorruptRecordWarning naming the file and byte offset (or a CorruptRecordError with
    `on_corruption="raise"`); earlier records are kept.
    """
    for _, path in iter_event_files(path_or_logdir):
        yield from _file_events(path, on_corruption)


def _file_events(path: str, on_corruption: str) -> Iterator[event_pb2.Event]:
    parse = event_pb2.Event.FromString
    try:
        with storage.open_binary(path) as stream:
            for offset, payload in iter_records(path, stream):
                try:
                    event = parse(payload)
                except DecodeError as error:
                    raise CorruptRecordError(
                        path, offset, f"payload is not an Event: {error}"
                    ) from None
                yield event
    except CorruptRecordError as error:
        report_corruption(error, on_corruption, stacklevel=4)


def report_corruption(
    error: CorruptRecordError,
    on_corruption: str,
    stacklevel: int,
    warn: Callable[[Warning], None] | None = None,
) -> None:
    """Apply the `on_corruption` policy: raise the error, warn with its file and offset, or
    ignore it (the records before it have been read either way). `warn`, when given, receives
    the warning instead of `warnings.warn` (a loader keeping each run's warnings in order)."""
    if on_corruption == "raise":
        raise error
    if on_corruption == "warn":
        if warn is not None:
            warn(CorruptRecordWarning(str(error)))
        else:
            warnings.warn(str(error), CorruptRecordWarning, stacklevel=stacklevel)
