"""s3:// through a local S3 server (moto) and s3fs: the round trip, TensorBoard's own S3 reader,
and a store that fails and comes back."""

from __future__ import annotations

import pytest

import summary
from summary.reader import iter_events, load
from summary.writer import WriterError
from tests.tensorboard_loader import multiplexer, plugin_of, scalar_series


def test_round_trip_through_local_s3(bucket):
    logdir = f"s3://{bucket}/experiment"
    for run, scale in (("train", 1.0), ("eval", 2.0)):
        with summary.create_file_writer(f"{logdir}/{run}") as writer:
            for step in range(20):
                summary.scalar("loss", scale / (step + 1), step=step)
                if step % 5 == 4:
                    writer.flush()
    data = load(logdir)
    assert list(data) == ["eval", "train"]
    expected = {step: 1.0 / (step + 1) for step in range(20)}
    got = dict(
        zip(
            data["train"]["loss"].steps.tolist(), data["train"]["loss"].values.tolist(), strict=True
        )
    )
    assert got == pytest.approx(expected, rel=1e-6)
    assert sum(1 for e in iter_events(f"{logdir}/eval") if e.summary.value) == 20
    # TensorBoard reads s3:// with boto3 (S3_ENDPOINT points it at the local server)
    mux = multiplexer(logdir)
    assert sorted(mux.Runs()) == ["eval", "train"]
    accumulator = mux.GetAccumulator("train")
    assert plugin_of(accumulator, "loss") == "scalars"
    assert scalar_series(accumulator, "loss") == pytest.approx(expected, rel=1e-6)


def test_failed_uploads_are_retried_and_nothing_is_lost(bucket, s3_server):
    import boto3

    client = boto3.client("s3", endpoint_url=s3_server)
    logdir = f"s3://{bucket}/run"
    writer = summary.create_file_writer(logdir)
    with writer.as_default():
        summary.scalar("x", 0.0, step=0)
        writer.flush()
        for item in client.list_objects_v2(Bucket=bucket).get("Contents", []):
            client.delete_object(Bucket=bucket, Key=item["Key"])
        client.delete_bucket(Bucket=bucket)  # the store goes away
        for step in range(1, 4):
            summary.scalar("x", float(step), step=step)
        with pytest.raises(WriterError):
            writer.flush()
        client.create_bucket(Bucket=bucket)  # ... and comes back
        summary.scalar("x", 4.0, step=4)
        writer.flush()
    writer.close()
    steps = [e.step for e in iter_events(logdir) if e.summary.value]
    assert steps == [0, 1, 2, 3, 4][-len(steps) :] and steps[-4:] == [1, 2, 3, 4]


def test_missing_bucket_is_reported_not_created(s3_server):
    import boto3

    with pytest.raises(WriterError, match="no such bucket.*s3://never-made"):
        summary.create_file_writer("s3://never-made/run")
    names = [
        b["Name"] for b in boto3.client("s3", endpoint_url=s3_server).list_buckets()["Buckets"]
    ]
    assert "never-made" not in names


def test_command_line_reads_s3_urls(bucket, s3_server):
    """`inspect` and `export` in a subprocess, configured the documented way (environment)."""
    import csv
    import io
    import os
    import subprocess
    import sys

    logdir = f"s3://{bucket}/cli"
    with summary.create_file_writer(f"{logdir}/train"):
        for step in range(3):
            summary.scalar("loss", step / 2, step=step)
    env = {**os.environ, "FSSPEC_S3_ENDPOINT_URL": s3_server}
    inspected = subprocess.run(
        [sys.executable, "-m", "summary", "inspect", logdir],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert inspected.returncode == 0, inspected.stderr
    assert "run train" in inspected.stdout and "loss" in inspected.stdout
    exported = subprocess.run(
        [sys.executable, "-m", "summary", "export", logdir],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    rows = list(csv.DictReader(io.StringIO(exported.stdout)))
    assert [(r["step"], r["value"]) for r in rows] == [("0", "0.0"), ("1", "0.5"), ("2", "1.0")]


def test_workers_change_nothing_on_s3(bucket):
    from summary.reader.event_files import iter_event_files
    from tests.reader.test_many_runs import assert_same
    from tests.remote.test_memory import write_runs

    logdir = f"s3://{bucket}/many"
    write_runs(logdir, 6)
    expected = load(logdir)
    assert len(expected) == 6
    assert_same(load(logdir, workers=3), expected)
    (first, *_) = list(iter_event_files(logdir))
    assert list(iter_event_files(first[1])) == [(".", first[1])]  # one object: run "."
    assert list(load(first[1])["."]["loss"].steps) == list(range(30))
