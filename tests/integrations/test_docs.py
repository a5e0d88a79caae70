"""The examples in docs/keras.md and docs/migrating-from-tensorboardx.md run as written."""

from __future__ import annotations

import pytest

from tests.doc_examples import run_examples
from tests.tensorboard_loader import multiplexer, plugin_of


def _tags(logdir, run):
    acc = multiplexer(logdir).GetAccumulator(run)
    return {tag: plugin_of(acc, tag) for tag in acc.Tags()["tensors"]}


def test_keras_page(tmp_path, monkeypatch):
    pytest.importorskip("keras")
    monkeypatch.chdir(tmp_path)
    run_examples("keras.md")
    assert sorted(multiplexer("logs/fit").Runs()) == ["train", "validation"]
    train = _tags("logs/fit", "train")
    assert {"epoch_loss", "epoch_accuracy", "epoch_learning_rate", "keras"} <= set(train)
    assert train["sequential/dense/kernel/histogram"] == "histograms"
    assert "evaluation_loss_vs_iterations" in _tags("logs/fit", "validation")
    assert _tags("logs/custom", "train")["my_batch_metric"] == "scalars"


def test_migration_page(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    pytest.importorskip("torch")
    monkeypatch.chdir(tmp_path)
    run_examples("migrating-from-tensorboardx.md")
    runs = multiplexer("runs/exp1").Runs()
    assert {".", "loss_train", "loss_val"} <= set(runs)
    assert len(runs) == 4  # and the add_hparams run, named by time
    tags = _tags("runs/exp1", ".")
    assert tags == {
        "loss/train": "scalars",
        "weights": "histograms",
        "sample": "images",
        "batch": "images",
        "mask": "images",
        "notes/text_summary": "text",
        "tone": "audio",
        "pr": "pr_curves",
        "curve": "images",
        "__run_graph__": "graphs",  # add_graph: TensorBoard's name for the run's GraphDef
    }
