"""The event-file index: what writing it costs, how big it is, how fast `load` reads from it.

    python bench/index_bench.py [--events 10000000] [--write-events 1000000] [--write-rounds 5]

Writing: total CPU µs per scalar event (caller and writer thread together) with the index and
without it (the same writer with `summary.writer.file_index.ENABLED` off), in fresh processes,
alternating; the median and the best of the rounds.
Reading: `load` from the index and by scan (index="ignore") of the same file, each in a fresh
process with its peak RSS, and the index's size against the event file's.
`indexed_load(logdir)` is the timed function another harness (bench/run.py (f)) can call. S3
(--only-s3 [--s3-mb 1000]): scalars among that many MB of images in a run on a local moto
server, bytes fetched and seconds of `load(plugins="scalars")` with and without the index.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

TAGS = ("loss", "accuracy", "learning_rate", "grad_norm")


def write(logdir: str, events: int, index: bool) -> dict[str, float]:
    """Write `events` scalars over TAGS; CPU seconds of the whole process per event."""
    import summary
    from summary.writer import file_index

    file_index.ENABLED = index  # the benchmarks' switch: False writes the event file alone
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


def prepare_index(logdir: str) -> None:
    """Index every event file of `logdir` that has none, or one of another format version (our
    writer's files have one already; a file kept from an earlier run may have an older one)."""
    from summary.reader.event_files import iter_event_files
    from summary.reader.indexed import build_index, has_index

    for _, path in iter_event_files(logdir):
        if not has_index(path):
            build_index(path)


def read_from_index(logdir: str) -> int:
    """`load(plugins="scalars")` through the index: the scalar values read."""
    from summary.reader import load

    data = load(logdir, plugins="scalars", index="use")
    return sum(len(series) for series in data.series())


def s3_mixed(image_mb: int, scalars: int = 100_000) -> list[str]:
    """Scalars among `image_mb` MB of PNG images in a run on a local S3 server (moto): bytes
    fetched and seconds of load(plugins="scalars") with and without the index."""
    import boto3
    import fsspec
    import numpy as np
    from moto.server import ThreadedMotoServer

    import summary
    from summary.reader import load, storage

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        os.environ[name] = "testing"
    os.environ["AWS_DEFAULT_REGION"] = "us-east-1"
    fsspec.config.conf["s3"] = {"endpoint_url": endpoint}
    boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket="bench")
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, size=(1, 512, 512, 3), dtype=np.uint8)  # ~0.8 MB as PNG
    images = max(1, image_mb * 1_000_000 // 786_000)
    every = max(1, scalars // images)
    with tempfile.TemporaryDirectory() as local:
        with summary.create_file_writer(local):
            for step in range(scalars):
                summary.scalar("loss", 1.0 / (step + 1), step=step)
                if step % every == 0:
                    summary.image("samples", image, step=step)
        fs = fsspec.filesystem("s3")
        for name in os.listdir(local):
            fs.put_file(os.path.join(local, name), f"bench/run/{name}")
        total = sum(os.path.getsize(os.path.join(local, n)) for n in os.listdir(local))
    lines = [f"S3 run: {total / 1e6:.0f} MB ({images} images, {scalars} scalars)"]
    fetched = [0]
    read_range, read_whole, open_binary = (
        storage.read_range,
        storage.read_whole,
        storage.open_binary,
    )

    def counted(function: Any) -> Any:
        def call(*args: Any) -> Any:
            data = function(*args)
            fetched[0] += len(data or b"")
            return data

        return call

    def opened(path: str) -> Any:
        handle = open_binary(path)
        handle.read = counted(handle.read)
        return handle

    storage.read_range, storage.read_whole = counted(read_range), counted(read_whole)
    storage.open_binary = opened
    for mode in ("use", "ignore"):
        fetched[0] = 0
        start = time.perf_counter()
        data = load("s3://bench/run", plugins="scalars", index=mode)
        seconds = time.perf_counter() - start
        assert len(data["."]["loss"]) == scalars
        lines.append(
            f"load(plugins='scalars', index={mode!r}) from S3: {seconds:.2f} s, "
            f"{fetched[0] / 1e6:.2f} MB fetched"
        )
    server.stop()
    return lines


def _child(call: str, *args: Any) -> Any:
    here = os.path.dirname(os.path.abspath(__file__))
    code = (
        f"import json, sys; sys.path.insert(0, {here!r}); import index_bench as b; "
        f"print(json.dumps(b.{call}(*{args!r})))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--write-events", type=int, default=1_000_000)
    parser.add_argument("--write-rounds", type=int, default=5, help="alternating write runs")
    parser.add_argument("--s3-mb", type=int, default=1000, help="MB of images in the S3 run")
    parser.add_argument("--only-s3", action="store_true")
    args = parser.parse_args()
    if args.only_s3:
        print("\n".join(_child("s3_mixed", args.s3_mb)))
        return
    with tempfile.TemporaryDirectory() as root:
        rows: dict[str, list[float]] = {"without index": [], "with index": []}
        for round_ in range(args.write_rounds):  # alternating, so load drift hits both alike
            for index in (False, True):
                logdir = os.path.join(root, f"w{round_}{index}")
                result = _child("write", logdir, args.write_events, index)
                rows["with index" if index else "without index"].append(result["cpu_us_per_event"])
        for how, pick in (("median", statistics.median), ("best", min)):
            base, indexed = pick(rows["without index"]), pick(rows["with index"])
            print(
                f"writing {args.write_events} scalars, {how} of {args.write_rounds}: "
                f"{base:.2f} µs/event without the index, {indexed:.2f} with it: "
                f"{(indexed / base - 1) * 100:+.1f}% CPU"
            )
        for key, values in rows.items():
            print(f"  {key}: " + " ".join(f"{value:.2f}" for value in values))
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
