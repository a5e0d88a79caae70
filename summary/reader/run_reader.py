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
from summary.reader.columns import Column
from summary.reader.events import report_corruption
from summary.reader.frames import Chunk, Group, iter_chunks
from summary.reader.record_reader import CorruptRecordError
from summary.reader.result import RunData, Series
from summary.reader.wanted import Wanted
from summary.wire import decode
from summary.wire.one_float import one_float_tag
from summary.wire.records import HEADER_SIZE as HEADER

FAST_MAX_BYTES = 512  # events this small may take the one-float fast path
SCAN_MIN_BYTES = 1024  # events this large are hand-scanned before a filter lets them be parsed
RUN_GRAPH_TAG = "__run_graph__"
_unpack_float = struct.Struct("<f").unpack_from
_unpack_double = struct.Struct("<d").unpack_from
_I64, _U64 = 1 << 63, 1 << 64
_FAST_MIN_BYTES = 16  # smaller events are too small to hold a tag and a float: read in full
_MAX_STEP_BYTES = 9  # longer (negative) steps are read by the record path
_MISSING: Any = object()  # sentinel for dict.get; typed Any so it narrows away


class Collector:
    """The steps, wall times and raw values of one tag while reading.

    Steps and wall times are numpy columns; raw values stay a float64 column while every one is
    a float (one-float scalars), and become a list once one is not.
    """

    __slots__ = ("steps", "wall_times", "numbers", "objects")

    def __init__(self) -> None:
        self.steps = Column(np.int64)
        self.wall_times = Column(np.float64)
        self.numbers = Column(np.float64)
        self.objects: list[Any] | None = None

    def add(self, step: int, wall_time: float, raw: Any) -> None:
        self.steps.append(step)
        self.wall_times.append(wall_time)
        if self.objects is None and type(raw) is float:
            self.numbers.append(raw)
        else:
            self._objects().append(raw)

    def extend(self, steps: np.ndarray, wall_times: np.ndarray, numbers: np.ndarray) -> None:
        self.steps.extend(steps)
        self.wall_times.extend(wall_times)
        if self.objects is None:
            self.numbers.extend(numbers)
        else:
            self.objects.extend(numbers.tolist())

    def raw(self) -> np.ndarray | list[Any]:
        """Every raw value (call once, when reading is done)."""
        return self.objects if self.objects is not None else self.numbers.array()

    def _objects(self) -> list[Any]:
        if self.objects is None:
            self.objects = self.numbers.array().tolist()
        return self.objects


