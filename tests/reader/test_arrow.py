"""LogdirData.to_arrow(): one row per value, the same rows as to_pandas(); scalars float64 with
NaN kept; other values as the JSON the CSV export writes."""

from __future__ import annotations

import json
import math
import os

import numpy as np
import pytest

import summary
from summary.reader import load

pa = pytest.importorskip("pyarrow")


@pytest.fixture
def mixed(logdir):
    with summary.create_file_writer(os.path.join(logdir, "train")):
        for step in range(4):
            summary.scalar("loss", float("nan") if step == 2 else step / 4, step=step)
            summary.text("note", f"step {step}", step=step)
        summary.histogram("w", np.arange(5.0), step=0)
    with summary.create_file_writer(os.path.join(logdir, "eval")):
        summary.scalar("loss", 7.0, step=10)
    return logdir


def test_columns_types_and_rows(mixed):
    data = load(mixed)
    table = data.to_arrow()
    assert table.column_names == [
        "run", "tag", "plugin", "step", "wall_time", "value", "value_json"
    ]  # fmt: skip
    assert table.schema.field("step").type == pa.int64()
    assert table.schema.field("wall_time").type == pa.float64()
    assert table.schema.field("value").type == pa.float64()
    rows = table.to_pylist()
    frame = data.to_pandas()
    assert [(r["run"], r["tag"], r["step"]) for r in rows] == list(
        zip(frame["run"], frame["tag"], frame["step"], strict=True)
    )
    assert [r["wall_time"] for r in rows] == frame["wall_time"].tolist()
    loss = [r["value"] for r in rows if r["run"] == "train" and r["tag"] == "loss"]
    assert loss[:2] == [0.0, 0.25] and math.isnan(loss[2]) and loss[3] == 0.75
    assert table.column("value").null_count == 5  # 4 notes and 1 histogram, no scalar
    notes = [json.loads(r["value_json"]) for r in rows if r["tag"] == "note"]
    assert notes == [f"step {step}" for step in range(4)]
    (histogram,) = [json.loads(r["value_json"]) for r in rows if r["tag"] == "w"]
    assert np.asarray(histogram).shape[1] == 3
    assert all(r["value_json"] is None for r in rows if r["plugin"] == "scalars")


def test_empty_and_run_tables(mixed):
    empty = load(mixed, tags="nothing").to_arrow()
    assert empty.num_rows == 0 and empty.column_names[-2:] == ["value", "value_json"]
    run = load(mixed)["eval"].to_arrow()
    assert run.to_pylist() == [
        {**run.to_pylist()[0], "run": "eval", "tag": "loss", "step": 10, "value": 7.0}
    ]


def test_without_pyarrow_the_error_names_the_extra(mixed, monkeypatch):
    data = load(mixed)
    monkeypatch.setitem(__import__("sys").modules, "pyarrow", None)  # as if not installed
    with pytest.raises(ImportError, match=r"pip install 'summary\[arrow\]'"):
        data.to_arrow()
