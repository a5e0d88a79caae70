"""`latest`: the last value of every scalar tag, from a live run's index without its records."""

from __future__ import annotations

import os
import warnings

import numpy as np

import summary
from summary.reader import Latest, latest, load
from summary.reader.indexed import index_path
from summary.wire import index_format, records


def test_a_live_run_gives_each_tags_last_value_in_file_order(tmp_path):
    writer = summary.create_file_writer(str(tmp_path / "train"))
    with writer.as_default():
        for step in range(100):
            summary.scalar("loss", 1.0 / (step + 1), step=step)
            summary.image("img", np.zeros((1, 2, 2, 3), np.uint8), step=step)
        summary.scalar("acc", 0.5, step=7)
        summary.scalar("acc", 0.25, step=3)  # last written, not the largest step
    writer.flush()  # still open: a live run
    with summary.create_file_writer(str(tmp_path / "eval")) as other:
        other.add_scalar("loss", 2.0, 5)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        found = latest(tmp_path)
    assert caught == []  # flush() left the live run indexed up to what it wrote
    assert found == {
        "train": {
            "loss": Latest(99, found["train"]["loss"].wall_time, float(np.float32(1 / 100))),
            "acc": Latest(3, found["train"]["acc"].wall_time, 0.25),
        },
        "eval": {"loss": Latest(5, found["eval"]["loss"].wall_time, 2.0)},
    }
    scanned = load(tmp_path, plugins="scalars", index="ignore")
    assert found["train"]["acc"].wall_time == scanned["train"]["acc"].wall_times[-1]
    writer.close()
    assert latest(tmp_path, runs="eval", tags="loss") == {"eval": found["eval"]}


def test_an_indexed_file_answers_from_the_index_without_its_records(tmp_path):
    with summary.create_file_writer(str(tmp_path)) as writer:
        for step in range(500):
            writer.add_scalar("loss", float(step), step)
            writer.add_scalar("lr", 0.1, step)
    (name,) = [f for f in os.listdir(tmp_path) if "tfevents" in f]
    path = os.path.join(tmp_path, name)
    expected = latest(tmp_path, index="ignore")
    chunks = [c for _, c in index_format.iter_chunks(open(index_path(path), "rb").read())]
    data = bytearray(open(path, "rb").read())
    first_end = records.framed_size(data, 0)
    data[first_end : chunks[-1].last_offset] = bytes(chunks[-1].last_offset - first_end)
    open(path, "wb").write(bytes(data))  # every record between the first and the last: zeros
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert latest(tmp_path) == expected
    assert expected["."]["loss"].step == 499 and expected["."]["loss"].value == 499.0