class RunReader:
    """Reads the files of one run in order, keeping the run's first metadata per tag."""

    def __init__(self, run: str, wanted: Wanted, values: bool, on_corruption: str) -> None:
        self.run = run
        self.wanted = wanted
        self.values = values
        self.on_corruption = on_corruption
        self.metadata: dict[str, summary_pb2.SummaryMetadata] = {}
        self.collectors: dict[str, Collector | None] = {}
        self.fast: dict[bytes, Collector | None] = {}  # event bytes after the step -> where to
        self.records = 0
        self.chunk: _ChunkReader | None = None  # the chunk being read, while it is

    def read_file(self, path: str, on_read: Callable[[int], None] | None) -> None:
        try:
            with storage.open_binary(path) as handle:
                self._read_records(handle, path, on_read)
        except CorruptRecordError as error:
            report_corruption(error, self.on_corruption, stacklevel=5)

    def _read_records(self, handle: Any, path: str, on_read: Any) -> None:
        for chunk in iter_chunks(handle, path, on_read):
            _ChunkReader(self, chunk, path).read()

    def record(self, data: bytes, start: int, end: int, path: str, offset: int) -> None:
        """One record read by itself: the one-float shape by hand, anything else parsed."""
        try:
            if not _FAST_MIN_BYTES <= end - start <= FAST_MAX_BYTES:
                self._general(data, start, end, path, offset)
                return
            # decode.event_head, inlined: most records not read as columns are small
            if data[start] == 0x09:
                wall_time = _unpack_double(data, start + 1)[0]
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
                    return
            key = data[pos : end - 4]
            collector = self.fast.get(key, _MISSING)
            if collector is _MISSING:
                self._classify(data, start, end, key, path, offset)
            elif collector is not None:
                self.add(collector, step, wall_time, _unpack_float(data, end - 4)[0])
        except (decode.WireError, IndexError, DecodeError) as error:
            raise CorruptRecordError(path, offset, f"payload is not an Event: {error}") from None

    def add(self, collector: Collector, step: int, wall_time: float, raw: Any) -> None:
        """Append one value, after the values of the chunk read as columns that precede it."""
        if self.chunk is not None:
            self.chunk.catch_up(collector)
        collector.add(step, wall_time, raw)

    # -- one event at a time ------------------------------------------------------------------

    def _classify(
        self, data: bytes, start: int, end: int, key: bytes, path: str, offset: int
    ) -> None:
        """Read a small event in full; if it is a one-float event, remember its shape (and keep
        its value as the float later events of that shape give)."""
        event = _parse(data[start:end], path, offset)
        tag = one_float_tag(event, data, start, end)
        if tag is None:
            self._event(event)
            return
        self._value(
            event.step, event.wall_time, event.summary.value[0], _unpack_float(data, end - 4)[0]
        )
        self.fast[key] = self._collector(tag)

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
                self.add(collector, step, wall_time, None)

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

    def _value(
        self,
        step: int,
        wall_time: float,
        value: summary_pb2.Summary.Value,
        number: float | None = None,
    ) -> None:
        """Add one value; `number` is the float of a one-float event, kept as it is."""
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
            self.add(collector, step, wall_time, None)
        elif number is not None:
            self.add(collector, step, wall_time, number)
        elif kind == "tensor":
            self.add(collector, step, wall_time, self._scalar(tag, self._tensor(tag, value.tensor)))
        else:
            self.add(collector, step, wall_time, legacy.convert(value, kind))

    def _scalar(self, tag: str, raw: Any) -> Any:
        """A scalars tag's rank-0 float32 tensor as its float, so the tag keeps one column."""
        metadata = self.metadata.get(tag)
        if (
            isinstance(raw, np.ndarray)
            and raw.shape == ()
            and raw.dtype == np.float32
            and metadata is not None
            and metadata.plugin_data.plugin_name == "scalars"
        ):
            return float(raw)
        return raw

    def _kind_read(self, tag: str, kind: str | None) -> str | None:
        """The kind a value is read as: its own, or for one with no value field (tensorboardX's
        and torch's hparams) the null tensor when TensorBoard reads it so."""
        if kind is None and legacy.reads_null_tensor(self.metadata.get(tag)):
            return legacy.NULL_TENSOR
        return kind

    def _add(self, tag: str, event: event_pb2.Event, blob: bytes) -> None:
        collector = self._collector(tag)
        if collector is not None:
            self.add(collector, event.step, event.wall_time, bytes(blob) if self.values else None)

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
            if collector is None or not collector.steps.size or not self.wanted.plugin(plugin):
                continue
            raw = collector.raw() if self.values else None
            if isinstance(raw, np.ndarray) and plugin != "scalars":
                raw = raw.tolist()  # other plugins decode value by value, as Python floats
            steps, wall_times = collector.steps.array(), collector.wall_times.array()
            series[tag] = Series(self.run, tag, metadata, steps, wall_times, raw)
        return RunData(self.run, series, paths, self.records)


_SLOW = -1  # a record read by itself
_SKIP = -2  # a one-float record of a tag the filters do not want
_FEW_TARGETS = 16  # up to this many tags in a chunk are split by one comparison each


