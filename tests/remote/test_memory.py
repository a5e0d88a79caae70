"""Writing to memory:// (any fsspec URL): objects only grow or roll, records are never torn,
TensorBoard and our reader see everything, at flush time and after close."""

from __future__ import annotations

import struct

import numpy as np
import pytest

import summary
from summary.reader import iter_events, load
from summary.writer import remote
from tests.listing import without_indexes
from tests.tensorboard_loader import multiplexer, scalar_series, values

fsspec = pytest.importorskip("fsspec")


def objects(url: str) -> list[tuple[str, bytes]]:
    filesystem, root = fsspec.core.url_to_fs(url)
    found = without_indexes(sorted(filesystem.find(root)))
    return [(path, filesystem.cat_file(path)) for path in found]


def record_lengths(data: bytes) -> list[int]:
    """Payload lengths of the records of `data`; fails on a partial record."""
    lengths, offset = [], 0
    while offset < len(data):
        (length,) = struct.unpack_from("<Q", data, offset)
        offset += 16 + length
        lengths.append(length)
    assert offset == len(data), "the object ends inside a record"
    return lengths


def test_flush_makes_values_visible(memory_logdir):
    writer = summary.create_file_writer(memory_logdir + "/train")
    with writer.as_default():
        for step in range(5):
            summary.scalar("loss", 1.0 / (step + 1), step=step)
    writer.flush()
    assert list(load(memory_logdir)["train"]["loss"].steps) == [0, 1, 2, 3, 4]
    assert writer.path.startswith("memory://")
    writer.close()


BIG_METADATA = b"\x0a\x08\x0a\x06custom"  # SummaryMetadata{plugin_data{plugin_name: "custom"}}


def test_rolled_objects_hold_whole_records_and_read_completely(memory_logdir, monkeypatch):
    monkeypatch.setattr(remote, "SEGMENT_UPLOADS", 3)
    monkeypatch.setattr(remote, "SEGMENT_BYTES", 3 << 20)
    big = np.arange(2**19, dtype=np.float32)  # 2 MiB: the writer hands it over in pieces
    run = memory_logdir + "/run"
    with summary.create_file_writer(run) as writer:
        for step in range(12):
            summary.scalar("loss", float(step), step=step)
            if step % 4 == 1:
                summary.write("big", big + step, step=step, metadata=BIG_METADATA)
            writer.flush()
    stored = objects(run)
    assert len(stored) > 3
    names = [path.rsplit("/", 1)[1] for path, _ in stored]
    assert names == sorted(names)
    for _, data in stored:
        record_lengths(data)
        events = list(iter_events_of(data))
        assert events[0].file_version == "brain.Event:2"
        # each object is a file of its own to TensorBoard: a tag's first value there has metadata
        seen = set()
        for event in events:
            for value in event.summary.value:
                assert value.HasField("metadata") == (value.tag not in seen), value.tag
                seen.add(value.tag)
    data = load(memory_logdir)["run"]
    assert list(data["loss"].steps) == list(range(12))
    assert [int(v[0]) for v in data["big"].values] == [1, 5, 9]
    # TensorBoard reads fsspec URLs itself, file after file
    accumulator = multiplexer(memory_logdir).GetAccumulator("run")
    assert scalar_series(accumulator, "loss") == {step: float(step) for step in range(12)}
    assert [int(array[0]) for _, _, array in values(accumulator, "big")] == [1, 5, 9]


def iter_events_of(data: bytes):
    from summary.proto import event_pb2

    offset = 0
    while offset < len(data):
        (length,) = struct.unpack_from("<Q", data, offset)
        yield event_pb2.Event.FromString(data[offset + 12 : offset + 12 + length])
        offset += 16 + length


def test_close_uploads_everything(memory_logdir):
    run = memory_logdir + "/run"
    writer = summary.create_file_writer(run, flush_millis=60_000)
    with writer.as_default():
        for step in range(1000):
            summary.scalar("x", step, step=step)
    writer.close()
    steps = [e.step for e in iter_events(run) if e.summary.value]
    assert steps == list(range(1000))


def test_missing_fsspec_protocol_is_a_clear_error(tmp_path):
    with pytest.raises((ImportError, ValueError), match="nosuchproto"):
        summary.create_file_writer("nosuchproto://bucket/run")


def test_a_trailing_slash_names_the_same_run(memory_logdir):
    first = summary.create_file_writer(memory_logdir + "/run")
    second = summary.create_file_writer(memory_logdir + "/run/")
    for step in range(3):
        with first.as_default():
            summary.scalar("a", step, step=step)
        with second.as_default():
            summary.scalar("b", step, step=step)
    first.close()
    second.close()
    assert len(objects(memory_logdir + "/run")) == 1  # one file: TensorBoard skips none of it
    data = load(memory_logdir)["run"]
    assert list(data["a"].steps) == list(data["b"].steps) == [0, 1, 2]


def write_runs(logdir: str, count: int) -> None:
    for index in range(count):
        with summary.create_file_writer(f"{logdir}/run{index}"):
            for step in range(30):
                summary.scalar("loss", index * step, step=step)
                summary.histogram("w", np.arange(10.0) * step, step=step)


def test_workers_change_nothing(memory_logdir):
    from tests.reader.test_many_runs import assert_same

    write_runs(memory_logdir, 12)
    expected = load(memory_logdir)
    assert len(expected) == 12
    assert_same(load(memory_logdir, workers=4), expected)
