"""Reading the files of one run in order into per-tag collectors, TensorBoard's rules applied:
the first metadata of a tag decides its plugin, legacy values are converted as `data_compat` does.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
from google.protobuf.message import DecodeError

from summary.proto import event_pb2, summary_pb2
from summary.reader import legacy, storage, tensors
from summary.reader.columns import Column
from summary.reader.events import report_corruption
from summary.reader.frames import Chunk, Group, iter_chunks
from summary.reader.indexed import TrustedIndex, decoded_chunks, fetch_records, kind_name
from summary.reader.record_reader import CorruptRecordError
from summary.reader.result import RunData, Series
from summary.reader.sampled import Deferred, read_payloads
from summary.reader.sampling import sample_positions
from summary.reader.wanted import Wanted
from summary.wire import decode
from summary.wire.index_format import (
    HAS_VALUE,
    KIND_CODES,
    KIND_MASK,
    Body,
    IndexFormatError,
    Metadata,
)
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

    def reserve(self, count: int) -> None:
        """Room for `count` values in each column (address space until written)."""
        self.steps.reserve(count)
        self.wall_times.reserve(count)
        self.numbers.reserve(count)

    def take(self, body: Body, indices: np.ndarray | slice) -> None:
        """Append the steps, wall times and values of an index body's entries at `indices`."""
        self.steps.take(body.step, indices)
        self.wall_times.take(body.wall_time, indices)
        self.numbers.take(body.value, indices)

    def take_all(self, other: Collector) -> None:
        """Append `other`'s values: its very columns when this collector is still empty."""
        if self.steps.size or self.objects is not None:
            self.extend(other.steps.array(), other.wall_times.array(), other.numbers.array())
        else:
            self.steps, self.wall_times, self.numbers = other.steps, other.wall_times, other.numbers

    def raw(self) -> np.ndarray | list[Any]:
        """Every raw value (call once, when reading is done)."""
        return self.objects if self.objects is not None else self.numbers.array()

    def _objects(self) -> list[Any]:
        if self.objects is None:
            self.objects = self.numbers.array().tolist()
        return self.objects


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
        self.fast: dict[bytes, Collector | None] = {}  # event bytes after the step -> where to
        self.records = 0
        self.chunk: _ChunkReader | None = None  # the chunk being read, while it is

    def read_file(self, path: str, on_read: Callable[[int], None] | None, start: int = 0) -> None:
        """Scan the records of `path` from byte `start` (where an index's prefix ended)."""
        try:
            with storage.open_binary(path) as handle:
                handle.seek(start)
                self._read_records(handle, path, on_read, start)
        except CorruptRecordError as error:
            report_corruption(error, self.on_corruption, 0, self.warnings.append)

    def _read_records(self, handle: Any, path: str, on_read: Any, begin: int) -> None:
        for chunk in iter_chunks(handle, path, on_read, base=begin):
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
        self.fast[key] = self.collector_of(tag)

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
            self.remember_metadata(head.tag, head.kind, head.metadata)
            if self._kind_read(head.tag, head.kind) in _SHOWN_KINDS:
                collector = self.collector_of(head.tag)
                if collector is not None:
                    wanted.append(collector)
        if wanted and self.values and self._all_sampled(heads):
            self._defer(heads, step, wall_time, path, offset)
        elif wanted and self.values:
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
            self.remember_metadata(RUN_GRAPH_TAG, "graph_def", None)
            self._add(RUN_GRAPH_TAG, event, event.graph_def)
        elif what == "tagged_run_metadata":
            tagged = event.tagged_run_metadata
            self.remember_metadata(tagged.tag, "tagged_run_metadata", None)
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
        self.remember_metadata(tag, kind, value.metadata if value.HasField("metadata") else None)
        kind = self._kind_read(tag, kind)
        if kind not in _SHOWN_KINDS:
            return  # nothing TensorBoard would show (e.g. obsolete_old_style_histogram)
        collector = self.collector_of(tag)
        if collector is None:
            return
        if not self.values:
            self.add(collector, step, wall_time, None)
        elif number is not None:
            self.add(collector, step, wall_time, number)
        else:
            self.add(collector, step, wall_time, self._raw(tag, kind, value))

    def _raw(self, tag: str, kind: str, value: summary_pb2.Summary.Value) -> Any:
        """The raw value of `value`, read as `kind`."""
        if kind == "tensor":
            return self._scalar(tag, self._tensor(tag, value.tensor))
        return legacy.convert(value, kind)

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
        collector = self.collector_of(tag)
        if collector is not None:
            self.add(collector, event.step, event.wall_time, bytes(blob) if self.values else None)

    def _tensor(self, tag: str, tensor: Any) -> Any:
        try:
            return tensors.to_ndarray(tensor)
        except tensors.TensorDecodeError as error:
            self.warnings.append(
                UserWarning(f"summary.reader: run {self.run!r}, tag {tag!r}: {error}")
            )
            return None

    def remember_metadata(self, tag: str, kind: str | None, metadata: Any) -> None:
        """Keep the first metadata of `tag` (legacy values and graphs get TensorBoard's)."""
        if tag in self.metadata:
            return
        metadata = _metadata_read(tag, kind, metadata)
        if metadata is not None:
            self.metadata[tag] = metadata

    def collector_of(self, tag: str) -> Collector | None:
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

    def read_indexed(self, path: str, index: TrustedIndex) -> int:
        """Take the records of `index`'s prefix of `path`: scalars from the index itself, other
        wanted records read by offset (a sampled plugin's only if the sample keeps them). The
        event-file bytes taken (the rest is to be scanned). Raises OSError (a record read is not
        what the index says) or IndexFormatError (its first chunk lies) before changing
        anything; the caller then scans the file."""
        taking = _IndexPass(self, path, None)
        taking.run(index)
        plans = taking.final_plans()
        if plans is not None:  # a tag turned out to need another way of reading: read again
            taking = _IndexPass(self, path, plans)
            taking.run(index)
        taking.commit()
        return taking.covered

    def take_fetched(self, name: str, offsets: np.ndarray, payloads: dict[int, bytes]) -> None:
        """The values of tag `name` in the records at `offsets`, parsed from their payloads."""
        done = None
        for offset in offsets.tolist():
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
            if collector is None or not collector.steps.size or not self.wanted.plugin(plugin):
                continue
            raw = collector.raw() if self.values else None
            if isinstance(raw, np.ndarray) and plugin != "scalars":
                raw = raw.tolist()  # other plugins decode value by value, as Python floats
            steps, wall_times = collector.steps.array(), collector.wall_times.array()
            if plugin in self.samples:
                kept = sample_positions(len(steps), self.samples[plugin])
                steps, wall_times = steps[kept], wall_times[kept]
                if raw is not None:
                    raw = raw[kept] if isinstance(raw, np.ndarray) else [raw[i] for i in kept]
            series[tag] = Series(self.run, tag, metadata, steps, wall_times, raw)
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
            collector = self.collector_of(head.tag)
            if collector is not None:
                self.add(collector, step, wall_time, Deferred(path, offset, head.tag, nth))

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
            if event.WhichOneof("what") == "graph_def":
                return bytes(event.graph_def)
            values = [v for v in event.summary.value if (v.tag or v.node_name) == ref.tag]
            kind = None
            if ref.nth < len(values):
                value = values[ref.nth]
                kind = self._kind_read(ref.tag, value.WhichOneof("value"))
            if kind is None:  # only an index (lying, its checksums intact) can say otherwise
                raise CorruptRecordError(
                    ref.path,
                    ref.offset,
                    f"holds no value {ref.nth} of {ref.tag!r}, as its index said",
                )
        except CorruptRecordError as error:
            report_corruption(error, self.on_corruption, 0, self.warnings.append)
            return None
        return self._raw(ref.tag, kind, value)