class _ChunkReader:
    """One chunk's records. One-float records of a known shape are read from the byte columns
    the CRC check gathered (`Group`), all at once; the rest one by one, in file order. A tag's
    column-read values are appended before any later value of that tag read by itself, so
    every tag keeps file order."""

    def __init__(self, reader: RunReader, chunk: Chunk, path: str) -> None:
        self.reader = reader
        self.chunk = chunk
        self.path = path
        count = len(chunk.starts)
        self.targets: list[Collector] = []
        self.target_ids: dict[Collector, int] = {}
        self.entry = np.full(count, _SLOW, dtype=np.int64)  # target index, _SLOW or _SKIP
        self.steps = np.empty(count, dtype=np.int64)
        self.wall_times = np.empty(count, dtype=np.float64)
        self.numbers = np.empty(count, dtype=np.float64)
        self.pending: dict[Collector, tuple[np.ndarray, int]] = {}  # its records, how many added
        self.position = 0  # the record being read by itself
        for length, group in chunk.groups.items():
            if _FAST_MIN_BYTES <= length <= FAST_MAX_BYTES:
                self._match(length, group)

    def read(self) -> None:
        """Add every record of the chunk to its tag (up to a corrupt one, which raises)."""
        for target, part in _by_target(self.entry, len(self.targets)):
            self.pending[self.targets[target]] = (part, 0)
        chunk, reader = self.chunk, self.reader
        reader.chunk = self
        self.position = len(chunk.starts)
        try:
            for index in np.flatnonzero(self.entry == _SLOW).tolist():
                self.position = index
                start = int(chunk.starts[index])
                end = start + int(chunk.lengths[index])
                reader.record(chunk.buffer, start, end, self.path, chunk.base + start - HEADER)
            self.position = len(chunk.starts)
        finally:
            reader.chunk = None
            reader.records += min(self.position + 1, len(chunk.starts))
            for collector in self.pending:
                self.catch_up(collector)

    def catch_up(self, collector: Collector) -> None:
        """Append `collector`'s column-read values that come before the current record."""
        pending = self.pending.get(collector)
        if pending is None:
            return
        part, done = pending
        upto = int(np.searchsorted(part, self.position))
        if upto > done:
            at = part[done:upto]
            collector.extend(self.steps[at], self.wall_times[at], self.numbers[at])
            self.pending[collector] = (part, upto)

    def _match(self, length: int, group: Group) -> None:
        """Read the one-float events among records of one `length`: wall time (tag 1, fixed
        64-bit), step (tag 2, varint), bytes up to the float that are a known shape, float."""
        columns, rows = group.columns, group.rows
        going = (columns[0] == 0x09) & (columns[9] == 0x10)
        width = np.zeros(len(rows), dtype=np.int8)
        for j in range(min(_MAX_STEP_BYTES, length - 14)):
            if not going.any():
                break
            last = columns[10 + j] < 0x80
            width[going & last] = j + 1
            going &= ~last
        for step_bytes in np.unique(width[width > 0]).tolist():
            which = np.flatnonzero(width == step_bytes)
            chosen: slice | np.ndarray = slice(None) if len(which) == len(rows) else which
            at = rows[chosen]
            picked = columns[:, chosen]
            self.entry[at] = self._shapes(picked[10 + step_bytes : length - 4])
            step = np.zeros(len(at), dtype=np.uint64)
            for j in range(step_bytes):
                step |= (picked[10 + j] & 0x7F).astype(np.uint64) << np.uint64(7 * j)
            self.steps[at] = step.view(np.int64)
            self.wall_times[at] = _little_endian(picked[1:9], "<f8")
            self.numbers[at] = _little_endian(picked[length - 4 : length], "<f4")

    def _shapes(self, keys: np.ndarray) -> np.ndarray:
        """The target of each record from its key bytes (a column each): the distinct keys are
        found from the few byte rows that differ between records, then looked up once each."""
        first = keys[:, 0]
        differing = np.flatnonzero(~(keys == first[:, None]).all(axis=1))
        varying = keys[differing].T  # [records, differing bytes]
        if len(differing) <= 2:
            code = np.zeros(keys.shape[1], dtype=np.int64)
            for shift, row in enumerate(varying.T):
                code |= row.astype(np.int64) << (8 * shift)
            present = np.flatnonzero(np.bincount(code))
            where = np.zeros(len(present) and int(present[-1]) + 1, dtype=np.int64)
            where[present] = np.arange(len(present))
            inverse = where[code]
            distinct = [
                [(int(c) >> (8 * i)) & 0xFF for i in range(len(differing))] for c in present
            ]
        else:
            unique, inverse = np.unique(varying, axis=0, return_inverse=True)
            distinct = unique.tolist()
        targets = np.empty(len(distinct), dtype=np.int64)
        key = first.copy()
        for index, varying_bytes in enumerate(distinct):
            key[differing] = varying_bytes
            targets[index] = self._target(key.tobytes())
        return targets[inverse.reshape(-1)]

    def _target(self, key: bytes) -> int:
        collector = self.reader.fast.get(key, _MISSING)
        if collector is _MISSING:
            return _SLOW
        if collector is None:
            return _SKIP
        index = self.target_ids.get(collector)
        if index is None:
            index = self.target_ids[collector] = len(self.targets)
            self.targets.append(collector)
        return index


def _by_target(entry: np.ndarray, targets: int) -> list[tuple[int, np.ndarray]]:
    """(target, indices of its records in order) for every target in `entry`."""
    if targets <= _FEW_TARGETS:
        parts = [(target, np.flatnonzero(entry == target)) for target in range(targets)]
        return [(target, part) for target, part in parts if len(part)]
    indices = np.flatnonzero(entry >= 0)
    by_target = indices[np.argsort(entry[indices], kind="stable")]
    bounds = np.flatnonzero(np.diff(entry[by_target])) + 1
    return [(int(entry[part[0]]), part) for part in np.split(by_target, bounds)]


def _little_endian(columns: np.ndarray, dtype: str) -> np.ndarray:
    """Byte rows [size, n] read as n little-endian numbers of `dtype` (size bytes each)."""
    return np.ascontiguousarray(columns.T).view(dtype).reshape(-1)


_GRAPH_PLUGINS = {"graph_def": "graphs", "tagged_run_metadata": "graph_tagged_run_metadata"}
_SHOWN_KINDS = {"tensor", "graph_def", legacy.NULL_TENSOR, *legacy.PLUGINS}


def _parse(payload: bytes, path: str, offset: int) -> event_pb2.Event:
    try:
        return event_pb2.Event.FromString(payload)
    except DecodeError as error:
        raise CorruptRecordError(path, offset, f"payload is not an Event: {error}") from None
