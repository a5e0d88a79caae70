"""A user's string never makes a path outside the logdir (add_hparams run_name, add_scalars keys;
add_embedding's tags are in tests/ops/test_embedding.py), and ordinary names keep torch's layout,
as TensorBoard's loader lists it."""

from __future__ import annotations

import os

import pytest

import summary
from tests.tensorboard_loader import multiplexer

HOSTILE = ["../x", "../../x", "/tmp/x", "a/../../x", ".", "..", "x\\..\\..\\y", "C:x", "n\x00ul"]


def _files_below(root):
    return [os.path.join(d, f) for d, _, names in os.walk(root) for f in names]


def _assert_inside(tmp_path, run):
    assert sorted(os.listdir(tmp_path)) == ["logs"]
    assert os.listdir(tmp_path / "logs") == ["run"]
    for path in _files_below(tmp_path):
        assert os.path.realpath(path).startswith(str(run) + os.sep), path


@pytest.mark.parametrize("name", HOSTILE)
def test_hparams_run_name_stays_inside(tmp_path, name):
    run = tmp_path / "logs" / "run"
    with summary.SummaryWriter(str(run)) as writer:
        writer.add_hparams({"lr": 0.1}, {"loss": 0.5}, run_name=name)
    _assert_inside(tmp_path, run)
    assert len(_files_below(run)) == 2  # the writer's own event file and the trial's


@pytest.mark.parametrize("key", HOSTILE)
def test_scalars_key_stays_inside(tmp_path, key):
    run = tmp_path / "logs" / "run"
    with summary.SummaryWriter(str(run)) as writer:
        writer.add_scalars("loss", {key: 1.0, "ok": 2.0}, 0)
    _assert_inside(tmp_path, run)
    assert len(_files_below(run)) == 3


def test_ordinary_names_keep_torchs_run_layout(tmp_path):
    with summary.SummaryWriter(str(tmp_path)) as writer:
        writer.add_scalar("x", 1.0, 0)
        writer.add_scalars("loss/all", {"train": 1.0, "eval/clean": 2.0}, 0)
        writer.add_hparams({"lr": 0.1}, {"hp/loss": 0.5}, run_name="sweep/trial 1")
    runs = multiplexer(str(tmp_path)).Runs()
    assert sorted(runs) == [".", "loss_all_eval/clean", "loss_all_train", "sweep/trial 1"]