Entries = np.ndarray | slice  # some entries of an index body: their indices, or a slice
_SKIP_TAG, _COLUMNS, _FETCH, _DEFER = range(4)  # how a tag's entries in an index are taken
_RECORD, _EMPTY = KIND_CODES["record"], KIND_CODES["empty"]
_OBSOLETE = KIND_CODES["obsolete_old_style_histogram"]
_GRAPH, _TAGGED = KIND_CODES["graph_def"], KIND_CODES["tagged_run_metadata"]


class _Plan(NamedTuple):
    """How a tag's entries are taken; values without a value field are shown only when `null`
    (they read as null tensors), from offset `since` (where the tag's metadata said so)."""

    mode: int
    null: bool
    since: int


class _Taken:
    """What a pass over an index took for one tag: columns of its entries, or where its records
    are, and what it learnt about them."""

    __slots__ = (
        "name",
        "plan",
        "steps",
        "offsets",
        "lengths",
        "nth",
        "lacks_value",
        "tagged",
        "empty",
    )

    def __init__(self, name: str, plan: _Plan) -> None:
        self.name = name
        self.plan = plan
        self.steps = Collector()  # steps, wall times (and index values) of the entries taken
        self.offsets: list[np.ndarray] = []
        self.lengths: list[np.ndarray] = []
        self.nth: list[np.ndarray] = []  # which value of the tag in its record
        self.lacks_value = False  # an entry shown has no value in the index
        self.tagged = False  # an entry is a tagged_run_metadata
        self.empty = False  # an entry is a value without a value field

    def final(self, plan: _Plan) -> bool:
        """Whether this pass took the tag as `plan` (decided knowing all) says."""
        return plan.mode == self.plan.mode and (not self.empty or plan == self.plan)


