"""Reading the files of one run in order into per-tag collectors, TensorBoard's rules applied:
the first metadata of a tag decides its plugin, legacy values are converted as `data_compat` does.
"""

from __future__ import annotations

import struct
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
from google.protobuf.message import DecodeError

from summary.proto import event_pb2, summary_pb2
from summary.reader import legacy, storage, tensors
from summary.reader.events import report_corruption
from summary.reader.frames import iter_frames
from summary.reader.indexed import TrustedIndex, fetch_records, kind_name
from summary.reader.record_reader import CorruptRecordError
from summary.reader.result import RunData, Series
from summary.reader.wanted import Wanted
from summary.wire import decode
from summary.wire.index_format import HAS_VALUE, KIND_CODES, KINDS
from summary.wire.one_float import one_float_tag

FAST_MAX_BYTES = 512  # events this small may take the one-float fast path
SCAN_MIN_BYTES = 1024  # events this large are hand-scanned before a filter lets them be parsed
RUN_GRAPH_TAG = "__run_graph__"
_unpack_float = struct.Struct("<f").unpack_from
_unpack_double = struct.Struct("<d").unpack_from
_I64, _U64 = 1 << 63, 1 << 64
_FAST_MIN_BYTES = 16  # smaller events are too small to hold a tag and a float: read in full
_MISSING: Any = object()  # sentinel for dict.get; typed Any so it narrows away


class Collector:
    """The steps, wall times and raw values of one tag, as lists while reading."""

    __slots__ = ("steps", "wall_times", "raw", "appenders", "blocks")

    def __init__(self) -> None:
        self.steps: list[int] = []
        self.wall_times: list[float] = []
        self.raw: list[Any] = []
        self.appenders = (self.steps.append, self.wall_times.append, self.raw.append)
        self.blocks: list[tuple[Any, Any, Any]] = []  # earlier values, as columns

    def extend(self, steps: np.ndarray, wall_times: np.ndarray, raw: np.ndarray | None) -> None:
        """Add whole columns (an index's) after the values added so far."""
        self._close_lists()
        self.blocks.append((steps, wall_times, raw))

    def _close_lists(self) -> None:
        """Move the values in the lists to a block (the lists stay, emptied: `appenders`)."""
        if self.steps:
            self.blocks.append((list(self.steps), list(self.wall_times), list(self.raw)))
            del self.steps[:], self.wall_times[:], self.raw[:]

    def columns(self) -> tuple[Any, Any, Any]:
        """(steps, wall times, raw values) of everything added: lists, or arrays when the
        values came from an index in one piece."""
        if not self.blocks:
            return self.steps, self.wall_times, self.raw
        self._close_lists()
        if len(self.blocks) == 1:
            return self.blocks[0]
        steps = np.concatenate([np.asarray(b[0], dtype=np.int64) for b in self.blocks])
        walls = np.concatenate([np.asarray(b[1], dtype=np.float64) for b in self.blocks])
        raw: list[Any] = []
        for block in self.blocks:
            raw += block[2].tolist() if isinstance(block[2], np.ndarray) else list(block[2])
        return steps, walls, raw

    def add(self, step: int, wall_time: float, raw: Any) -> None:
        self.steps.append(step)
        self.wall_times.append(wall_time)
        self.raw.append(raw)


