"""Bad input to any `SummaryWriter.add_*` method: a ValueError/TypeError naming the method as the
user called it and the tag, and no trace: the run holds exactly the valid values around the
refused call, and no sibling run directory (`add_scalars`, `add_hparams`) was made."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest

from summary import SummaryWriter
from tests.listing import is_index
from tests.tensorboard_loader import accumulator, scalar_series

CLIP = np.zeros(16, np.float32)


@dataclass(frozen=True)
class Case:
    id: str
    call: Callable[[SummaryWriter], object]
    error: type[Exception]
    method: str
    tag: object = "x"
    match: str = ""


CASES = [
    # tags and descriptions that are not valid Unicode (issue 13, item 3)
    Case(
        "scalar-surrogate-tag",
        lambda w: w.add_scalar("a\ud800", 1.0),
        ValueError,
        "add_scalar",
        "a\ud800",
        "Unicode",
    ),
    Case(
        "scalar-bytes-tag",
        lambda w: w.add_scalar(b"\xff", 1.0),
        ValueError,
        "add_scalar",
        b"\xff",
        "UTF-8",
    ),
    Case(
        "scalar-surrogate-description",
        lambda w: w.add_scalar("x", 1.0, summary_description="\ud800"),
        ValueError,
        "add_scalar",
        match="description",
    ),
    Case(
        "scalar-bytes-description",
        lambda w: w.add_scalar("x", 1.0, summary_description=b"x"),
        TypeError,
        "add_scalar",
        match="description",
    ),
    Case(
        "text-surrogate-tag", lambda w: w.add_text("\udc80", "hi"), ValueError, "add_text", "\udc80"
    ),
    Case(
        "histogram-surrogate-tag",
        lambda w: w.add_histogram("a\ud800", [1.0]),
        ValueError,
        "add_histogram",
        "a\ud800",
    ),
    # several records in one call: validated whole before anything is written (item 4)
    Case(
        "scalars-str-value",
        lambda w: w.add_scalars("loss", {"train": 0.5, "val": "n/a"}),
        TypeError,
        "add_scalars",
        "loss (val)",
    ),
    Case(
        "scalars-list",
        lambda w: w.add_scalars("loss", [1, 2]),
        TypeError,
        "add_scalars",
        "loss",
        "dict",
    ),
    Case(
        "scalars-surrogate-run",
        lambda w: w.add_scalars("loss", {"\ud800": 0.5}),
        ValueError,
        "add_scalars",
        "loss",
        "run key .*Unicode",
    ),
    Case(
        "scalars-empty-run",
        lambda w: w.add_scalars("loss", {"train": 0.5, "": 0.5}),
        ValueError,
        "add_scalars",
        "loss",
        "run key '': name .* must not be empty",
    ),
    Case(
        "scalar-double-precision-array",
        lambda w: w.add_scalar("x", 0.5, double_precision=np.ones(2)),
        TypeError,
        "add_scalar",
        match="double_precision must be a bool",
    ),
    Case(
        "scalar-two-elements",
        lambda w: w.add_scalar("x", np.array([0.5, 0.5])),
        ValueError,
        "add_scalar",
        match="one element",
    ),
    Case(
        "histogram-max-bins-zero",
        lambda w: w.add_histogram("x", [1.0], max_bins=0),
        ValueError,
        "add_histogram",
        match="max_bins must be >= 1",
    ),
    Case(
        "histogram-max-bins-object",
        lambda w: w.add_histogram("x", [1.0], bins="auto", max_bins=object()),
        TypeError,
        "add_histogram",
        match="max_bins",
    ),
    Case(
        "figure-not-a-figure",
        lambda w: w.add_figure("x", 3),
        TypeError,
        "add_figure",
        match="matplotlib Figure",
    ),
    Case(
        "figure-empty-list",
        lambda w: w.add_figure("x", []),
        ValueError,
        "add_figure",
        match="empty",
    ),
    Case(
        "graph-not-a-module",
        lambda w: w.add_graph("model", 3),
        TypeError,
        "add_graph",
        None,
        "torch.nn.Module",
    ),
    Case(
        "hparams-bytes-metric",
        lambda w: w.add_hparams({"lr": 0.1}, {b"\x80": 1.0}),
        ValueError,
        "add_hparams",
        b"\x80",
        "UTF-8",
    ),
    Case(
        "hparams-str-metric",
        lambda w: w.add_hparams({"lr": 0.1}, {"hparam/acc": "0.9"}),
        TypeError,
        "add_hparams",
        "hparam/acc",
    ),
    # torch arguments (item 5)
    Case(
        "scalar-walltime-str",
        lambda w: w.add_scalar("x", 1.0, walltime="now"),
        TypeError,
        "add_scalar",
        match="walltime",
    ),
    Case(
        "scalar-walltime-nan",
        lambda w: w.add_scalar("x", 1.0, walltime=float("nan")),
        ValueError,
        "add_scalar",
        match="walltime",
    ),
    Case(
        "histogram-bins-unknown",
        lambda w: w.add_histogram("x", [1.0, 2.0], bins="nope"),
        ValueError,
        "add_histogram",
        match="nope",
    ),
    Case(
        "histogram-bins-huge",
        lambda w: w.add_histogram("x", [1.0], bins=10**9),
        ValueError,
        "add_histogram",
        match="65536",
    ),
    Case(
        "histogram-bins-numpy-huge",
        lambda w: w.add_histogram("x", [1.0], bins=np.int64(10**9)),
        ValueError,
        "add_histogram",
        match="65536",
    ),
    Case(
        "histogram-edges-huge",
        lambda w: w.add_histogram("x", [1.0], bins=np.arange(2**16 + 2.0)),
        ValueError,
        "add_histogram",
        match="65536",
    ),
    Case(
        "histogram-bins-2d",
        lambda w: w.add_histogram("x", [1.0], bins=[[1, 2]]),
        TypeError,
        "add_histogram",
        match="bins",
    ),
    Case(
        "audio-rate-zero",
        lambda w: w.add_audio("x", CLIP, sample_rate=0),
        ValueError,
        "add_audio",
        match="positive",
    ),
]


def test_case_ids_are_unique():
    assert len({case.id for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_bad_call_is_refused_and_leaves_no_trace(tmp_path, case):
    with SummaryWriter(tmp_path) as writer:
        writer.add_scalar("before", 1.0, 0)
        with pytest.raises(case.error) as raised:
            case.call(writer)
        writer.add_scalar("after", 2.0, 2)
    message = str(raised.value)
    named = "" if case.tag is None else f"({case.tag!r})"  # add_graph has no tag
    assert message.startswith(f"summary.SummaryWriter.{case.method}{named}"), message
    assert type(raised.value) is case.error
    if case.match:
        assert re.search(case.match, message), message
    assert [e.is_dir() for e in os.scandir(tmp_path) if not is_index(e.name)] == [
        False
    ]  # one file, no run dirs
    acc = accumulator(tmp_path)
    assert sorted(acc.Tags()["tensors"]) == ["after", "before"]
    assert scalar_series(acc, "before") == {0: 1.0}
    assert scalar_series(acc, "after") == {2: 2.0}
