"""iter_events: complete records in order, a quiet stop at a partial tail, corruption reported."""

import os
import shutil

import pytest

import summary
from summary.reader import CorruptRecordError, CorruptRecordWarning, iter_events
from tests.listing import without_indexes


@pytest.fixture
def event_file(logdir):
    with summary.create_file_writer(logdir):
        for step in range(5):
            summary.scalar("x", float(step), step=step)
    (name,) = without_indexes(os.listdir(logdir))
    return os.path.join(logdir, name)


def steps(events):
    return [e.step for e in events if e.summary.value]


def test_reads_file_and_logdir(event_file, logdir):
    assert steps(iter_events(event_file)) == [0, 1, 2, 3, 4]
    assert steps(iter_events(logdir)) == [0, 1, 2, 3, 4]


def test_partial_last_record_stops_cleanly_at_every_cut(event_file, tmp_path):
    data = open(event_file, "rb").read()
    full = list(iter_events(event_file, on_corruption="raise"))
    for cut in range(len(data)):
        path = tmp_path / "events.out.tfevents.cut"
        path.write_bytes(data[:cut])
        events = list(iter_events(str(path), on_corruption="raise"))
        assert events == full[: len(events)]


def test_corrupt_payload_reports_file_and_offset_and_keeps_earlier(event_file):
    data = bytearray(open(event_file, "rb").read())
    offsets = []
    offset = 0
    while offset < len(data):
        offsets.append(offset)
        offset += 16 + int.from_bytes(data[offset : offset + 8], "little")
    data[offsets[3] + 13] ^= 0xFF
    open(event_file, "wb").write(bytes(data))
    with pytest.warns(CorruptRecordWarning, match=f"byte offset {offsets[3]}"):
        assert steps(iter_events(event_file)) == [0, 1]
    with pytest.raises(CorruptRecordError) as raised:
        list(iter_events(event_file, on_corruption="raise"))
    assert raised.value.path == event_file and raised.value.offset == offsets[3]


def test_corrupt_length_is_reported(event_file):
    data = bytearray(open(event_file, "rb").read())
    data[2] ^= 0x01
    open(event_file, "wb").write(bytes(data))
    with pytest.warns(CorruptRecordWarning, match="byte offset 0: length checksum"):
        assert list(iter_events(event_file)) == []


def test_runs_are_read_in_name_order(logdir):
    for run in ("b", "a"):
        with summary.create_file_writer(os.path.join(logdir, run)):
            summary.scalar(run, 1.0, step=0)
    tags = [v.tag for e in iter_events(logdir) for v in e.summary.value]
    assert tags == ["a", "b"]


def test_missing_path_raises(tmp_path):
    with pytest.raises(FileNotFoundError):
        list(iter_events(tmp_path / "nope"))


def test_directory_named_like_event_file_is_skipped(logdir, event_file):
    os.makedirs(os.path.join(logdir, "events.out.tfevents.dir"))
    assert steps(iter_events(logdir)) == [0, 1, 2, 3, 4]
    shutil.rmtree(os.path.join(logdir, "events.out.tfevents.dir"))
