"""`load`: every run's values, decoded, with filters that skip what is not wanted.

Speed comes from three things: files are read in large chunks (frames.py); an event whose bytes
after wall_time and step match an earlier one-float event (the shape of nearly every scalar) is
read by slicing out its last four bytes instead of parsing it; and records a filter does not want
are recognised from a hand scan of their tags (wire.py) without parsing their payload.
"""

from __future__ import annotations

import fnmatch
import os
import struct
import warnings
from collections.abc import Callable, Iterable
from typing import Any, Literal

from google.protobuf.message import DecodeError

from summary.proto import event_pb2, summary_pb2
from summary.reader import legacy, storage, tensors, wire
from summary.reader.event_files import iter_event_files
from summary.reader.events import CorruptRecordWarning
from summary.reader.frames import iter_frames
from summary.reader.records import CorruptRecordError
from summary.reader.result import LogdirData, RunData, Series

FAST_MAX_BYTES = 512  # events this small may take the one-float fast path
SCAN_MIN_BYTES = 1024  # events this large are hand-scanned before a filter lets them be parsed
RUN_GRAPH_TAG = "__run_graph__"
_PROBES = (struct.pack("<f", 1.2345678), struct.pack("<f", -7.654321))
_unpack_float = struct.Struct("<f").unpack_from
_unpack_double = struct.Struct("<d").unpack_from
_I64, _U64 = 1 << 63, 1 << 64
_FAST_MIN_BYTES = 16  # smaller events are too small to hold a tag and a float: read in full
_MISSING = object()
Filter = str | Iterable[str] | None


def load(
    logdir: str | os.PathLike[str],
    runs: Filter = None,
    tags: Filter = None,
    plugins: Filter = None,
    *,
    values: bool = True,
    on_corruption: Literal["warn", "raise", "ignore"] = "warn",
    progress: Callable[[int, int], None] | None = None,
) -> LogdirData:
    """Read every run below `logdir` (a path or fsspec URL) into a LogdirData.

    `runs`, `tags`, `plugins`: names or glob patterns (`"train/*"`) to keep; None keeps all.
    A tag's plugin is the one named by its first metadata in the run (TensorBoard's rule).
    `values=False` reads steps and wall times only. `progress(done, total)` hears of bytes read.
    """
    logdir = os.fspath(logdir)
    wanted = _Wanted(runs, tags, plugins)
    files: dict[str, list[str]] = {}
    for run, path in iter_event_files(logdir):
        if wanted.run(run):
            files.setdefault(run, []).append(path)
    on_read = _progress_counter(progress, files)
    result = {}
    for run, paths in files.items():
        reader = _RunReader(run, wanted, values, on_corruption)
        for path in paths:
            reader.read_file(path, on_read)
        result[run] = reader.result(paths)
    return LogdirData(logdir, result)


class _Wanted:
    """The run, tag and plugin filters of one `load` call."""

    def __init__(self, runs: Filter, tags: Filter, plugins: Filter) -> None:
        self.run = _matcher(runs)
        self.tag = _matcher(tags)
        self.plugin = _matcher(plugins)
        self.filters_payloads = tags is not None or plugins is not None
        self.any_plugin = plugins is None


def _matcher(names: Filter) -> Callable[[str], bool]:
    if names is None:
        return lambda name: True
    names = [names] if isinstance(names, str) else list(names)
    exact = {name for name in names if not any(c in name for c in "*?[")}
    patterns = [name for name in names if name not in exact]
    cache: dict[str, bool] = {}

    def matches(name: str) -> bool:
        found = cache.get(name)
        if found is None:
            found = name in exact or any(fnmatch.fnmatchcase(name, p) for p in patterns)
            cache[name] = found
        return found

    return matches


class _Collector:
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


