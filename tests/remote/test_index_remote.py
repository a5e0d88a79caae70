"""Indexed runs in object storage: scalars fetch only the index objects; sampled image reads
fetch byte ranges of the event objects, never whole objects. Bytes are counted where the reader
asks the store for them (summary/reader/storage.py), on memory:// and on a local S3 server."""

from __future__ import annotations

import numpy as np
import pytest

import summary
from summary.reader import load, storage

fsspec = pytest.importorskip("fsspec")


class Counter:
    """Bytes the reader fetched, by kind of request, through the real filesystem."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.ranges = self.whole = self.streamed = 0
        self.opened: list[str] = []
        read_range, read_whole, open_binary = (
            storage.read_range,
            storage.read_whole,
            storage.open_binary,
        )

        def counted_range(path, start, end):
            data = read_range(path, start, end)
            self.ranges += len(data)
            return data

        def counted_whole(path):
            data = read_whole(path)
            self.whole += len(data or b"")
            return data

        def counted_open(path):
            self.opened.append(path)
            handle = open_binary(path)
            read = handle.read

            def counted_read(*args):
                data = read(*args)
                self.streamed += len(data)
                return data

            handle.read = counted_read
            return handle

        monkeypatch.setattr(storage, "read_range", counted_range)
        monkeypatch.setattr(storage, "read_whole", counted_whole)
        monkeypatch.setattr(storage, "open_binary", counted_open)


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
    (event,) = [p for p in fsspec.core.url_to_fs(logdir)[0].find(logdir) if "tfevents" in p]
    size = fsspec.core.url_to_fs(logdir)[0].size(event)
    assert counter.whole < size / 10  # the index object only
    counter = Counter(monkeypatch)
    got = load(logdir, plugins="images", tags="img")
    assert counter.opened == [] and counter.streamed == 0
    assert counter.ranges < size  # only the image records, by range
    ours, theirs = got["."]["img"].raw, images["."]["img"].raw
    assert len(ours) == len(theirs) == 20
    assert all(a.tolist() == b.tolist() for a, b in zip(ours, theirs, strict=True))


def test_memory_scalars_read_only_the_index(memory_logdir, monkeypatch):
    _check(memory_logdir + "/run", monkeypatch)


def test_s3_scalars_read_only_the_index(bucket, monkeypatch):
    _check(f"s3://{bucket}/run", monkeypatch)