class RunReader:
    """Reads the files of one run in order, keeping the run's first metadata per tag."""

    def __init__(self, run: str, wanted: Wanted, values: bool, on_corruption: str) -> None:
        self.run = run
        self.wanted = wanted
        self.values = values
        self.on_corruption = on_corruption
        self.metadata: dict[str, summary_pb2.SummaryMetadata] = {}
        self.collectors: dict[str, Collector | None] = {}
        self.fast: dict[bytes, tuple | None] = {}  # event bytes after the step -> appenders
        self.records = 0

    def read_file(self, path: str, on_read: Callable[[int], None] | None, start: int = 0) -> None:
        """Scan the records of `path` from byte `start` (where an index's prefix ended)."""
        try:
            with storage.open_binary(path) as handle:
                handle.seek(start)
                self._read_records(handle, path, on_read, start)
        except CorruptRecordError as error:
            report_corruption(error, self.on_corruption, stacklevel=5)

    def _read_records(self, handle: Any, path: str, on_read: Any, begin: int) -> None:
        fast = self.fast
        unpack = _unpack_float
        unpack_double = _unpack_double
        count = 0
        try:
            for data, start, end, offset in iter_frames(handle, path, on_read, base=begin):
                count += 1
                if not _FAST_MIN_BYTES <= end - start <= FAST_MAX_BYTES:
                    self._general(data, start, end, path, offset)
                    continue
                # decode.event_head, inlined: this loop runs once per record
                if data[start] == 0x09:
                    wall_time = unpack_double(data, start + 1)[0]
                    pos = start + 9
                else:
                    wall_time = 0.0
                    pos = start
                step = 0
                if data[pos] == 0x10:
                    shift = 0
                    while True:
                        pos += 1
                        byte = data[pos]
                        step |= (byte & 0x7F) << shift
                        if byte < 0x80:
                            break
                        shift += 7
                    pos += 1
                    if step >= _I64:
                        step -= _U64
                    if pos > end - 4:  # a varint running past the event: not our shape
                        self._general(data, start, end, path, offset)
                        continue
                key = data[pos : end - 4]
                entry = fast.get(key, _MISSING)
                if entry is _MISSING:
                    self._classify(data, start, end, key, path, offset)
                elif entry is not None:
                    entry[0](step)
                    entry[1](wall_time)
                    entry[2](unpack(data, end - 4)[0])
        except (decode.WireError, IndexError, DecodeError) as error:
            raise CorruptRecordError(path, offset, f"payload is not an Event: {error}") from None
        finally:
            self.records += count

    # -- one event at a time ------------------------------------------------------------------

    def _classify(
        self, data: bytes, start: int, end: int, key: bytes, path: str, offset: int
    ) -> None:
        """Read a small event in full; if it is a one-float event, remember its shape."""
        event = _parse(data[start:end], path, offset)
        self._event(event)
        tag = one_float_tag(event, data, start, end)
        if tag is not None:
            collector = self._collector(tag)
            self.fast[key] = None if collector is None else collector.appenders

    def _general(self, data: bytes, start: int, end: int, path: str, offset: int) -> None:
        """A large event: hand-scan its tags first when a filter may not want it."""
        if (self.values and not self.wanted.filters_payloads) or end - start < SCAN_MIN_BYTES:
            self._event(_parse(data[start:end], path, offset))
            return
        wall_time, step, what, heads = decode.scan_event(data, start, end)
        if what == decode.GRAPH_DEF:
            heads = [decode.ValueHead(RUN_GRAPH_TAG, None, "graph_def")]
        elif what != decode.SUMMARY:
            self._event(_parse(data[start:end], path, offset))
            return
        wanted = []
        for head in heads:
            self._remember_metadata(head.tag, head.kind, head.metadata)
            if self._kind_read(head.tag, head.kind) in _SHOWN_KINDS:
                collector = self._collector(head.tag)
                if collector is not None:
                    wanted.append(collector)
        if wanted and self.values:
            self._event(_parse(data[start:end], path, offset))
        else:
            for collector in wanted:
                collector.add(step, wall_time, None)

    def _event(self, event: event_pb2.Event) -> None:
        what = event.WhichOneof("what")
        if what == "summary":
            for value in event.summary.value:
                self._value(event.step, event.wall_time, value)
        elif what == "graph_def":
            self._remember_metadata(RUN_GRAPH_TAG, "graph_def", None)
            self._add(RUN_GRAPH_TAG, event, event.graph_def)
        elif what == "tagged_run_metadata":
            tagged = event.tagged_run_metadata
            self._remember_metadata(tagged.tag, "tagged_run_metadata", None)
            self._add(tagged.tag, event, tagged.run_metadata)

    def _value(self, step: int, wall_time: float, value: summary_pb2.Summary.Value) -> None:
        tag = value.tag or value.node_name
        kind = value.WhichOneof("value")
        self._remember_metadata(tag, kind, value.metadata if value.HasField("metadata") else None)
        kind = self._kind_read(tag, kind)
        if kind not in _SHOWN_KINDS:
            return  # nothing TensorBoard would show (e.g. obsolete_old_style_histogram)
        collector = self._collector(tag)
        if collector is None:
            return
        if not self.values:
            collector.add(step, wall_time, None)
        elif kind == "tensor":
            collector.add(step, wall_time, self._tensor(tag, value.tensor))
        else:
            collector.add(step, wall_time, legacy.convert(value, kind))

    def _kind_read(self, tag: str, kind: str | None) -> str | None:
        """The kind a value is read as: its own, or for one with no value field (tensorboardX's
        and torch's hparams) the null tensor when TensorBoard reads it so."""
        if kind is None and legacy.reads_null_tensor(self.metadata.get(tag)):
            return legacy.NULL_TENSOR
        return kind

    def _add(self, tag: str, event: event_pb2.Event, blob: bytes) -> None:
        collector = self._collector(tag)
        if collector is not None:
            collector.add(event.step, event.wall_time, bytes(blob) if self.values else None)

    def _tensor(self, tag: str, tensor: Any) -> Any:
        try:
            return tensors.to_ndarray(tensor)
        except tensors.TensorDecodeError as error:
            warnings.warn(f"summary.reader: run {self.run!r}, tag {tag!r}: {error}", stacklevel=6)
            return None

    def _remember_metadata(self, tag: str, kind: str | None, metadata: Any) -> None:
        """Keep the first metadata of `tag` (legacy values and graphs get TensorBoard's)."""
        if tag in self.metadata:
            return
        metadata = _metadata_read(tag, kind, metadata)
        if metadata is not None:
            self.metadata[tag] = metadata

    def _collector(self, tag: str) -> Collector | None:
        """The collector of `tag`, or None when the filters do not want it."""
        collector = self.collectors.get(tag, _MISSING)
        if collector is _MISSING:
            collector = Collector() if self.wanted.tag(tag) else None
            self.collectors[tag] = collector
        if collector is not None and not self.wanted.any_plugin and tag in self.metadata:
            if not self.wanted.plugin(self.metadata[tag].plugin_data.plugin_name):
                collector = self.collectors[tag] = None
        return collector

    # -- through an index (indexed.py proved it matches the file) --------------------------------

    def read_indexed(self, path: str, index: TrustedIndex) -> None:
        """Take the records of `index`'s prefix of `path`: scalars from the index itself, other
        wanted records read by offset. Raises OSError, before changing anything, when a record
        read is not what the index says (the caller then scans the file)."""
        names = [
            RUN_GRAPH_TAG if KINDS[m.kind] == "graph_def" else index.tags[m.tag]
            for m in index.metadata
        ]
        known = dict(self.metadata)
        for meta, name in zip(index.metadata, names, strict=True):
            if name not in known:
                found = _metadata_read(name, kind_name(meta.kind), meta.metadata)
                if found is not None:
                    known[name] = found
        since = {
            m.tag: m.offset
            for m, name in zip(index.metadata, names, strict=True)
            if name not in self.metadata
        }
        entries = index.entries
        kinds = entries["kind"]
        order = np.argsort(entries["tag"], kind="stable")
        bounds = np.flatnonzero(np.diff(entries["tag"][order])) + 1
        plans = []
        spans: list[tuple[int, int]] = []
        for group in np.split(order, bounds) if len(order) else []:
            group = group[(kinds[group] & 0x7F) != KIND_CODES["record"]]
            if not len(group):
                continue
            tag_id = int(entries["tag"][group[0]])
            first_kind = KINDS[kinds[group[0]] & 0x7F]
            name = RUN_GRAPH_TAG if first_kind == "graph_def" else index.tags[tag_id]
            if not self.wanted.tag(name):
                continue
            metadata = known.get(name)
            plugin = metadata.plugin_data.plugin_name if metadata is not None else None
            if plugin is not None and not self.wanted.plugin(plugin):
                continue
            plain = kinds[group] & 0x7F
            shown = plain != KIND_CODES["obsolete_old_style_histogram"]
            empty = plain == KIND_CODES["empty"]
            if empty.any():
                null = legacy.reads_null_tensor(metadata)
                shown &= ~empty | (null & (entries["offset"][group] >= since.get(tag_id, 0)))
            group = group[shown]
            bulk = plugin == "scalars" and bool(np.all(kinds[group] & HAS_VALUE))
            if self.values and not bulk:
                spans += zip(
                    entries["offset"][group].tolist(),
                    entries["length"][group].tolist(),
                    strict=True,
                )
            plans.append((name, group, bulk))
        payloads = fetch_records(path, spans) if spans else {}
        for meta, name in zip(index.metadata, names, strict=True):
            self._remember_metadata(name, kind_name(meta.kind), meta.metadata)
        for name, group, bulk in plans:
            self._take(name, entries[group], bulk, payloads)
        self.records += index.records

    def _take(self, name: str, entries: np.ndarray, bulk: bool, payloads: dict[int, bytes]) -> None:
        collector = self._collector(name)
        if collector is None:
            return
        if not self.values or bulk:
            raw = entries["value"] if self.values else np.full(len(entries), None, dtype=object)
            collector.extend(entries["step"], entries["wall_time"], raw)
            return
        done = None
        for offset in entries["offset"].tolist():
            if offset == done:
                continue  # the values of this tag in this record were all taken below
            done = offset
            event = event_pb2.Event.FromString(payloads[offset])
            what = event.WhichOneof("what")
            if what == "summary":
                for value in event.summary.value:
                    if (value.tag or value.node_name) == name:
                        self._value(event.step, event.wall_time, value)
            elif what == "graph_def":
                self._add(RUN_GRAPH_TAG, event, event.graph_def)
            elif what == "tagged_run_metadata":
                self._add(name, event, event.tagged_run_metadata.run_metadata)

    def result(self, paths: list[str]) -> RunData:
        series = {}
        for tag in sorted(self.collectors):
            collector = self.collectors[tag]
            metadata = self.metadata.get(tag)
            plugin = metadata.plugin_data.plugin_name if metadata is not None else ""
            if collector is None or not self.wanted.plugin(plugin):
                continue
            steps, wall_times, raw = collector.columns()
            if not len(steps):
                continue
            series[tag] = Series(
                self.run, tag, metadata, steps, wall_times, raw if self.values else None
            )
        return RunData(self.run, series, paths, self.records)


_GRAPH_PLUGINS = {"graph_def": "graphs", "tagged_run_metadata": "graph_tagged_run_metadata"}
_SHOWN_KINDS = {"tensor", "graph_def", legacy.NULL_TENSOR, *legacy.PLUGINS}


def _metadata_read(tag: str, kind: str | None, metadata: Any) -> Any:
    """The metadata a value of `kind` with stored `metadata` (bytes, message or None) gives its
    tag when it is the tag's first: TensorBoard's for legacy values and graphs."""
    if isinstance(metadata, bytes):
        metadata = summary_pb2.SummaryMetadata.FromString(metadata)
    if kind in legacy.PLUGINS:
        metadata = legacy.metadata(kind, tag, metadata)
    elif kind in _GRAPH_PLUGINS:
        metadata = summary_pb2.SummaryMetadata()
        metadata.plugin_data.plugin_name = _GRAPH_PLUGINS[kind]
    return metadata


def _parse(payload: bytes, path: str, offset: int) -> event_pb2.Event:
    try:
        return event_pb2.Event.FromString(payload)
    except DecodeError as error:
        raise CorruptRecordError(path, offset, f"payload is not an Event: {error}") from None
