"""TF 1.x's `FileWriter`: `add_summary(summary, global_step)` and friends, on our event files.

Events go through the shared writer (one file per logdir per process, written off the caller's
thread). As TF 1.x did, plugin metadata is kept only on the first value of each tag; the writer
tracks that per file, so a reopened or new file gets it again. File names are ours
(`events.out.tfevents.<secs>.<host>.<pid>.<counter>`, no suffix by default), not TF 1.x's.
"""

from __future__ import annotations

import math
import numbers
import operator
import os
import threading
import time
from typing import Any

from google.protobuf.message import DecodeError

from summary.ops.graph import graph_def_bytes
from summary.proto import event_pb2
from summary.v1.protos import Summary, as_summary
from summary.writer import context
from summary.writer.errors import WriterClosedError, op_error, op_type_error
from summary.writer.event_writer import EventWriter
from summary.writer.limits import DEFAULT_FLUSH_MILLIS


class FileWriter:
    """Writes Summary protos and events to an event file in `logdir`, as tf.compat.v1's did.

    `flush_secs` is an upper bound: the writer hands data to the OS at least every
    second anyway (bounded loss), so a larger value does not delay it.
    """

    def __init__(
        self,
        logdir: str | os.PathLike[str],
        graph: Any = None,
        max_queue: int = 10,
        flush_secs: float = 120,
        filename_suffix: str | None = None,
        graph_def: Any = None,
    ) -> None:
        self._options = (
            _positive("max_queue", max_queue),
            _flush_millis(flush_secs),
            "" if filename_suffix is None else str(filename_suffix),
        )
        self._run_metadata_tags: set[str] = set()
        self._writer: EventWriter | None = self._open(logdir)
        self._logdir = self._writer.logdir  # as a str, also once closed
        if graph is not None or graph_def is not None:
            self.add_graph(graph, graph_def=graph_def)

    def _open(self, logdir: str | os.PathLike[str]) -> EventWriter:
        max_queue, flush_millis, suffix = self._options
        return EventWriter(logdir, max_queue, flush_millis, suffix)

    def get_logdir(self) -> str:
        """The directory this writer writes to."""
        return self._logdir

    def add_summary(self, summary: Any, global_step: Any = None) -> None:
        """Write a Summary (message of any package, or serialized bytes) for `global_step`."""
        op = "v1.FileWriter.add_summary"
        message = as_summary(op, summary)
        if message is summary:  # the caller's own message: snapshot it before queueing
            message = Summary()
            message.CopyFrom(summary)
        tag = message.value[0].tag if message.value else ""
        step = _step(op, tag, global_step)
        self._writer_or_raise().enqueue_summary(step, message, time.time(), message.ByteSize())

    def add_event(self, event: Any) -> None:
        """Write an Event (message of any package, or serialized bytes) as it is, once it parses
        as an Event (its graph_def as a GraphDef): TensorBoard refuses a run it cannot parse."""
        op = "v1.FileWriter.add_event"
        data = _serialized(op, event, event_pb2.Event)
        parsed = event_pb2.Event.FromString(data)
        if parsed.HasField("graph_def"):
            graph_def_bytes(op, parsed.graph_def)
        self._writer_or_raise().enqueue_event(lambda: data, len(data))

    def add_graph(self, graph: Any, global_step: Any = None, graph_def: Any = None) -> None:
        """Write a graph for TensorBoard's Graphs dashboard: a GraphDef (message or bytes), or a
        summary.v1.Graph (its placeholders and summary ops)."""
        payload = graph_def_bytes(
            "v1.FileWriter.add_graph", graph if graph is not None else graph_def
        )
        self._add(event_pb2.Event(graph_def=payload), global_step, "add_graph")

    def add_session_log(self, session_log: Any, global_step: Any = None) -> None:
        """Write a SessionLog (START makes TensorBoard drop later steps of an earlier run)."""
        data = _serialized("v1.FileWriter.add_session_log", session_log, event_pb2.SessionLog)
        self._add(
            event_pb2.Event(session_log=event_pb2.SessionLog.FromString(data)),
            global_step,
            "add_session_log",
        )

    def add_run_metadata(self, run_metadata: Any, tag: str, global_step: Any = None) -> None:
        """Write a RunMetadata (message or bytes) under `tag`; each tag may be used once."""
        op = "v1.FileWriter.add_run_metadata"
        tag = context.check_name(op, tag)
        if tag in self._run_metadata_tags:
            raise op_error(op, tag, "this tag was already used for run metadata")
        data = _serialized(op, run_metadata, None)
        event = event_pb2.Event(
            tagged_run_metadata=event_pb2.TaggedRunMetadata(tag=tag, run_metadata=data)
        )
        self._add(event, global_step, "add_run_metadata")
        self._run_metadata_tags.add(tag)

    def _add(self, event: event_pb2.Event, global_step: Any, method: str) -> None:
        event.wall_time = time.time()
        event.step = _step(f"v1.FileWriter.{method}", "", global_step)
        data = event.SerializeToString()
        self._writer_or_raise().enqueue_event(lambda: data, len(data))

    def flush(self) -> None:
        """Return once everything added so far is handed to the OS."""
        if self._writer is not None:
            self._writer.flush()

    def close(self) -> None:
        """Flush and close the file; `reopen()` starts writing again. Calling it twice is fine."""
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.close()

    def reopen(self) -> None:
        """After `close()`, write again (to a new event file unless the logdir has another
        open writer); does nothing while open."""
        if self._writer is None:
            self._writer = self._open(self._logdir)

    def _writer_or_raise(self) -> EventWriter:
        writer = self._writer
        if writer is None:
            raise WriterClosedError(
                f"summary.v1.FileWriter: the writer for {self._logdir!r} is closed; call reopen() "
                "to write again"
            )
        return writer

    def __enter__(self) -> FileWriter:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._writer is None else "open"
        return f"FileWriter({self._logdir!r}, {state})"