class _IndexPass:
    """One pass over an index's chunks, body by body: per chunk the entries of each wanted tag
    are picked out (grouped by a stable sort on the small tag ids) and appended to that tag's
    columns, and the chunk is dropped. How a tag is taken is decided at its first entry from the
    metadata known then; `final_plans` tells when the whole index decides otherwise."""

    def __init__(self, reader: RunReader, path: str, plans: dict[int, _Plan] | None) -> None:
        self.reader = reader
        self.path = path
        self.plans = plans
        self.names: list[str] = []  # tag names by id
        self.known = dict(reader.metadata)  # tag -> its first metadata, index included
        self.since: dict[int, int] = {}  # tag id -> offset of its metadata in this file
        self.metadata: list[tuple[Metadata, str]] = []
        self.taken: dict[int, _Taken] = {}
        self.covered = 0
        self.records = 0

    def run(self, index: TrustedIndex) -> None:
        remaining = sum(head.entries for head in index.chunks)
        for heads, body in decoded_chunks(index):
            self._chunk(heads[0].start, body, remaining)
            remaining -= len(body.kind)
            self.covered = heads[-1].covered
            self.records += sum(head.records for head in heads)

    def _chunk(self, start: int, body: Body, remaining: int) -> None:
        """Take the entries of a run of chunks, the first record at `start`; `remaining`:
        entries in it and the chunks after."""
        self.names += body.tags
        for meta in body.metadata:
            name = RUN_GRAPH_TAG if meta.kind == _GRAPH else self.names[meta.tag]
            self.metadata.append((meta, name))
            if name not in self.known:
                try:
                    found = _metadata_read(name, kind_name(meta.kind), meta.metadata)
                except DecodeError:  # a lying index (its checksums hold): not used
                    raise IndexFormatError(f"metadata of tag {name!r} does not parse") from None
                if found is not None:
                    self.known[name] = found
            if name not in self.reader.metadata:
                self.since[meta.tag] = meta.offset
        kinds = body.kind & KIND_MASK
        valued = np.flatnonzero(kinds != _RECORD)
        if not len(valued):
            return
        tags = body.tag[valued].astype(np.uint16 if len(self.names) <= 1 << 16 else np.uint32)
        counts = np.bincount(tags)
        present = np.flatnonzero(counts)
        offsets: list[np.ndarray] = []  # computed once, if a tag needs them

        def offsets_of(group: Entries) -> np.ndarray:
            if not offsets:
                offsets.append(body.offsets(start))
            return offsets[0][group]

        sizes = counts[present]
        groups = _by_tag(valued, tags, sizes)
        for tag_id, group, count in zip(present.tolist(), groups, sizes.tolist(), strict=True):
            taken = self.taken.get(tag_id)
            if taken is None:
                taken = self.taken[tag_id] = self._start(tag_id, int(kinds[group][0]))
                # room for as many more as this chunk suggests: touched only when written
                taken.steps.reserve(count * remaining // len(body.kind) + 1024)
            if taken.plan.mode != _SKIP_TAG:
                self._take(taken, body, group, offsets_of)

    def _start(self, tag_id: int, kind: int) -> _Taken:
        name = RUN_GRAPH_TAG if kind == _GRAPH else self.names[tag_id]
        plan = self.plans.get(tag_id) if self.plans is not None else None
        return _Taken(name, plan or self._decide(tag_id, name, False, False))

    def _decide(self, tag_id: int, name: str, lacks_value: bool, tagged: bool) -> _Plan:
        reader = self.reader
        metadata = self.known.get(name)
        plugin = metadata.plugin_data.plugin_name if metadata is not None else None
        null = legacy.reads_null_tensor(metadata)
        since = self.since.get(tag_id, 0)
        if not reader.wanted.tag(name) or (plugin is not None and not reader.wanted.plugin(plugin)):
            return _Plan(_SKIP_TAG, null, since)
        if not reader.values or (plugin == "scalars" and not lacks_value):
            return _Plan(_COLUMNS, null, since)
        return _Plan(_DEFER if plugin in reader.samples and not tagged else _FETCH, null, since)

    def _take(
        self,
        taken: _Taken,
        body: Body,
        group: Entries,
        offsets_of: Callable[[Entries], np.ndarray],
    ) -> None:
        flags = body.kind[group]
        mode = taken.plan.mode
        nth = None
        if mode == _DEFER:
            nth = _nth_in_record(offsets_of(group))
        if not np.all(flags & HAS_VALUE):  # values of other kinds than one-number scalars
            group = np.arange(len(body.kind))[group]
            plain = flags & KIND_MASK
            shown = plain != _OBSOLETE
            empty = plain == _EMPTY
            if empty.any():
                taken.empty = True
                later = offsets_of(group) >= taken.plan.since
                shown &= ~empty | (taken.plan.null & later)
            taken.tagged |= bool(np.any(plain == _TAGGED))
            group, flags = group[shown], flags[shown]
            nth = None if nth is None else nth[shown]
            taken.lacks_value |= not np.all(flags & HAS_VALUE)
        if mode == _COLUMNS:
            taken.steps.take(body, group)
            return
        taken.offsets.append(offsets_of(group))
        taken.lengths.append(body.length[group])
        if mode == _DEFER:
            assert nth is not None
            taken.nth.append(nth)
            taken.steps.steps.take(body.step, group)
            taken.steps.wall_times.take(body.wall_time, group)

    def final_plans(self) -> dict[int, _Plan] | None:
        """Every tag's plan decided from the whole index, when some tag was taken otherwise."""
        plans = {
            tag_id: self._decide(tag_id, taken.name, taken.lacks_value, taken.tagged)
            for tag_id, taken in self.taken.items()
        }
        if all(taken.final(plans[tag_id]) for tag_id, taken in self.taken.items()):
            return None
        return plans

    def commit(self) -> None:
        """Hand what was taken to the reader (reading the records to parse first: an OSError
        then leaves the reader unchanged)."""
        reader = self.reader
        fetched = [t for t in self.taken.values() if t.plan.mode == _FETCH and t.offsets]
        spans = [
            (offset, length)
            for taken in fetched
            for offset, length in zip(
                np.concatenate(taken.offsets).tolist(),
                np.concatenate(taken.lengths).tolist(),
                strict=True,
            )
        ]
        payloads = fetch_records(self.path, spans) if spans else {}
        for meta, name in self.metadata:
            reader.remember_metadata(name, kind_name(meta.kind), meta.metadata)
        for tag_id in sorted(self.taken):
            taken = self.taken[tag_id]
            collector = reader.collector_of(taken.name) if taken.plan.mode != _SKIP_TAG else None
            if collector is None:
                continue
            if taken.plan.mode == _COLUMNS:
                collector.take_all(taken.steps)
            elif taken.offsets and taken.plan.mode == _FETCH:
                reader.take_fetched(taken.name, np.concatenate(taken.offsets), payloads)
            elif taken.offsets:
                self._defer(collector, taken)
        reader.records += self.records

    def _defer(self, collector: Collector, taken: _Taken) -> None:
        columns = (
            taken.steps.steps.array().tolist(),
            taken.steps.wall_times.array().tolist(),
            np.concatenate(taken.offsets).tolist(),
            np.concatenate(taken.lengths).tolist(),
            np.concatenate(taken.nth).tolist(),
        )
        for step, wall_time, offset, length, nth in zip(*columns, strict=True):
            ref = Deferred(self.path, offset, taken.name, nth, length)
            self.reader.add(collector, step, wall_time, ref)


def _by_tag(valued: np.ndarray, tags: np.ndarray, sizes: np.ndarray) -> list[Entries]:
    """The entries `valued` (tag ids `tags`) of each tag present, in order of tag id, each in
    file order (`sizes`: how many each tag has): slices when the tags repeat in one order
    throughout (scalars logged in the same order at every step: strided copies, no index
    arrays), else from a stable sort."""
    present = len(sizes)
    if present == 1:
        return [valued]
    first, end = int(valued[0]), int(valued[-1]) + 1
    period = tags[:present]
    if (
        end - first == len(valued)
        and len(valued) >= present
        and np.array_equal(tags[present:], tags[:-present])
        and len(np.unique(period)) == present
    ):  # a chunk need not end where a period does: the first tags then have one entry more
        return [slice(first + at, end, present) for at in np.argsort(period).tolist()]
    order = valued[np.argsort(tags, kind="stable")]  # a radix sort: ids are 16 bits
    groups: list[Entries] = list(np.split(order, np.cumsum(sizes)[:-1]))
    return groups


def _nth_in_record(offsets: np.ndarray) -> np.ndarray:
    """For entries of one tag in file order: how many before each are in the same record."""
    position = np.arange(len(offsets))
    first = np.ones(len(offsets), dtype=bool)
    first[1:] = offsets[1:] != offsets[:-1]
    return position - np.maximum.accumulate(np.where(first, position, 0))


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
