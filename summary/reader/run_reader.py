"""Reading the files of one run in order into per-tag collectors, TensorBoard's rules applied:
the first metadata of a tag decides its plugin, legacy values are converted as `data_compat` does.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Any

from google.protobuf.message import DecodeError

from summary.proto import event_pb2, summary_pb2
from summary.reader import legacy, storage, tensors
from summary.reader.events import report_corruption
from summary.reader.frames import iter_frames
from summary.reader.record_reader import CorruptRecordError
from summary.reader.result import RunData, Series
from summary.reader.sampled import Deferred, read_payloads
from summary.reader.sampling import sample_positions
from summary.reader.wanted import Wanted
from summary.wire import decode
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

    __slots__ = ("steps", "wall_times", "raw", "appenders")

    def __init__(self) -> None:
        self.steps: list[int] = []
        self.wall_times: list[float] = []
        self.raw: list[Any] = []
        self.appenders = (self.steps.append, self.wall_times.append, self.raw.append)

    def add(self, step: int, wall_time: float, raw: Any) -> None:
        self.steps.append(step)
        self.wall_times.append(wall_time)
        self.raw.append(raw)


class RunReader:
    """Reads the files of one run in order, keeping the run's first metadata per tag."""

    def __init__(
        self,
        run: str,
        wanted: Wanted,
        values: bool,
        on_corruption: str,
        samples: dict[str, int] | None = None,
    ) -> None:
        self.run = run
        self.wanted = wanted
        self.values = values
        self.on_corruption = on_corruption
        self.samples = samples or {}  # plugin -> records kept per tag (sampled.py)
        self.warnings: list[Warning] = []  # issued by the loader, in run order
        self.metadata: dict[str, summary_pb2.SummaryMetadata] = {}
        self.collectors: dict[str, Collector | None] = {}
        self.fast: dict[bytes, tuple | None] = {}  # event bytes after the step -> appenders
        self.records = 0

    def read_file(self, path: str, on_read: Callable[[int], None] | None) -> None:
        try:
            with storage.open_binary(path) as handle:
                self._read_records(handle, path, on_read)
        except CorruptRecordError as error:
            report_corruption(error, self.on_corruption, 0, self.warnings.append)

    def _read_records(self, handle: Any, path: str, on_read: Any) -> None:
        fast = self.fast
        unpack = _unpack_float
        unpack_double = _unpack_double
        count = 0
        try:
            for data, start, end, offset in iter_frames(handle, path, on_read):
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
        scan = not self.values or self.wanted.filters_payloads or self.samples
        if not scan or end - start < SCAN_MIN_BYTES:
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
        if wanted and self.values and self._all_sampled(heads):
            self._defer(heads, step, wall_time, path, offset)
        elif wanted and self.values:
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
        collector.add(step, wall_time, self._raw(tag, kind, value) if self.values else None)

    def _raw(self, tag: str, kind: str, value: summary_pb2.Summary.Value) -> Any:
        if kind == "tensor":
            return self._tensor(tag, value.tensor)
        return legacy.convert(value, kind)

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
            self.warnings.append(
                UserWarning(f"summary.reader: run {self.run!r}, tag {tag!r}: {error}")
            )
            return None

    def _remember_metadata(self, tag: str, kind: str | None, metadata: Any) -> None:
        """Keep the first metadata of `tag` (legacy values and graphs get TensorBoard's)."""
        if tag in self.metadata:
            return
        if isinstance(metadata, bytes):
            metadata = summary_pb2.SummaryMetadata.FromString(metadata)
        if kind in legacy.PLUGINS:
            metadata = legacy.metadata(kind, tag, metadata)
        elif kind in _GRAPH_PLUGINS:
            metadata = summary_pb2.SummaryMetadata()
            metadata.plugin_data.plugin_name = _GRAPH_PLUGINS[kind]
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

    def result(self, paths: list[str]) -> RunData:
        series = {}
        for tag in sorted(self.collectors):
            collector = self.collectors[tag]
            metadata = self.metadata.get(tag)
            plugin = metadata.plugin_data.plugin_name if metadata is not None else ""
            if collector is None or not collector.steps or not self.wanted.plugin(plugin):
                continue
            steps, wall_times, raw = collector.steps, collector.wall_times, collector.raw
            if plugin in self.samples:
                kept = sample_positions(len(steps), self.samples[plugin]).tolist()
                steps = [steps[i] for i in kept]
                wall_times = [wall_times[i] for i in kept]
                raw = [raw[i] for i in kept]
            series[tag] = Series(
                self.run, tag, metadata, steps, wall_times, raw if self.values else None
            )
        self._read_deferred(series)
        return RunData(self.run, series, paths, self.records)

    # -- sampled plugins: records noted during the scan, the kept ones read afterwards --------

    def _all_sampled(self, heads: list[decode.ValueHead]) -> bool:
        """Whether every value of an event belongs to a sampled plugin (so it can wait)."""
        if not self.samples:
            return False
        for head in heads:
            metadata = self.metadata.get(head.tag)
            if metadata is None or metadata.plugin_data.plugin_name not in self.samples:
                return False
        return True

    def _defer(
        self, heads: list[decode.ValueHead], step: int, wall_time: float, path: str, offset: int
    ) -> None:
        seen: dict[str, int] = {}
        for head in heads:
            nth = seen[head.tag] = seen.get(head.tag, -1) + 1  # among the event's values
            if self._kind_read(head.tag, head.kind) not in _SHOWN_KINDS:
                continue
            collector = self._collector(head.tag)
            if collector is not None:
                collector.add(step, wall_time, Deferred(path, offset, head.tag, nth))

    def _read_deferred(self, series: dict[str, Series]) -> None:
        """Replace the kept Deferred entries of `series` by their values, read by offset."""
        kept = [
            (one, index, ref)
            for one in series.values()
            if one.raw is not None and one.plugin in self.samples
            for index, ref in enumerate(one.raw)
            if isinstance(ref, Deferred)
        ]
        if not kept:
            return
        payloads = read_payloads(ref for _, _, ref in kept)
        for one, index, ref in kept:
            assert one.raw is not None
            one.raw[index] = self._deferred_value(ref, payloads[ref.path, ref.offset])

    def _deferred_value(self, ref: Deferred, payload: bytes | Exception) -> Any:
        try:
            if isinstance(payload, Exception):
                raise payload
            event = _parse(payload, ref.path, ref.offset)
        except CorruptRecordError as error:
            report_corruption(error, self.on_corruption, 0, self.warnings.append)
            return None
        if event.WhichOneof("what") == "graph_def":
            return bytes(event.graph_def)
        values = [v for v in event.summary.value if (v.tag or v.node_name) == ref.tag]
        value = values[ref.nth]
        kind = self._kind_read(ref.tag, value.WhichOneof("value"))
        assert kind is not None  # a value is deferred only if its kind is one of _SHOWN_KINDS
        return self._raw(ref.tag, kind, value)


_GRAPH_PLUGINS = {"graph_def": "graphs", "tagged_run_metadata": "graph_tagged_run_metadata"}
_SHOWN_KINDS = {"tensor", "graph_def", legacy.NULL_TENSOR, *legacy.PLUGINS}


def _parse(payload: bytes, path: str, offset: int) -> event_pb2.Event:
    try:
        return event_pb2.Event.FromString(payload)
    except DecodeError as error:
        raise CorruptRecordError(path, offset, f"payload is not an Event: {error}") from None
