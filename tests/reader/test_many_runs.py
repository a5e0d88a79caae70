"""Many runs: the logdir is listed once (one scandir per directory locally, one `find` through
fsspec, counted on a real filesystem), in TensorBoard's order; `workers=N` never changes a
result or its warnings."""

from __future__ import annotations

import os
import sys
import threading
import warnings

import numpy as np
import pytest

import summary
from summary.reader import CorruptRecordError, CorruptRecordWarning, IndexWarning, load
from summary.reader.event_files import iter_event_files, list_event_files

fsspec = pytest.importorskip("fsspec")
from fsspec.implementations.local import LocalFileSystem  # noqa: E402

RUNS = [f"group{i % 4}/run {i:03d}" for i in range(40)] + ["a", "a-c", "a/b"]


class CountingFileSystem(LocalFileSystem):
    """The local filesystem under `countfile://`, counting the calls made from outside it."""

    protocol = "countfile"
    calls: list[str] = []
    _depth = threading.local()

    def __getattribute__(self, name):
        attribute = super().__getattribute__(name)
        if name not in ("ls", "find", "walk", "info", "isdir", "isfile", "exists", "size", "open"):
            return attribute
        counting = CountingFileSystem

        def counted(*args, **kwargs):
            depth = getattr(counting._depth, "value", 0)
            if depth == 0:
                counting.calls.append(name)
            counting._depth.value = depth + 1
            try:
                return attribute(*args, **kwargs)
            finally:
                counting._depth.value = depth

        return counted


fsspec.register_implementation("countfile", CountingFileSystem, clobber=True)


@pytest.fixture
def many_runs(logdir):
    for index, run in enumerate(RUNS):
        with summary.create_file_writer(os.path.join(logdir, run)):
            for step in range(5):
                summary.scalar("loss", index + step / 10, step=step)
    return logdir


def test_local_listing_is_one_walk_in_tensorboard_order(many_runs):
    listed: list = []
    active = [True]

    def audit(event, args):  # an audit hook cannot be removed: it goes quiet instead
        if active[0] and event == "os.scandir":
            listed.append(args[0])

    sys.addaudithook(audit)
    try:
        found = list_event_files(many_runs)
    finally:
        active[0] = False
    assert len(listed) == len(set(listed))  # every directory listed once
    walked = sorted(os.walk(many_runs), key=lambda walk: walk[0])
    assert len(listed) == len(walked)
    expected = [
        (os.path.relpath(d, many_runs), os.path.join(d, n))
        for d, _, names in walked
        for n in sorted(names)
        if "tfevents" in n
    ]
    assert [(f.run, f.path) for f in found] == expected
    assert list(iter_event_files(many_runs)) == expected
    assert [f.size for f in found] == [os.path.getsize(p) for _, p in expected]
    assert [run for run, _ in expected][:3] == ["a", "a-c", "a/b"]


def test_fsspec_listing_is_one_find_and_one_open_per_file(many_runs):
    CountingFileSystem.calls.clear()
    # the scan's calls (through an index a file costs its index object and a few ranged reads)
    data = load(f"countfile://{many_runs}", progress=lambda done, total: None, index="ignore")
    assert sorted(data) == sorted(RUNS)
    assert CountingFileSystem.calls.count("find") == 1
    assert set(CountingFileSystem.calls) == {"find", "open"}
    assert CountingFileSystem.calls.count("open") == len(RUNS)
    assert list(data) == list(load(many_runs))  # same order as the local walk


def assert_same(got, expected):
    assert list(got) == list(expected)
    for run in expected:
        assert list(got[run]) == list(expected[run])
        for tag in expected[run]:
            np.testing.assert_array_equal(got[run][tag].steps, expected[run][tag].steps)
            np.testing.assert_array_equal(got[run][tag].wall_times, expected[run][tag].wall_times)
            np.testing.assert_array_equal(got[run][tag].values, expected[run][tag].values)


def corrupt_some(logdir):
    """Flip a payload byte in three runs' files, so each of them warns."""
    for run in (RUNS[3], RUNS[17], RUNS[30]):
        ((path, *_),) = [(p,) for r, p in iter_event_files(logdir) if r == run]
        data = bytearray(open(path, "rb").read())
        data[-3] ^= 0xFF
        open(path, "wb").write(bytes(data))


def loaded_with_warnings(logdir, **kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data = load(logdir, **kwargs)
    return data, [(w.category, str(w.message), w.filename) for w in caught]


@pytest.mark.parametrize("workers", [1, 2, 8])
def test_workers_change_nothing_local(many_runs, workers):
    corrupt_some(many_runs)
    expected, expected_warnings = loaded_with_warnings(many_runs)
    got, got_warnings = loaded_with_warnings(many_runs, workers=workers)
    assert_same(got, expected)
    categories = [category for category, _, _ in expected_warnings]
    assert categories == [CorruptRecordWarning] * 3 + [IndexWarning]  # the index: one for all
    assert "3 event file(s)" in expected_warnings[-1][1]
    assert got_warnings == expected_warnings  # same warnings, same order, same caller
    assert {filename for _, _, filename in expected_warnings} == {__file__}
    with pytest.raises(CorruptRecordError) as first:
        load(many_runs, on_corruption="raise")
    with pytest.raises(CorruptRecordError) as threaded:
        load(many_runs, on_corruption="raise", workers=workers)
    assert threaded.value.path == first.value.path  # the first bad run in order raises


@pytest.mark.parametrize(
    ("workers", "error", "match"),
    [(0, ValueError, "workers must be >= 1, not 0"), (2.0, TypeError, "workers must be an int")],
)
def test_bad_workers_name_load(many_runs, workers, error, match):
    with pytest.raises(error, match=r"^summary\.reader\.load: " + match):
        load(many_runs, workers=workers)