def _serialized(op: str, message: Any, kind: Any) -> bytes:
    """A message of any package (or its bytes) serialized, checked to parse as `kind`."""
    if isinstance(message, (bytes, bytearray, memoryview)):
        data = bytes(message)
    elif hasattr(message, "SerializeToString"):
        data = message.SerializeToString()
    else:
        raise op_type_error(
            op,
            None,
            f"expected a protobuf message or serialized bytes, got {type(message).__name__}",
        )
    if kind is not None:
        try:
            kind.FromString(data)
        except DecodeError as error:
            raise op_error(op, None, f"not a serialized {kind.__name__}: {error}") from None
    return data


def _step(op: str, tag: str, global_step: Any) -> int:
    return 0 if global_step is None else context.as_int64_step(op, tag, global_step)


def _positive(what: str, value: Any) -> int:
    try:
        number = -1 if isinstance(value, bool) else operator.index(value)
    except TypeError:
        number = -1
    if number <= 0:
        raise op_error("v1.FileWriter", None, f"{what} must be a positive int, got {value!r}")
    return number


def _flush_millis(flush_secs: Any) -> int:
    if isinstance(flush_secs, bool) or not isinstance(flush_secs, numbers.Real):
        raise op_type_error(
            "v1.FileWriter", None, f"flush_secs must be a number, got {flush_secs!r}"
        )
    if not (math.isfinite(flush_secs) and float(flush_secs) > 0):
        raise op_error("v1.FileWriter", None, f"flush_secs must be positive, got {flush_secs!r}")
    return max(1, min(int(float(flush_secs) * 1000), DEFAULT_FLUSH_MILLIS))


class FileWriterCache:
    """TF 1.x's cache of FileWriters: one per logdir for the process, as `tf.compat.v1.summary.
    FileWriterCache`."""

    _writers: dict[str, FileWriter] = {}
    _lock = threading.Lock()

    @staticmethod
    def get(logdir: str | os.PathLike[str]) -> FileWriter:
        """The FileWriter for `logdir`, created on first use."""
        key = os.fspath(logdir)
        with FileWriterCache._lock:
            writer = FileWriterCache._writers.get(key)
            if writer is None:
                writer = FileWriterCache._writers[key] = FileWriter(key)
            return writer

    @staticmethod
    def clear() -> None:
        """Close and forget every cached FileWriter (as TF's clear)."""
        with FileWriterCache._lock:
            writers = list(FileWriterCache._writers.values())
            FileWriterCache._writers.clear()
        for writer in writers:
            writer.close()
