"""SIGKILL at random moments: every file stays readable by TensorBoard's loader and by ours (no
corruption, at most a torn last record), steps are contiguous, and every event logged more than
`flush_millis` before the kill is on disk.

A child logs a scalar each step (and an array every 7th, so kills also land in long writes) and
reports on a pipe, every few milliseconds, the last step whose call had returned and the time.
The timings come from a seeded generator: a failure names its seed and replays.
"""

from __future__ import annotations

import random
import subprocess
import time

import pytest

from tests.reliability.faults import child, tagged_steps
from tests.tensorboard_loader import accumulator, scalar_series

FLUSH_MILLIS = 100
# Scheduling slack on a loaded 2-core machine: the writer thread must get the CPU once it wakes.
SLACK_SECONDS = 0.5

CHILD = """
import os, random, sys, time
import numpy as np
import summary

seed, logdir = int(sys.argv[1]), sys.argv[2]
rng = random.Random(seed)
writer = summary.create_file_writer(logdir, flush_millis={flush_millis})
writer.set_as_default()
out = sys.stdout.fileno()
os.write(out, b"ready\\n")
step, reported = 0, 0.0
while True:
    summary.scalar("x", step * 0.5, step=step)
    if step % 7 == 0:
        summary.write("t", np.full(rng.randrange(1, 2000), step, np.float32), step=step)
    now = time.time()
    if now - reported > 0.005:
        os.write(out, f"{{step}} {{now!r}}\\n".encode())
        reported = now
    time.sleep(0.0002 if rng.random() < 0.95 else 0.005)  # a training loop's pace, with hiccups
    step += 1
"""


def kill_at_random_moments(tmp_path, seed: int, kills: int, parallel: int = 2) -> dict:
    """Run `kills` children, `parallel` at a time, each killed after a random delay."""
    rng = random.Random(seed)
    figures = {"kills": 0, "checked_reports": 0, "events": 0}
    code = CHILD.format(flush_millis=FLUSH_MILLIS)
    for batch in range(0, kills, parallel):
        runs = []
        for index in range(batch, min(batch + parallel, kills)):
            logdir = str(tmp_path / f"run{index}")
            argv = [str(seed * 1000 + index), logdir]
            pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True}
            runs.append((child(code, argv, **pipes), logdir))
        for process, _ in runs:
            assert process.stdout.readline().strip() == "ready", process.stderr.read()
        start = time.monotonic()
        plan = sorted((rng.uniform(0.05, 1.2), i) for i in range(len(runs)))
        kill_times = {}
        for delay, i in plan:
            time.sleep(max(0.0, start + delay - time.monotonic()))
            kill_times[i] = time.time()
            runs[i][0].kill()
        for i, (process, logdir) in enumerate(runs):
            process.wait()
            reports = [line.split() for line in process.stdout.read().splitlines()]
            checked = check_survivors(logdir, reports, kill_times[i], seed)
            figures["kills"] += 1
            figures["checked_reports"] += checked
            figures["events"] += len(tagged_steps(logdir, "x"))
    return figures


def check_survivors(logdir: str, reports: list[list[str]], kill_time: float, seed: int) -> int:
    steps = tagged_steps(logdir, "x")  # our reader, on_corruption="raise"
    assert steps == list(range(len(steps))), f"seed {seed}: steps not contiguous"
    arrays = tagged_steps(logdir, "t")
    assert arrays == list(range(0, 7 * len(arrays), 7)), f"seed {seed}"
    acc = accumulator(logdir)  # TensorBoard's loader
    series = scalar_series(acc, "x") if "x" in acc.Tags()["tensors"] else {}
    assert series == {s: s * 0.5 for s in steps}, f"seed {seed}: TensorBoard disagrees"
    checked = 0
    for step, wall_time in reports:
        if float(wall_time) < kill_time - FLUSH_MILLIS / 1000 - SLACK_SECONDS:
            assert int(step) < len(steps), (
                f"seed {seed}: step {step}, logged {kill_time - float(wall_time):.3f} s before "
                f"the kill, is missing (on disk: {len(steps)} steps)"
            )
            checked += 1
    return checked


def test_twenty_kills_at_random_moments_lose_only_the_last_flush_interval(tmp_path):
    figures = kill_at_random_moments(tmp_path, seed=7, kills=20, parallel=4)
    print(f"\nSIGKILL: {figures}")
    assert figures["kills"] == 20 and figures["checked_reports"] > 0


@pytest.mark.slow
def test_two_hundred_kills(tmp_path):
    figures = kill_at_random_moments(tmp_path, seed=11, kills=200, parallel=4)
    print(f"\nSIGKILL: {figures}")
    assert figures["kills"] == 200
