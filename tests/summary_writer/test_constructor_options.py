"""tensorboardX's and torch's constructor arguments (write_to_disk, purge_step is tested in
tests/integrations, max_queue, flush_secs, filename_suffix) and export_scalars_to_json."""

from __future__ import annotations

import glob
import json
import os
import time

import numpy as np

from summary import SummaryWriter
from tests.tensorboard_loader import accumulator, scalar_series


def test_write_to_disk_false_writes_nothing(tmp_path):
    logdir = tmp_path / "never"
    writer = SummaryWriter(logdir, write_to_disk=False)
    writer.add_scalar("x", 1.0, 1)
    writer.add_scalars("group", {"a": 1.0, "b": 2.0}, 1)
    writer.add_histogram("h", np.arange(10), 1)
    writer.add_image("i", np.zeros((3, 4, 4)), 1)
    writer.add_video("v", np.zeros((1, 2, 3, 4, 4)), 1)
    writer.add_hparams({"lr": 0.1}, {"loss": 1.0})
    writer.flush()
    assert writer.path is None and writer.get_logdir() == str(logdir)
    writer.close()
    writer.close()
    assert not logdir.exists()


def test_write_to_disk_false_still_validates(tmp_path):
    writer = SummaryWriter(tmp_path / "never", write_to_disk=False)
    try:
        writer.add_video("v", np.zeros((2, 3)))
    except ValueError as error:
        assert "add_video('v')" in str(error)
    else:
        raise AssertionError("a bad video was accepted")


def test_filename_suffix(tmp_path):
    with SummaryWriter(tmp_path, filename_suffix=".mine") as writer:
        writer.add_scalar("x", 1.0, 1)
    (path,) = glob.glob(str(tmp_path / "events.out.tfevents.*"))
    assert path.endswith(".mine")
    assert scalar_series(accumulator(tmp_path), "x") == {1: 1.0}


def _wait_for_value(logdir, tag: str, seconds: float) -> float:
    """Seconds until TensorBoard's loader sees `tag` in `logdir` (without a flush), or inf."""
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if tag in accumulator(logdir).Tags()["tensors"]:
            return time.monotonic() - start
        time.sleep(0.05)
    return float("inf")


def test_flush_secs_bounds_the_delay(tmp_path):
    writer = SummaryWriter(tmp_path, flush_secs=0.2, max_queue=10_000)
    writer.add_scalar("x", 1.0, 1)
    assert _wait_for_value(tmp_path, "x", 10) < 10
    writer.close()


def test_max_queue_full_writes_without_waiting_for_flush_secs(tmp_path):
    writer = SummaryWriter(tmp_path, max_queue=2, flush_secs=600)
    for step in range(4):
        writer.add_scalar("x", 1.0, step)
    assert _wait_for_value(tmp_path, "x", 10) < 10  # long before 600 s
    writer.close()


def test_export_scalars_to_json(tmp_path):
    path = tmp_path / "scalars.json"
    with SummaryWriter(tmp_path / "run") as writer:
        writer.add_scalars("loss", {"train": 0.5, "eval": 0.75}, 3, walltime=1_700_000_000.0)
        writer.add_scalars("loss", {"train": 0.25}, 4, walltime=1_700_000_001.0)
        writer.add_scalar("not_exported", 1.0)
        writer.export_scalars_to_json(path)
        run = os.path.join(str(tmp_path / "run"), "loss")
        assert json.loads(path.read_text()) == {
            f"{run}_train": [[1_700_000_000.0, 3, 0.5], [1_700_000_001.0, 4, 0.25]],
            f"{run}_eval": [[1_700_000_000.0, 3, 0.75]],
        }
        writer.export_scalars_to_json(path)  # as tensorboardX: exported values are forgotten
        assert json.loads(path.read_text()) == {}
