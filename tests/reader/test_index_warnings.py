"""A load names, in one IndexWarning from the caller's line, the files it scanned for want of a
usable index: missing, not decoding, or describing more than the file holds; never a lagging one."""

from __future__ import annotations

import os
import warnings

import pytest

import summary
from summary.reader import IndexWarning, load
from summary.reader.indexed import index_path
from summary.wire import encode, index_format, records
from tests.reader import index_lies


def _run(logdir, steps=40):
    with summary.create_file_writer(str(logdir)):
        for step in range(steps):
            summary.scalar("loss", 1.0 / (step + 1), step=step)
    (name,) = [f for f in os.listdir(logdir) if "tfevents" in f]
    return os.path.join(logdir, name)


def _loaded(logdir, **kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data = load(logdir, **kwargs)
    return data, [w for w in caught if w.category is IndexWarning]


def _steps(data):
    return {run: data[run]["loss"].steps.tolist() for run in data}


@pytest.mark.parametrize("workers", [1, 3])
def test_files_without_an_index_give_one_warning_from_the_callers_line(tmp_path, workers):
    paths = [_run(tmp_path / f"run{i}") for i in range(4)]
    for path in paths[1:]:
        os.remove(index_path(path))
    expected, none = _loaded(tmp_path, index="ignore")
    assert none == []
    data, (warning,) = _loaded(tmp_path, workers=workers)
    assert _steps(data) == _steps(expected)
    message = str(warning.message)
    assert "3 event file(s)" in message and message.count(": no index") == 3
    assert paths[0] not in message
    assert warning.filename == __file__


def test_build_writes_the_missing_indexes_and_then_nothing_is_warned(tmp_path):
    path = _run(tmp_path / "run")
    os.remove(index_path(path))
    data, none = _loaded(tmp_path, index="build")
    assert none == [] and os.path.exists(index_path(path))
    again, none = _loaded(tmp_path)
    assert none == [] and _steps(again) == _steps(data) == {"run": list(range(40))}


def test_an_index_that_does_not_decode_is_named_and_rebuilt_by_build(tmp_path):
    path = _run(tmp_path / "run")
    with open(index_path(path), "r+b") as handle:
        handle.write(b"garbage!")
    data, (warning,) = _loaded(tmp_path)
    assert "index not used" in str(warning.message) and path in str(warning.message)
    assert _steps(data) == {"run": list(range(40))}
    _, none = _loaded(tmp_path, index="build")
    assert none == []
    _, none = _loaded(tmp_path)
    assert none == []


def test_a_truncated_file_is_named_and_loads_like_the_scan(tmp_path):
    path = _run(tmp_path / "run")
    size = os.path.getsize(path)
    with open(path, "r+b") as handle:
        handle.truncate(size - 10)
    expected, _ = _loaded(tmp_path, index="ignore")
    data, (warning,) = _loaded(tmp_path)
    assert path in str(warning.message) and "describes" in str(warning.message)
    assert _steps(data) == _steps(expected) == {"run": list(range(39))}


def test_records_appended_after_the_index_are_scanned_without_a_warning(tmp_path):
    path = _run(tmp_path / "run")
    tail = encode.summary_event(1.0, 99, b"")  # an event the index does not describe yet
    with open(path, "ab") as handle:
        handle.write(records.frame_record(tail))
    with summary.create_file_writer(str(tmp_path / "run2")) as writer:
        writer.flush()  # a live run's file before its index has a chunk: header only
    data, none = _loaded(tmp_path)
    assert none == [] and list(data) == ["run", "run2"]
    assert data["run"]["loss"].steps.tolist() == list(range(40))


def test_an_empty_event_file_is_not_warned_about(tmp_path):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "events.out.tfevents.1.host").write_bytes(b"")
    data, none = _loaded(tmp_path)
    assert none == [] and list(data) == ["run"]


def _chunked_run(logdir, chunks=3, steps=10):
    """A run whose index has `chunks` chunks (one per flush)."""
    with summary.create_file_writer(str(logdir)) as writer:
        for step in range(chunks * steps):
            summary.scalar("loss", 1.0 / (step + 1), step=step)
            if step % steps == steps - 1:
                writer.flush()
    (name,) = [f for f in os.listdir(logdir) if "tfevents" in f]
    path = os.path.join(logdir, name)
    heads = [head for _, head in index_format.iter_heads(open(index_path(path), "rb").read())]
    assert len(heads) == chunks
    return path, heads


@pytest.mark.parametrize("damage", ["checksum", "lie"])
def test_a_damaged_later_chunk_is_named_and_the_rest_scanned(tmp_path, damage):
    path, heads = _chunked_run(tmp_path / "run")
    data = open(index_path(path), "rb").read()
    if damage == "checksum":
        ends = [end for end, _ in index_format.iter_heads(data)]
        broken = bytearray(data)
        broken[ends[1] - 1] ^= 0x01  # the second chunk's last payload byte
        data = bytes(broken)
    else:

        def lie(number, columns):
            if number == 1:
                columns["length"][2] += 1

        data = index_lies.rewrite(data, lie)
    open(index_path(path), "wb").write(data)
    expected, _ = _loaded(tmp_path, index="ignore")
    loaded, (warning,) = _loaded(tmp_path)
    assert _steps(loaded) == _steps(expected) == {"run": list(range(30))}
    assert f"index damaged after byte {heads[0].covered}" in str(warning.message)
    assert path in str(warning.message)
