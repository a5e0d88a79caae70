"""TensorBoard sees the same runs, tags and values whether the index files are there or not:
EventAccumulator, and the real server with the Python loader and with RustBoard."""

from __future__ import annotations

import os
import shutil

import numpy as np
import pytest

from summary.cli.demo import write_demo
from summary.reader import load
from tests.listing import is_index
from tests.tensorboard_loader import multiplexer, values
from tests.tensorboard_server import LOADER_IDS, LOADER_PARAMS, running_tensorboard

pytest.importorskip("tensorboard")
pytestmark = pytest.mark.timeout(240)


@pytest.fixture(scope="module")
def logdirs(tmp_path_factory):
    root = tmp_path_factory.mktemp("index_tensorboard")
    write_demo(str(root / "with"), steps=40)
    shutil.copytree(root / "with", root / "without")
    removed = 0
    for folder, _, names in os.walk(root / "without"):
        for name in names:
            if is_index(name):
                os.remove(os.path.join(folder, name))
                removed += 1
    assert removed > 0
    return root


def _everything(mux):
    found = {}
    for run, tags in sorted(mux.Runs().items()):
        acc = mux.GetAccumulator(run)
        for tag in sorted(tags["tensors"]):
            found[(run, tag)] = [(s, w, np.asarray(v).tolist()) for s, w, v in values(acc, tag)]
    return found


def test_event_accumulator_sees_the_same_with_and_without_indexes(logdirs):
    with_index = _everything(multiplexer(str(logdirs / "with")))
    assert with_index and with_index == _everything(multiplexer(str(logdirs / "without")))


def test_our_loader_reads_the_same_from_the_index_as_tensorboard(logdirs):
    ours = load(logdirs / "with", plugins="scalars")
    mux = multiplexer(str(logdirs / "without"))
    for run in ours:
        acc = mux.GetAccumulator(run)
        for tag, series in ours[run].items():
            theirs = values(acc, tag)
            assert series.steps.tolist() == [s for s, _, _ in theirs]
            assert series.values.tolist() == [float(v) for _, _, v in theirs]


@pytest.fixture(scope="module", params=LOADER_PARAMS, ids=LOADER_IDS)
def server(request, logdirs, tmp_path_factory):
    log_dir = str(tmp_path_factory.mktemp("tensorboard_log"))
    with running_tensorboard(str(logdirs), request.param, log_dir) as server:
        yield server


def test_the_server_lists_and_serves_the_same(server, logdirs):
    expected = load(logdirs / "without", plugins="scalars")
    runs = server.poll_json(
        "/data/runs", lambda runs: {"with/train", "without/train", "with/eval"} <= set(runs)
    )
    with_runs = sorted(run.removeprefix("with/") for run in runs if run.startswith("with/"))
    assert with_runs == sorted(
        run.removeprefix("without/") for run in runs if run.startswith("without/")
    )
    tags = server.poll_json(
        "/data/plugin/scalars/tags",
        lambda body: all(
            f"{side}/{run}" in body for run in with_runs for side in ("with", "without")
        ),
    )
    for run in with_runs:
        assert tags[f"with/{run}"].keys() == tags[f"without/{run}"].keys()
        for tag in tags[f"with/{run}"]:
            count = len(expected[run][tag])

            def complete(body, count=count):
                return len(body) == count

            a = server.poll_json(
                "/data/plugin/scalars/scalars", complete, run=f"with/{run}", tag=tag
            )
            b = server.poll_json(
                "/data/plugin/scalars/scalars", complete, run=f"without/{run}", tag=tag
            )
            assert a == b
