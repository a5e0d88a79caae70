"""Indexed runs in object storage: scalars fetch only the index objects; image reads (all of a
tag's, or a sample) fetch byte ranges of the event objects, never whole objects. Bytes are
counted where the reader asks the store for them (summary/reader/storage.py), on memory:// and on
a local S3 server."""

from __future__ import annotations

import numpy as np
import pytest

import summary
from summary.reader import load
from summary.reader.indexed import index_path
from summary.reader.sampling import sample_positions
from tests.byte_counter import Counter, tag_records

fsspec = pytest.importorskip("fsspec")


def _write(logdir: str) -> None:
    rng = np.random.default_rng(0)
    with summary.create_file_writer(logdir):
        for step in range(400):
            summary.scalar("loss", 1.0 / (step + 1), step=step)
            if step % 20 == 0:
                summary.image("img", rng.integers(0, 255, (1, 64, 64, 3), np.uint8), step=step)


def _check(logdir: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(logdir)
    scanned = load(logdir, index="ignore")
    images = load(logdir, index="ignore", plugins="images", tags="img")
    counter = Counter(monkeypatch)
    data = load(logdir, plugins="scalars")
    assert counter.opened == [] and counter.streamed == 0  # no event object was opened
    assert counter.ranges < 200  # the checks: first and last records' framing
    assert data["."]["loss"].values.tolist() == scanned["."]["loss"].values.tolist()
    filesystem = fsspec.core.url_to_fs(logdir)[0]
    (event,) = [p for p in filesystem.find(logdir) if "tfevents" in p]
    size = filesystem.size(event)
    assert counter.whole < size / 10  # the index object only
    spans = tag_records(filesystem.cat_file(index_path(event)), "img")
    counter = Counter(monkeypatch)
    got = load(logdir, plugins="images", tags=["img"])
    assert counter.opened == [] and counter.streamed == 0
    # the image records by range (and the few scalars between them, read in the same request)
    first, (last, last_size) = spans[0][0], spans[-1]
    assert sum(n for _, n in spans) <= counter.ranges <= last + last_size - first + 300
    ours, theirs = got["."]["img"].raw, images["."]["img"].raw
    assert len(ours) == len(theirs) == 20
    assert all(a.tolist() == b.tolist() for a, b in zip(ours, theirs, strict=True))
    # a sample of 3: the first, middle and last image records by range, nothing else
    kept = [spans[i] for i in sample_positions(len(spans), 3)]
    counter = Counter(monkeypatch)
    got = load(logdir, samples_per_plugin={"images": 3, "scalars": 100})
    assert counter.opened == [] and counter.streamed == 0
    assert sum(n for _, n in kept) <= counter.ranges <= sum(n for _, n in kept) + 300
    theirs = load(logdir, index="ignore", samples_per_plugin={"images": 3, "scalars": 100})
    assert got["."]["img"].steps.tolist() == theirs["."]["img"].steps.tolist() == [0, 200, 380]
    ours, theirs_raw = got["."]["img"].raw, theirs["."]["img"].raw
    assert all(a.tolist() == b.tolist() for a, b in zip(ours, theirs_raw, strict=True))
    assert got["."]["loss"].values.tolist() == theirs["."]["loss"].values.tolist()
    assert len(got["."]["loss"]) == 100


def test_memory_scalars_read_only_the_index(memory_logdir, monkeypatch):
    _check(memory_logdir + "/run", monkeypatch)


def test_s3_scalars_read_only_the_index(bucket, monkeypatch):
    _check(f"s3://{bucket}/run", monkeypatch)
