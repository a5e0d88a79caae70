"""Records read as numpy columns (many records of one shape in a chunk) give exactly what
TensorBoard's loader and the record-by-record reader give, corrupt records included."""

from __future__ import annotations

import io
import os
import warnings

import crc32c
import numpy as np
import pytest

from summary.reader import CorruptRecordError, CorruptRecordWarning, load
from summary.reader.columns import Column
from summary.reader.frames import _column_crcs, _masked, iter_chunks, iter_frames
from summary.reader.record_reader import iter_records
from summary.wire.records import frame_record
from tests.reader.tb_reference import Event, Summary, SummaryMetadata, loader_values, write_events

STEPS = 1200  # enough records of each shape to be read as columns (over 8 per payload byte)
TAGS = ("a", "loss", "abc1", "xyz2", "accuracy/train", "t0", "t1")


def scalar_events() -> list:
    """Tags of several lengths, some differing in one byte and some in four, steps across the
    1-, 2- and 3-byte varint widths, a few negative steps and events without a wall time, a
    metadata on each tag's first value, and a histogram now and then."""
    events = []
    steps = list(range(STEPS // 2)) + list(range(16_000, 16_000 + STEPS // 2))
    for index, step in enumerate(steps):
        for number, tag in enumerate(TAGS):
            value = Summary.Value(tag=tag, simple_value=step * 0.5 - number)
            if index == 0:
                metadata = SummaryMetadata()
                metadata.plugin_data.plugin_name = "scalars"
                value.metadata.CopyFrom(metadata)
            wall_time = 0.0 if index % 97 == 5 else 1.7e9 + index
            signed = -step if index % 211 == 7 else step
            events.append(Event(wall_time=wall_time, step=signed, summary=Summary(value=[value])))
        if index % 50 == 0:
            histo = Summary.Value(tag="h")
            histo.histo.bucket_limit.append(1.0)
            histo.histo.bucket.append(float(index + 1))
            events.append(Event(wall_time=1.0, step=step, summary=Summary(value=[histo])))
    return events


def assert_same_values(run, reference, tags) -> None:
    assert set(run) == set(tags)
    for tag in tags:
        series = run[tag]
        assert series.steps.tolist() == [step for step, _, _ in reference[tag]], tag
        assert series.wall_times.tolist() == [wall for _, wall, _ in reference[tag]], tag
        if series.plugin == "scalars":
            expected = [float(np.asarray(a).reshape(-1)[0]) for *_, a in reference[tag]]
            assert series.values.tolist() == expected, tag


@pytest.fixture(scope="module")
def scalar_file(tmp_path_factory) -> str:
    logdir = str(tmp_path_factory.mktemp("columns"))
    return write_events(logdir, scalar_events())


def test_column_crcs_equal_crc32c():
    rng = np.random.default_rng(3)
    for length in (0, 1, 7, 35, 200, 512):
        messages = rng.integers(0, 256, size=(40, length), dtype=np.uint8)
        messages[::3, : length // 2] = 7  # constant byte columns take a shortcut
        starts = np.arange(40, dtype=np.int64) * length
        columns, masked = _column_crcs(messages.reshape(-1), starts, length)
        expected = [_masked(crc32c.crc32c(row.tobytes())) for row in messages]
        assert masked.tolist() == expected
        assert columns.T.tolist() == messages.tolist()


def test_columns_equal_tensorboard_loader(scalar_file):
    with open(scalar_file, "rb") as handle:
        grouped = [
            len(group.rows)
            for chunk in iter_chunks(handle, scalar_file)
            for group in chunk.groups.values()
        ]
    assert sum(grouped) > 3000  # many records are read as columns
    reference = loader_values(scalar_file)
    run = load(scalar_file)["."]
    assert_same_values(run, reference, (*TAGS, "h"))
    assert isinstance(run["loss"].raw, np.ndarray)  # one-float scalars are kept as a column
    assert run.records == sum(1 for _ in iter_records(scalar_file))


def test_filters_with_columns(scalar_file):
    reference = loader_values(scalar_file)
    run = load(scalar_file, tags=["a*", "t1"])["."]
    assert_same_values(run, reference, ("a", "abc1", "accuracy/train", "t1"))
    timing = load(scalar_file, plugins="scalars", values=False)["."]
    assert set(timing) == set(TAGS)
    assert timing["xyz2"].values is None
    assert timing["xyz2"].steps.tolist() == [step for step, _, _ in reference["xyz2"]]


@pytest.mark.parametrize("where", ["payload", "header"])
def test_corrupt_record_among_columns_ends_the_file_there(tmp_path, scalar_file, where):
    data = bytearray(open(scalar_file, "rb").read())
    offsets = [offset for offset, _ in iter_records(scalar_file)]
    bad = offsets[len(offsets) * 2 // 3]
    data[bad + (20 if where == "payload" else 9)] ^= 0x40
    logdir = tmp_path / "run"
    logdir.mkdir()
    path = logdir / os.path.basename(scalar_file)
    path.write_bytes(bytes(data))
    kept = {}
    for _, payload in _records_before(str(path)):
        event = Event.FromString(payload)
        for value in event.summary.value:
            kept.setdefault(value.tag, []).append(event.step)
    with pytest.warns(CorruptRecordWarning, match=f"offset {bad}"):
        run = load(str(logdir))["."]
    for tag, steps in kept.items():
        assert run[tag].steps.tolist() == steps
    with pytest.raises(CorruptRecordError, match=f"offset {bad}"):
        load(str(logdir), on_corruption="raise")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loaded = load(str(logdir), on_corruption="ignore", index="ignore")
        assert loaded["."]["loss"].steps.tolist() == kept["loss"]


def _records_before(path: str) -> list[tuple[int, bytes]]:
    records = []
    try:
        for record in iter_records(path):
            records.append(record)
    except CorruptRecordError:
        pass
    return records


@pytest.mark.parametrize("chunk", [100, 4096, 65536])
def test_periodic_frames_at_any_chunk_size(chunk):
    rng = np.random.default_rng(chunk)
    cycle = [bytes(rng.integers(0, 256, size=n, dtype=np.uint8)) for n in (30, 31, 30, 45)]
    payloads = [cycle[i % 4][:-1] + bytes([i % 256]) for i in range(3000)]
    payloads[1700:1703] = [b"x" * 300, b"", b"y" * 5]  # the period breaks, then resumes
    data = b"".join(frame_record(p) for p in payloads)[:-7]  # a partial last record
    expected = list(iter_records("f", io.BytesIO(data)))
    got = [
        (offset, bytes(buffer[start:end]))
        for buffer, start, end, offset in iter_frames(io.BytesIO(data), "f", chunk_bytes=chunk)
    ]
    assert got == expected


def test_column_grows_without_losing_values():
    column = Column(np.int64)
    for number in range(100):
        column.append(number)
    column.extend(np.arange(100, 1000))
    assert column.array().tolist() == list(range(1000))
