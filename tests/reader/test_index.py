"""The event-file index: same values with and without it, and never trusted blindly."""

from __future__ import annotations

import os
import shutil
import warnings

import numpy as np
import pytest

import summary
from summary.cli import main
from summary.reader import load
from summary.reader.indexed import IndexWarning, index_path
from summary.reader.sampling import sample_positions
from summary.wire import index_format, records
from tests.byte_counter import Counter, tag_records
from tests.reader import index_lies
from tests.reader.test_samples_per_plugin import write_merged_images


def _write(logdir, steps=300):
    writer = summary.create_file_writer(str(logdir))
    with writer.as_default():
        for step in range(steps):
            summary.scalar("loss", 1.0 / (step + 1), step=step)
            summary.scalar("acc", float(step), step=step)
            if step % 50 == 0:
                summary.image("img", np.full((1, 4, 4, 3), step % 255, np.uint8), step=step)
                summary.histogram("w", np.arange(10.0) + step, step=step)
    writer.close()
    files = sorted(f for f in os.listdir(logdir) if "tfevents" in f)
    return os.path.join(logdir, files[-1])


def _same(a, b):
    assert list(a) == list(b)
    for run in a:
        assert list(a[run]) == list(b[run]) and a[run].records == b[run].records
        for tag in a[run]:
            x, y = a[run][tag], b[run][tag]
            assert np.array_equal(x.steps, y.steps)
            assert np.array_equal(x.wall_times, y.wall_times)
            assert x.plugin == y.plugin
            if x.values is None or y.values is None:
                assert x.values is y.values
            elif isinstance(x.values, np.ndarray):
                assert np.array_equal(x.values, y.values)
            else:
                assert all(np.array_equal(p, q) for p, q in zip(x.values, y.values, strict=True))


def test_writer_writes_an_index_and_load_agrees_with_a_scan(tmp_path):
    path = _write(tmp_path)
    assert os.path.exists(index_path(path))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _same(load(tmp_path, index="ignore"), load(tmp_path))
        _same(load(tmp_path, index="ignore", plugins="images"), load(tmp_path, plugins="images"))
        _same(load(tmp_path, index="ignore", values=False), load(tmp_path, values=False))


def _closed_run(tmp_path):
    logdir = tmp_path / "run"
    writer = summary.create_file_writer(str(logdir))
    with writer.as_default():
        for step in range(300):
            summary.scalar("loss", 1.0 / (step + 1), step=step)
            if step % 50 == 0:
                summary.image("img", np.full((1, 4, 4, 3), step, np.uint8), step=step)
    writer.close()
    (path,) = [str(logdir / f) for f in os.listdir(logdir) if "tfevents" in f]
    return logdir, path


def test_scalars_from_the_index_read_no_record_of_the_event_file(tmp_path):
    logdir, path = _closed_run(tmp_path)
    expected = load(logdir, plugins="scalars", index="ignore")
    data = bytearray(open(path, "rb").read())
    chunks = [c for _, c in index_format.iter_chunks(open(index_path(path), "rb").read())]
    last = chunks[-1].last_offset
    first_end = records.framed_size(data, 0)
    data[first_end:last] = bytes(last - first_end)  # every record but the first and last: zeros
    open(path, "wb").write(bytes(data))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _same(expected, load(logdir, plugins="scalars"))
    with pytest.warns(summary.reader.CorruptRecordWarning):
        load(logdir, index="ignore")


def test_bad_index_modes_are_refused(tmp_path):
    with pytest.raises(ValueError, match="index"):
        load(tmp_path, index="fast")


def _hostile(tmp_path, damage):
    logdir, path = _closed_run(tmp_path)
    damage(path, index_path(path))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scanned = load(logdir, index="ignore")
        _same(scanned, load(logdir))
        _same(load(logdir, index="ignore", plugins="images"), load(logdir, plugins="images"))


def _flip(path, at):
    data = bytearray(open(path, "rb").read())
    data[at % len(data)] ^= 0x10
    open(path, "wb").write(bytes(data))


