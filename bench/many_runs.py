"""Many small runs: `summary.reader.load` beside TensorBoard's EventMultiplexer on one logdir.

    python bench/many_runs.py [--runs 1000] [--scalars 1000] [--rounds 3]

Writes `--runs` run directories of `--scalars` scalars each (one tag, written by `summary`),
then times each reader over the whole logdir, listing included, in a fresh process per
measurement, peers rotated from round to round. Prints the median seconds, scalars per second
and the ratio to EventMultiplexer (TensorBoard's loader of a logdir, one EventAccumulator a run).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

READERS = {
    "summary.reader.load": "one listing, runs one after another",
    "summary.reader.load(workers=4)": "the same, four runs at a time on threads",
    "EventMultiplexer": "TensorBoard: AddRunsFromDirectory + Reload, every value kept",
}


def write_runs(logdir: str, runs: int, scalars: int) -> None:
    import summary

    for run in range(runs):
        with summary.create_file_writer(os.path.join(logdir, f"run{run:05d}")):
            for step in range(scalars):
                summary.scalar("loss", run + 1.0 / (step + 1), step=step)


def timed(reader: str, logdir: str) -> dict[str, Any]:
    """Seconds for `reader` to load every run of `logdir` (imports done first) and the count."""
    if reader.startswith("summary.reader.load"):
        from summary.reader import load

        workers = 4 if "workers" in reader else None

        def read() -> int:
            return sum(len(series) for series in load(logdir, workers=workers).series())

    else:
        from tensorboard.backend.event_processing import plugin_event_accumulator as pea
        from tensorboard.backend.event_processing import plugin_event_multiplexer as pem

        def read() -> int:
            multiplexer = pem.EventMultiplexer(size_guidance={pea.TENSORS: 0})
            multiplexer.AddRunsFromDirectory(logdir)
            multiplexer.Reload()
            return sum(
                len(multiplexer.Tensors(run, "loss")) for run in multiplexer.Runs() if run != "."
            )

    start = time.perf_counter()
    count = read()
    return {"values": count, "seconds": time.perf_counter() - start}


def fresh(reader: str, logdir: str) -> dict[str, Any]:
    """`timed` in a new interpreter: no reader inherits another's imports or caches."""
    command = [sys.executable, __file__, "--timed", reader, logdir]
    return json.loads(subprocess.check_output(command, text=True).splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--scalars", type=int, default=1000, help="scalars per run")
    parser.add_argument("--rounds", type=int, default=3, help="measurements per reader")
    args = parser.parse_args()
    expected = args.runs * args.scalars
    with tempfile.TemporaryDirectory() as logdir:
        write_runs(logdir, args.runs, args.scalars)
        seconds: dict[str, list[float]] = {reader: [] for reader in READERS}
        for round_index in range(args.rounds):
            shift = round_index % len(READERS)
            for reader in list(READERS)[shift:] + list(READERS)[:shift]:
                result = fresh(reader, logdir)
                if result["values"] != expected:
                    raise SystemExit(f"{reader} read {result['values']} values, not {expected}")
                seconds[reader].append(result["seconds"])
    baseline = statistics.median(seconds["EventMultiplexer"])
    print(f"\n{args.runs:,} runs x {args.scalars:,} scalars, median of {args.rounds}")
    print(f"{'reader':32} {'seconds':>8} {'scalars/s':>12} {'vs EM':>7}  what")
    for reader, what in READERS.items():
        median = statistics.median(seconds[reader])
        rate = expected / median
        print(f"{reader:32} {median:8.2f} {rate:12,.0f} {baseline / median:6.1f}x  {what}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--timed"]:  # one measurement, in the process `fresh` started
        print(json.dumps(timed(sys.argv[2], sys.argv[3])))
    else:
        main()
