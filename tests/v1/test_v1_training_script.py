"""A ported TF 1.x-style training script runs, and TensorBoard reads every step and tag."""

import os
import subprocess
import sys

import numpy as np

from tests.tensorboard_loader import multiplexer, plugin_of, scalar_series, values

SCRIPT = os.path.join(os.path.dirname(__file__), "tf1_style_training.py")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))


def test_tf1_style_training_script_reads_back_in_tensorboard(tmp_path):
    logdir = str(tmp_path / "logs")
    subprocess.run([sys.executable, SCRIPT, logdir], check=True, cwd=ROOT, timeout=120)
    mux = multiplexer(logdir)
    assert sorted(mux.Runs()) == ["eval", "train"]

    train = mux.GetAccumulator("train")
    tags = set(train.Tags()["tensors"])
    assert tags == {
        "__run_graph__",
        "loss",
        "optimizer/optimizer/learning_rate",
        "weights",
        "inputs/image",
    }
    plugins = {tag: plugin_of(train, tag) for tag in tags}
    assert plugins == {
        "__run_graph__": "graphs",
        "loss": "scalars",
        "optimizer/optimizer/learning_rate": "scalars",
        "weights": "histograms",
        "inputs/image": "images",
    }
    for tag in tags - {"__run_graph__"}:
        assert [step for step, _, _ in values(train, tag)] == list(range(30)), tag
    rates = scalar_series(train, "optimizer/optimizer/learning_rate")
    assert rates == {step: np.float32(0.1 * 0.95**step) for step in range(30)}
    losses = scalar_series(train, "loss")
    assert losses[29] < losses[0] / 10  # it trained

    graph_nodes = {node.name for node in train.Graph().node}
    assert {"x", "loss", "learning_rate", "weights", "Merge"} <= graph_nodes

    evaluation = mux.GetAccumulator("eval")
    assert set(evaluation.Tags()["tensors"]) == {"loss_1"}  # second "loss" op in the graph
    assert sorted(scalar_series(evaluation, "loss_1")) == [9, 19, 29]
