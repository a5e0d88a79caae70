"""The summary.v1 examples of docs/migrating-from-tf1.md run, and TensorBoard reads their output."""

import re
from pathlib import Path

import numpy as np

from tests.tensorboard_loader import multiplexer, plugin_of, scalar_series, values

PAGE = Path(__file__).resolve().parents[2] / "docs" / "migrating-from-tf1.md"


def examples():
    blocks = re.findall(r"```python\n(.*?)```", PAGE.read_text(), flags=re.S)
    return [block for block in blocks if "import tensorflow" not in block]


def test_migration_examples_run_and_read_back(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    blocks = examples()
    assert len(blocks) == 3
    for block in blocks:
        exec(compile(block, str(PAGE), "exec"), {"__name__": "__docs__"})
    mux = multiplexer(tmp_path / "logs")
    assert sorted(mux.Runs()) == ["run", "train", "v2_in_graph"]
    train = mux.GetAccumulator("train")
    assert sorted(scalar_series(train, "loss")) == list(range(100))
    assert plugin_of(train, "weights") == "histograms"
    assert [step for step, _, _ in values(train, "inputs/image")] == list(range(100))
    assert sorted(scalar_series(mux.GetAccumulator("run"), "loss")) == list(range(10))
    assert scalar_series(mux.GetAccumulator("v2_in_graph"), "loss")[9] == np.float32(0.1)