class _RunReader:
    """Reads the files of one run in order, keeping the run's first metadata per tag."""

    def __init__(self, run: str, wanted: _Wanted, values: bool, on_corruption: str) -> None:
        self.run = run
        self.wanted = wanted
        self.values = values
        self.on_corruption = on_corruption
        self.metadata: dict[str, summary_pb2.SummaryMetadata] = {}
        self.collectors: dict[str, _Collector | None] = {}
        self.fast: dict[bytes, tuple | None] = {}  # event bytes after the step -> appenders
        self.records = 0

    def read_file(self, path: str, on_read: Callable[[int], None] | None) -> None:
        try:
            with storage.open_binary(path) as handle:
                self._read_records(handle, path, on_read)
        except CorruptRecordError as error:
            if self.on_corruption == "raise":
                raise
            if self.on_corruption == "warn":
                warnings.warn(str(error), CorruptRecordWarning, stacklevel=4)

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
                # wire.event_head, inlined: this loop runs once per record
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
        except (wire.WireError, IndexError, DecodeError) as error:
            raise CorruptRecordError(path, offset, f"payload is not an Event: {error}") from None
        finally:
            self.records += count

    # -- one event at a time ------------------------------------------------------------------

    def _classify(self, data: bytes, start: int, end: int, key: bytes, path: str, offset: int):
        """Read a small event in full; if it is a one-float event, remember its shape."""
        event = _parse(data[start:end], path, offset)
        self._event(event)
        tag = _one_float_tag(event, data, start, end)
        if tag is not None:
            collector = self._collector(tag)
            self.fast[key] = None if collector is None else collector.appenders

    def _general(self, data: bytes, start: int, end: int, path: str, offset: int) -> None:
        """A large event: hand-scan its tags first when a filter may not want it."""
        if self.values and not self.wanted.filters_payloads or end - start < SCAN_MIN_BYTES:
            self._event(_parse(data[start:end], path, offset))
            return
        wall_time, step, what, heads = wire.scan_event(data, start, end)
        if what == wire.GRAPH_DEF:
            heads = [wire.ValueHead(RUN_GRAPH_TAG, None, "graph_def")]
        elif what != wire.SUMMARY:
            self._event(_parse(data[start:end], path, offset))
            return
        wanted = []
        for head in heads:
            self._remember_metadata(head.tag, head.kind, head.metadata)
            if head.kind in _SHOWN_KINDS:
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
        if isinstance(metadata, bytes):
            metadata = summary_pb2.SummaryMetadata.FromString(metadata)
        if kind in legacy.PLUGINS:
            metadata = legacy.metadata(kind, tag, metadata)
        elif kind in _GRAPH_PLUGINS:
            metadata = summary_pb2.SummaryMetadata()
            metadata.plugin_data.plugin_name = _GRAPH_PLUGINS[kind]
        if metadata is not None:
            self.metadata[tag] = metadata

    def _collector(self, tag: str) -> _Collector | None:
        """The collector of `tag`, or None when the filters do not want it."""
        collector = self.collectors.get(tag, _MISSING)
        if collector is _MISSING:
            collector = _Collector() if self.wanted.tag(tag) else None
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
            raw = collector.raw if self.values else None
            series[tag] = Series(
                self.run, tag, metadata, collector.steps, collector.wall_times, raw
            )
        return RunData(self.run, series, paths, self.records)


_GRAPH_PLUGINS = {"graph_def": "graphs", "tagged_run_metadata": "graph_tagged_run_metadata"}
_SHOWN_KINDS = {"tensor", "graph_def", *legacy.PLUGINS}


def _parse(payload: bytes, path: str, offset: int) -> event_pb2.Event:
    try:
        return event_pb2.Event.FromString(payload)
    except DecodeError as error:
        raise CorruptRecordError(path, offset, f"payload is not an Event: {error}") from None


def _one_float_tag(event: event_pb2.Event, data: bytes, start: int, end: int) -> str | None:
    """The tag of an event holding one float32 in its last four bytes, else None.

    Proven by parsing the same bytes with other last four bytes: the value must follow them.
    Any later event whose bytes between step and those four match is then the same shape.
    """
    if event.WhichOneof("what") != "summary" or len(event.summary.value) != 1:
        return None
    if event.HasField("source_metadata") or _float_bytes(event.summary.value[0]) is None:
        return None
    if _float_bytes(event.summary.value[0]) != data[end - 4 : end]:
        return None
    probe = _PROBES[0] if data[end - 4 : end] != _PROBES[0] else _PROBES[1]
    try:
        twin = event_pb2.Event.FromString(data[start : end - 4] + probe)
    except DecodeError:
        return None
    if len(twin.summary.value) != 1 or _float_bytes(twin.summary.value[0]) != probe:
        return None
    value = event.summary.value[0]
    return value.tag or value.node_name


def _float_bytes(value: summary_pb2.Summary.Value) -> bytes | None:
    """The four little-endian bytes of a one-float value (simple_value or rank-0 DT_FLOAT)."""
    kind = value.WhichOneof("value")
    if kind == "simple_value":
        return struct.pack("<f", value.simple_value)
    if kind != "tensor":
        return None
    tensor = value.tensor
    if tensor.dtype != 1 or tensor.tensor_shape.dim or tensor.tensor_shape.unknown_rank:
        return None
    if len(tensor.tensor_content) == 4 and not tensor.float_val:
        return tensor.tensor_content
    if len(tensor.float_val) == 1 and not tensor.tensor_content:
        return struct.pack("<f", tensor.float_val[0])
    return None


def _progress_counter(
    progress: Callable[[int, int], None] | None, files: dict[str, list[str]]
) -> Callable[[int], None] | None:
    if progress is None:
        return None
    total = sum(storage.size_of(path) for paths in files.values() for path in paths)
    done = 0

    def on_read(count: int) -> None:
        nonlocal done
        done += count
        progress(done, total)

    return on_read