@pytest.mark.parametrize(
    "damage",
    [
        lambda event, index: os.truncate(index, os.path.getsize(index) // 2),
        lambda event, index: os.truncate(index, 10),
        lambda event, index: _flip(index, 40),
        lambda event, index: _flip(index, -3),
        lambda event, index: os.truncate(event, os.path.getsize(event) // 2),
        lambda event, index: os.truncate(event, 5),
        lambda event, index: open(event, "ab").write(records.frame_record(b"\x09" + bytes(8))),
        lambda event, index: _flip(event, -3),
        lambda event, index: _flip(event, -20),
        lambda event, index: _flip(event, 30),
        lambda event, index: os.remove(index),
    ],
    ids=[
        "index-half",
        "index-header-cut",
        "index-flip-head",
        "index-flip-tail",
        "event-half",
        "event-cut",
        "event-appended",
        "event-flip-last-footer",
        "event-flip-last-payload",
        "event-flip-head",
        "no-index",
    ],
)
def test_hostile_index_or_changed_event_file_gives_what_a_scan_gives(tmp_path, damage):
    _hostile(tmp_path, damage)


def test_index_of_another_file_is_refused(tmp_path):
    _, other = _closed_run(tmp_path / "a")

    def swap(event, index):
        shutil.copy(index_path(other), index)

    _hostile(tmp_path / "b", swap)


def test_lying_lengths_with_valid_checksums_are_refused(tmp_path):
    def lie(number, columns):
        columns["length"][len(columns["length"]) // 2] += 3

    logdir, path = _closed_run(tmp_path)
    data = open(index_path(path), "rb").read()
    open(index_path(path), "wb").write(index_lies.rewrite(data, lie))
    with pytest.warns(IndexWarning):
        _same(load(logdir, index="ignore"), load(logdir))


def test_a_flipped_same_record_bit_is_refused(tmp_path):
    def lie(number, columns):
        columns["kind"][5] ^= index_format.SAME_RECORD

    logdir, path = _closed_run(tmp_path)
    data = open(index_path(path), "rb").read()
    open(index_path(path), "wb").write(index_lies.rewrite(data, lie))
    with pytest.warns(IndexWarning):
        _same(load(logdir, index="ignore"), load(logdir))


def test_encode_chunk_refuses_entries_that_do_not_chain():
    entries = np.zeros(3, dtype=index_format.ENTRY)
    entries["offset"] = [0, 30, 60]
    entries["length"] = 14
    good = index_format.encode_chunk(0, 90, (60, 0), 3, ["a"], [], index_format.Entries.of(entries))
    assert index_format.decode_header(index_format.encode_header(7) + good) == 7
    for field, at, value in [("offset", 1, 31), ("length", 2, 15), ("offset", 0, 1)]:
        lying = entries.copy()
        lying[field][at] = value
        with pytest.raises(ValueError, match="chain"):
            index_format.encode_chunk(0, 90, (60, 0), 3, ["a"], [], index_format.Entries.of(lying))
    with pytest.raises(ValueError, match="chain"):
        index_format.encode_chunk(0, 90, (60, 0), 2, ["a"], [], index_format.Entries.of(entries))


def test_a_merged_summary_shares_its_record_and_round_trips():
    entries = np.zeros(4, dtype=index_format.ENTRY)
    entries["offset"] = [0, 40, 40, 40]
    entries["length"] = [24, 30, 30, 30]
    entries["tag"] = [0, 0, 1, 0]
    entries["kind"] = [0, 1 | index_format.HAS_VALUE, 1 | index_format.HAS_VALUE, 3]
    entries["step"] = [0, 5, 5, 5]
    data = index_format.encode_header(1) + index_format.encode_chunk(
        0, 86, (40, 9), 2, ["a", "b"], [], index_format.Entries.of(entries)
    )
    ((_, chunk),) = index_format.iter_chunks(data)
    assert chunk.entries.tobytes() == entries.tobytes()
    ((_, head),) = index_format.iter_heads(data)
    assert index_format.decode_header(data) == 1
    body = head.decode()
    assert body.kind.tolist()[1:] == [0x81, 0x81 | 0x40, 0x43]


def test_cli_and_build_index_files_written_without_one(tmp_path):
    logdir, path = _closed_run(tmp_path)
    os.remove(index_path(path))
    assert main(["index", str(logdir)]) == 0
    assert os.path.exists(index_path(path))
    _same(load(logdir, index="ignore"), load(logdir))
    os.remove(index_path(path))
    _same(load(logdir, index="ignore"), load(logdir, index="build"))
    assert os.path.exists(index_path(path))


def test_a_record_that_is_no_event_ends_the_index_where_the_scan_stops(tmp_path):
    logdir, path = _closed_run(tmp_path)
    os.remove(index_path(path))
    with open(path, "ab") as handle:
        handle.write(records.frame_record(b"\xff\xff\xff"))  # framed, CRC fine, not an Event
        handle.write(records.frame_record(b"\x09" + bytes(8)))
    assert main(["index", str(logdir)]) == 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _same(load(logdir, index="ignore"), load(logdir))


def test_a_sampled_load_reads_only_the_kept_records(tmp_path, monkeypatch):
    logdir = tmp_path / "run"
    with summary.create_file_writer(str(logdir)):
        for step in range(300):
            summary.scalar("loss", 1.0 / (step + 1), step=step)
            noise = np.random.default_rng(step).integers(0, 256, (1, 48, 48, 3), np.uint8)
            summary.image("img", noise, step=step)
    (path,) = [str(logdir / f) for f in os.listdir(logdir) if "tfevents" in f]
    samples = {"images": 10, "scalars": 50}
    scanned = load(logdir, index="ignore", samples_per_plugin=samples)
    spans = tag_records(open(index_path(path), "rb").read(), "img")
    kept = sum(size for _, size in (spans[i] for i in sample_positions(len(spans), 10)))
    counter = Counter(monkeypatch)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = load(logdir, samples_per_plugin=samples)
    assert counter.opened == []  # the event file is never scanned
    # the kept image records, and the checks: the first record and the last (an image)
    assert kept <= counter.ranges <= kept + spans[-1][1] + 200
    _same(scanned, got)
    assert len(got["."]["img"]) == 10 and len(got["."]["loss"]) == 50


def test_a_sample_of_merged_summaries_through_a_built_index(logdir):
    """Events of several image values (a tag twice), as TF 1.x merges them: one record, entries
    flagged SAME_RECORD; the sample finds each value by its place in the record."""
    write_merged_images(logdir, 9, size=300)
    for samples in ({"images": 3}, {"images": 1}, None):
        scanned = load(logdir, index="ignore", samples_per_plugin=samples)
        _same(scanned, load(logdir, index="build", samples_per_plugin=samples))
        _same(scanned, load(logdir, samples_per_plugin=samples))
    (name,) = [n for n in os.listdir(logdir) if "tfindex" in n]
    ((_, head),) = index_format.iter_heads(open(os.path.join(logdir, name), "rb").read())
    assert np.count_nonzero(head.decode().kind & index_format.SAME_RECORD) == 2 * 9


@pytest.mark.parametrize("order", ["fixed", "changing", "one tag"])
def test_scalars_in_a_fixed_or_changing_order_per_step(tmp_path, order):
    """Tags logged in the same order at every step are taken by strided slices, others by a
    sort: the same values as a scan either way."""
    logdir = tmp_path / "run"
    tags = ["c", "a", "b"] if order != "one tag" else ["a"]
    with summary.create_file_writer(str(logdir)):
        for step in range(5000):
            if order == "changing" and step == 2500:
                tags = tags[::-1]
            for i, tag in enumerate(tags):
                summary.scalar(tag, step * 0.5 + i, step=step)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _same(load(logdir, index="ignore"), load(logdir))
        _same(load(logdir, index="ignore", values=False), load(logdir, values=False))


def test_an_index_of_version_1_warns_once_and_the_cli_replaces_it(tmp_path):
    logdir, path = _closed_run(tmp_path)
    data = open(index_path(path), "rb").read()
    first_crc = index_format.decode_header(data)
    head = index_format.HEADER.pack(index_format.MAGIC, 1, first_crc, 0)[:-4]
    old = head + records.masked_crc32c(head).to_bytes(4, "little") + data[len(head) + 4 :]
    open(index_path(path), "wb").write(old)
    with pytest.warns(IndexWarning, match="version 1"):
        _same(load(logdir, index="ignore"), load(logdir))
    assert main(["index", str(logdir)]) == 0
    assert open(index_path(path), "rb").read() != old
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _same(load(logdir, index="ignore"), load(logdir))


@pytest.mark.parametrize("extra", [0, 1, 2])
def test_tags_in_a_fixed_order_load_alike_when_the_index_ends_mid_step(tmp_path, extra):
    """Tags logged in one order at every step are taken from the index by strided slices, also
    when the entries read at once end part way through a step."""
    logdir = tmp_path / "run"
    tags = ("a", "b", "c")
    with summary.create_file_writer(str(logdir)):
        for step in range(101):
            for tag in tags[: 3 if step < 100 else extra]:
                summary.scalar(tag, step * 0.5 + len(tag), step=step)
    with warnings.catch_warnings():
        warnings.simplefilter("error", IndexWarning)
        indexed = load(str(tmp_path))
    _same(load(str(tmp_path), index="ignore"), indexed)
    counts = [len(indexed["run"][tag].steps) for tag in tags]
    assert counts == [100 + (extra > at) for at in range(3)]
