"""Reader throughput: `summary.reader.load` beside TensorBoard's EventAccumulator on one file.

    python bench/read_bench.py [--events 1000000] [--rounds 3] [--images 40]

Writes a scalar file (`--events` values over 4 tags) and a mixed file (the same scalars plus
`--images` large PNG images), then times each reader, in a fresh process per measurement, over
the same bytes with CRCs checked. Prints events/s and the ratio to EventAccumulator.
`measure(reader, logdir)` is the workload function other harnesses can call.

The scan workload (run.py's "read_scan") reads one file of SCAN_TAGS tags x N steps with
SCAN_READERS: `load` by scan, RustBoard's ingestion, tbparse and EventAccumulator, each in its own
process so its peak RSS is its own. Peers too slow or too large for N read a smaller file
(SCAN_LIMITS) and say so in their row's note.
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

TAGS = ("loss", "accuracy", "learning_rate", "grad_norm")
READERS = {
    "summary.reader.load": "all values, decoded",
    "summary.reader.load(plugins=scalars)": "scalars only: other payloads skipped",
    "summary.reader.iter_events": "Event messages (protobuf), no decoding",
    "EventAccumulator": "TensorBoard's loader, keeping every value",
}


SCAN_TAGS = 10
SCAN_READERS = {
    "summary.reader.load(plugins=scalars) by scan": "every value, CRCs checked, no index",
    "RustBoard": "tensorboard --load_fast=true: ingestion, server start subtracted",
    "tbparse": "SummaryReader(...).tensors (scalars stored as tensors), a DataFrame",
    "EventAccumulator": "TensorBoard's Python loader, keeping every value",
}
# Rows for other ways to load the same file, by name: a function (logdir -> scalar values read)
# run in the timed process after `prepare(logdir)` (untimed). "load from index" goes here.
SCAN_EXTRA: dict[str, tuple[Any, Any]] = {}
# points read by peers that would take minutes at the full size (tbparse ~20 k/s, EA ~50 k/s)
SCAN_LIMITS = {"tbparse": 200_000, "EventAccumulator": 500_000}


def write_tags(logdir: str, points: int) -> None:
    """`points` scalars: SCAN_TAGS tags x points // SCAN_TAGS steps, written by `summary`."""
    import summary

    tags = [f"tag{index}" for index in range(SCAN_TAGS)]
    with summary.create_file_writer(logdir):
        for step in range(points // SCAN_TAGS):
            for index, tag in enumerate(tags):
                summary.scalar(tag, step * 0.001 + index, step=step)


def measure_scan(reader: str, logdir: str) -> dict[str, Any]:
    """Time one scan-workload reader over `logdir`; `values` counts the points it loaded."""
    if reader == "RustBoard":
        return _rustboard(logdir)
    if reader in SCAN_EXTRA:
        prepare, read = SCAN_EXTRA[reader]
        prepare(logdir)
    elif reader == "tbparse":
        from tbparse import SummaryReader

        def read(logdir: str) -> int:
            return len(SummaryReader(logdir).tensors)

    elif reader == "EventAccumulator":
        from tensorboard.backend.event_processing import plugin_event_accumulator as pea

        def read(logdir: str) -> int:
            accumulator = pea.EventAccumulator(logdir, size_guidance={pea.TENSORS: 0})
            accumulator.Reload()
            return sum(len(accumulator.Tensors(tag)) for tag in accumulator.Tags()["tensors"])

    else:
        import inspect

        from summary.reader import load

        options = {"index": "ignore"} if "index" in inspect.signature(load).parameters else {}

        def read(logdir: str) -> int:
            data = load(logdir, plugins="scalars", **options)
            return sum(len(series.values) for series in data.series())

    start = time.perf_counter()
    values = read(logdir)
    seconds = time.perf_counter() - start
    return {"values": values, "seconds": seconds, "events_per_s": values / seconds}


def _rustboard(logdir: str) -> dict[str, Any]:
    """Seconds from RustBoard's server answering to every tag's last step being served (its
    scalars are a sample, but always hold the last step), and the data server's peak RSS."""
    import re
    import signal
    import urllib.parse
    import urllib.request

    steps = _last_step(logdir)
    with tempfile.TemporaryFile() as log:
        command = [sys.executable, "-m", "tensorboard.main", "--logdir", logdir, "--host",
                   "127.0.0.1", "--port", "0", "--load_fast=true"]  # fmt: skip
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            while True:
                log.seek(0)
                match = re.search(rb"TensorBoard \S+ at (http://127\.0\.0\.1:\d+)/", log.read())
                if match or process.poll() is not None:
                    break
                time.sleep(0.05)
            if match is None:
                return {"error": "tensorboard --load_fast=true did not start"}
            url, start = match.group(1).decode(), time.perf_counter()
            pending = {f"tag{index}" for index in range(SCAN_TAGS)}
            while pending:
                for tag in sorted(pending):
                    query = urllib.parse.urlencode({"run": ".", "tag": tag})
                    try:
                        with urllib.request.urlopen(
                            f"{url}/data/plugin/scalars/scalars?{query}"
                        ) as r:
                            points = json.loads(r.read())
                    except OSError:
                        continue
                    if points and points[-1][1] == steps:
                        pending.discard(tag)
                time.sleep(0.05)
            seconds = time.perf_counter() - start
            peak = max((_peak_kib(pid) for pid in _group(process.pid)), default=0)
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
    points = SCAN_TAGS * (steps + 1)
    return {"values": points, "seconds": seconds, "events_per_s": points / seconds,
            "child_rss_mb": peak / 1024}  # fmt: skip


def _last_step(logdir: str) -> int:
    from summary.reader import load

    return int(next(iter(load(logdir, tags="tag0", values=False).series())).steps[-1])


def _group(group: int) -> list[int]:
    """The processes of process group `group` (tensorboard and its data server)."""
    found = []
    for name in os.listdir("/proc"):
        try:
            with open(f"/proc/{name}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == group:
            found.append(int(name))
    return found


def _peak_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def write_scalars(logdir: str, events: int, images: int = 0) -> None:
    """`events` scalars over TAGS (step = index // len(TAGS)), plus `images` 512x512 RGB noise
    images spread through the run, written by `summary`."""
    import numpy as np

    import summary

    every = max(1, events // images) if images else 0
    rng = np.random.default_rng(0)
    with summary.create_file_writer(logdir):
        for index in range(events):
            step = index // len(TAGS)
            summary.scalar(TAGS[index % len(TAGS)], 1.0 / (index + 1), step=step)
            if every and index % every == 0:
                pixels = rng.integers(0, 256, size=(1, 512, 512, 3), dtype=np.uint8)
                summary.image("samples", pixels, step=step)


def measure(reader: str, logdir: str) -> dict[str, Any]:
    """Time one reader over `logdir` (imports done first); `values` counts the scalar values."""
    if reader.startswith("summary.reader.load"):
        from summary.reader import load

        plugins = "scalars" if "plugins=" in reader else None

        def read() -> int:
            data = load(logdir, plugins=plugins)
            return sum(len(s) for s in data.series() if s.plugin == "scalars")

    elif reader == "summary.reader.iter_events":
        from summary.reader import iter_events

        def read() -> int:
            events = iter_events(logdir)
            return sum(1 for event in events for v in event.summary.value if v.tag in TAGS)

    else:
        from tensorboard.backend.event_processing import plugin_event_accumulator as pea

        def read() -> int:
            accumulator = pea.EventAccumulator(logdir, size_guidance={pea.TENSORS: 0})
            accumulator.Reload()
            return sum(len(accumulator.Tensors(tag)) for tag in TAGS)

    start = time.perf_counter()
    values = read()
    seconds = time.perf_counter() - start
    return {"values": values, "seconds": seconds, "events_per_s": values / seconds}


def _in_fresh_process(reader: str, logdir: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--measure", reader, logdir],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.splitlines()[-1])


def _table(title: str, logdir: str, rounds: int, expected: int) -> None:
    size = sum(os.path.getsize(os.path.join(logdir, n)) for n in os.listdir(logdir))
    print(f"\n{title} ({size / 1e6:.1f} MB, {expected:,} scalar values)")
    results: dict[str, list[dict[str, Any]]] = {reader: [] for reader in READERS}
    for round_index in range(rounds):
        order = list(READERS)
        order = order[round_index % len(order) :] + order[: round_index % len(order)]
        for reader in order:
            result = _in_fresh_process(reader, logdir)
            if result["values"] != expected:
                raise SystemExit(f"{reader} read {result['values']} values, not {expected}")
            results[reader].append(result)
    baseline = statistics.median(r["events_per_s"] for r in results["EventAccumulator"])
    print(f"{'reader':40} {'seconds':>8} {'events/s':>12} {'vs EA':>7}  what")
    for reader, what in READERS.items():
        rate = statistics.median(r["events_per_s"] for r in results[reader])
        seconds = statistics.median(r["seconds"] for r in results[reader])
        print(f"{reader:40} {seconds:8.2f} {rate:12,.0f} {rate / baseline:6.1f}x  {what}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="scalar values")
    parser.add_argument("--images", type=int, default=40, help="images in the mixed file")
    parser.add_argument("--rounds", type=int, default=3, help="measurements per reader")
    parser.add_argument("--measure", nargs=2, metavar=("READER", "LOGDIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(*args.measure)))
        return
    with tempfile.TemporaryDirectory() as root:
        scalars, mixed = os.path.join(root, "scalars"), os.path.join(root, "mixed")
        write_scalars(scalars, args.events)
        write_scalars(mixed, args.events // 10, images=args.images)
        _table("scalar file", scalars, args.rounds, args.events)
        _table(
            f"mixed file: scalars and {args.images} images", mixed, args.rounds, args.events // 10
        )


if __name__ == "__main__":
    main()
