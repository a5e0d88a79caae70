"""The event-file index: what writing it costs, how big it is, how fast `load` reads from it.

    python bench/index_bench.py [--events 10000000] [--write-events 1000000]

Writing: total CPU µs per scalar event (caller and writer thread together) with the index and
without it (the same writer with its sink left unwrapped), in fresh processes. Reading: `load`
from the index and by scan (index="ignore") of the same file, each in a fresh process with its
peak RSS, and the index's size against the event file's. `indexed_load(logdir)` is the timed
function another harness (bench/run.py (f)) can call.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from typing import Any

TAGS = ("loss", "accuracy", "learning_rate", "grad_norm")


def write(logdir: str, events: int, index: bool) -> dict[str, float]:
    """Write `events` scalars over TAGS; CPU seconds of the whole process per event."""
    import summary
    from summary.writer import sinks

    if not index:
        wrapped = sinks.open_sink

        def bare(logdir: str, suffix: str) -> Any:
            return wrapped(logdir, suffix)._inner

        sinks.open_sink = bare
        import summary.writer.registry as registry

        registry.open_sink = bare  # type: ignore[attr-defined]
    start = time.process_time()
    wall = time.perf_counter()
    with summary.create_file_writer(logdir):
        for i in range(events):
            summary.scalar(TAGS[i % 4], 1.0 / (i + 1), step=i // 4)
    return {
        "cpu_us_per_event": (time.process_time() - start) / events * 1e6,
        "wall_us_per_event": (time.perf_counter() - wall) / events * 1e6,
    }


def indexed_load(logdir: str, index: str = "use") -> dict[str, Any]:
    """Time `load(logdir, plugins="scalars", index=index)`; peak RSS of this process after."""
    from summary.reader import load

    start = time.perf_counter()
    data = load(logdir, plugins="scalars", index=index)
    seconds = time.perf_counter() - start
    points = sum(len(series) for series in data.series())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    rate = points / seconds
    return {"seconds": seconds, "points": points, "events_per_s": rate, "peak_rss": peak}


def _child(call: str, *args: Any) -> dict[str, Any]:
    here = os.path.dirname(os.path.abspath(__file__))
    code = (
        f"import json, sys; sys.path.insert(0, {here!r}); import index_bench as b; "
        f"print(json.dumps(b.{call}(*{args!r})))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--write-events", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as root:
        rows = {}
        for index in (False, True, False, True):
            key = "with index" if index else "without index"
            logdir = os.path.join(root, f"w{len(rows)}{index}")
            result = _child("write", logdir, args.write_events, index)
            rows.setdefault(key, []).append(result["cpu_us_per_event"])
        base, indexed = min(rows["without index"]), min(rows["with index"])
        print(
            f"writing {args.write_events} scalars: {base:.2f} µs/event without the index, "
            f"{indexed:.2f} with it: +{(indexed / base - 1) * 100:.1f}% CPU"
        )
        logdir = os.path.join(root, "read")
        _child("write", logdir, args.events, True)
        names = sorted(os.listdir(logdir))
        event = sum(os.path.getsize(os.path.join(logdir, n)) for n in names if "tfevents" in n)
        index_bytes = sum(os.path.getsize(os.path.join(logdir, n)) for n in names if "tfindex" in n)
        print(
            f"{args.events} scalars: event file {event / 1e6:.1f} MB, "
            f"index {index_bytes / 1e6:.1f} MB "
            f"({index_bytes / event * 100:.1f}%, {index_bytes / args.events:.2f} B/point)"
        )
        for mode in ("use", "ignore"):
            result = _child("indexed_load", logdir, mode)
            per_point = result["peak_rss"] / result["points"]
            print(
                f"load(plugins='scalars', index={mode!r}): {result['seconds']:.2f} s, "
                f"{result['events_per_s'] / 1e6:.2f} M points/s, peak RSS "
                f"{result['peak_rss'] / 1e6:.0f} MB ({per_point:.0f} B/point)"
            )


if __name__ == "__main__":
    main()
