"""The summary.v1 examples of docs/migrating-from-tf1.md run, and TensorBoard reads their output."""

import numpy as np

from tests.doc_examples import python_blocks, run_examples
from tests.tensorboard_loader import multiplexer, plugin_of, scalar_series, values


def examples():
    return [
        block
        for block in python_blocks("migrating-from-tf1.md")
        if "import tensorflow" not in block
    ]


def test_migration_examples_run_and_read_back(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    blocks = examples()
    assert len(blocks) == 3
    for block in blocks:
        run_examples("migrating-from-tf1.md", [block])
    mux = multiplexer(tmp_path / "logs")
    assert sorted(mux.Runs()) == ["run", "train", "v2_in_graph"]
    train = mux.GetAccumulator("train")
    assert sorted(scalar_series(train, "loss")) == list(range(100))
    assert plugin_of(train, "weights") == "histograms"
    assert [step for step, _, _ in values(train, "inputs/image")] == list(range(100))
    assert sorted(scalar_series(mux.GetAccumulator("run"), "loss")) == list(range(10))
    assert scalar_series(mux.GetAccumulator("v2_in_graph"), "loss")[9] == np.float32(0.1)
