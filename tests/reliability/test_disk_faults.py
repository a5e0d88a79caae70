"""Real file-system faults: a file size limit (EFBIG), a full disk (ENOSPC on a tiny tmpfs), a
read-only logdir (EROFS), a deleted logdir. The caller gets a WriterError, the file on disk stays
readable, and logging resumes once the cause is gone.

The tmpfs and bind-mount cases need root (as on CI and the dev machines) and skip otherwise.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess

import pytest

import summary
from tests.reliability.faults import event_files, lost_counts, run_child, tagged_steps
from tests.tensorboard_loader import accumulator, plugin_of, scalar_series, values


def mount(*args: str) -> None:
    result = subprocess.run(["mount", *args], capture_output=True, text=True)
    if result.returncode:
        pytest.skip(f"cannot mount ({result.stderr.strip()}): needs root")


def unmount(path: str) -> None:
    subprocess.run(["umount", "-l", path], capture_output=True)


@pytest.fixture
def tiny_disk(tmp_path):
    """A 256 KiB tmpfs: a disk that really fills up."""
    point = tmp_path / "disk"
    point.mkdir()
    mount("-t", "tmpfs", "-o", "size=256k", "tmpfs", str(point))
    yield str(point)
    unmount(str(point))


def fill(directory: str) -> str:
    """Write a file until the disk is full; returns its path."""
    path = os.path.join(directory, "filler")
    with open(path, "wb", buffering=0) as filler:
        for block in (65536, 4096, 512, 64, 8, 1):
            try:
                while True:
                    filler.write(b"\0" * block)
            except OSError as error:
                assert error.errno == errno.ENOSPC
    return path


def test_file_size_limit_efbig_is_reported_and_resumes_when_lifted(logdir):
    result = run_child(
        f"""
        import json, os, resource, signal
        import summary
        from summary.reader import iter_events

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of death
        writer = summary.create_file_writer({logdir!r}, flush_millis=600_000)
        writer.set_as_default()
        for step in range(10):
            summary.scalar("x", step, step=step)
        writer.flush()
        limit = os.path.getsize(writer.path) + 1000
        soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
        for step in range(10, 200):
            summary.scalar("x", step, step=step)
        errors = []
        try:
            writer.flush()
        except summary.WriterError as error:
            errors.append(str(error))
        size_at_limit = os.path.getsize(writer.path)
        steps_at_limit = [
            e.step for e in iter_events(writer.path, on_corruption="raise") if e.summary.value
        ]
        resource.setrlimit(resource.RLIMIT_FSIZE, (hard, hard))
        writer.flush()
        for step in range(200, 300):
            summary.scalar("x", step, step=step)
        writer.close()
        print(json.dumps(dict(errors=errors, limit=limit, size=size_at_limit,
                              steps=steps_at_limit)))
        """
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    (error,) = report["errors"]
    assert "File too large" in error and "retries" in error
    # The write stopped exactly at the limit, mid-record; what is there reads cleanly.
    assert report["size"] == report["limit"]
    assert report["steps"] == list(range(len(report["steps"]))) and len(report["steps"]) > 10
    assert tagged_steps(logdir, "x") == list(range(300))
    assert scalar_series(accumulator(logdir), "x") == {s: float(s) for s in range(300)}


def test_full_disk_enospc_is_reported_and_resumes_when_space_is_freed(tiny_disk):
    logdir = os.path.join(tiny_disk, "logs")
    writer = summary.create_file_writer(logdir)
    with writer.as_default():
        for step in range(10):
            summary.scalar("x", step, step=step)
        writer.flush()
        filler = fill(tiny_disk)
        for step in range(10, 2000):  # about 120 KB
            summary.scalar("x", step, step=step)
        with pytest.raises(summary.WriterError, match="No space left on device"):
            writer.flush()
        (path,) = event_files(logdir)
        on_disk = tagged_steps(path, "x")  # whole records, then at most a torn tail
        assert on_disk == list(range(len(on_disk))) and len(on_disk) >= 10
        os.remove(filler)
        writer.flush()
        for step in range(2000, 2100):
            summary.scalar("x", step, step=step)
    writer.close()
    assert event_files(logdir) == [path]
    assert tagged_steps(logdir, "x") == list(range(2100))
    assert scalar_series(accumulator(logdir), "x") == {s: float(s) for s in range(2100)}


def test_close_on_a_full_disk_counts_exactly_the_events_not_on_disk(tiny_disk):
    """A real full tmpfs: the last write is cut short mid-chunk, then ENOSPC; the records of
    that chunk that reached the file are not counted as lost."""
    logdir = os.path.join(tiny_disk, "logs")
    writer = summary.create_file_writer(logdir, flush_millis=600_000)
    with writer.as_default():
        for step in range(10):
            summary.scalar("x", step, step=step)
        writer.flush()
        filler = fill(tiny_disk)
        os.truncate(filler, os.path.getsize(filler) - 10_000)  # room for part of a chunk
        for step in range(10, 3010):  # about 140 KB
            summary.scalar("x", step, step=step)
    with pytest.raises(summary.WriterError, match="No space left on device") as raised:
        writer.close()
    on_disk = tagged_steps(logdir, "x")
    assert on_disk == list(range(len(on_disk))) and 10 < len(on_disk) < 3010
    assert lost_counts([raised.value]) == 3010 - len(on_disk)


def test_read_only_logdir_is_refused_when_the_writer_is_created(tmp_path):
    point = tmp_path / "ro"
    point.mkdir()
    if os.geteuid() == 0:
        mount("-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(point))
    else:
        point.chmod(0o555)
    try:
        logdir = str(point / "logs")
        with pytest.raises(summary.WriterError, match="cannot create an event file in") as raised:
            summary.create_file_writer(logdir)
        assert logdir in str(raised.value)
        assert isinstance(raised.value.__cause__, OSError)
    finally:
        if os.geteuid() == 0:
            unmount(str(point))


def test_deleted_logdir_is_reported_and_logging_goes_on_in_a_new_file(logdir):
    writer = summary.create_file_writer(logdir, flush_millis=600_000)
    with writer.as_default():
        for step in range(10):
            summary.scalar("x", step, step=step)
            summary.histogram("h", [step, 1.0], step=step)
        writer.flush()
        (old,) = event_files(logdir)
        shutil.rmtree(logdir)
        summary.histogram("h", [7.0, 8.0], step=10)  # h's only value in the new file
        for step in range(10, 20):
            summary.scalar("x", step, step=step)
        with pytest.raises(summary.WriterError, match="was deleted while being written") as raised:
            writer.flush()
        assert old in str(raised.value)
        for step in range(20, 30):
            summary.scalar("x", step, step=step)
    writer.close()
    (new,) = event_files(logdir)
    assert new != old
    assert tagged_steps(new, "x") == list(range(10, 30))
    acc = accumulator(logdir)
    assert scalar_series(acc, "x") == {s: float(s) for s in range(10, 30)}
    assert acc.SummaryMetadata("x").plugin_data.plugin_name == "scalars"
    # The new file repeats each tag's metadata with its first value there, also for a tag whose
    # metadata the deleted file held and whose only value went into the new file's first chunk.
    assert plugin_of(acc, "h") == "histograms"
    assert [step for step, _, _ in values(acc, "h")] == [10]


def test_deleted_file_in_a_read_only_logdir_fails_until_writable_again(logdir):
    writer = summary.create_file_writer(logdir, flush_millis=600_000)
    with writer.as_default():
        for step in range(10):
            summary.scalar("x", step, step=step)
        writer.flush()
        (old,) = event_files(logdir)
        os.remove(old)
        mount("--bind", logdir, logdir)
        try:
            mount("-o", "remount,bind,ro", logdir)
            for step in range(10, 20):
                summary.scalar("x", step, step=step)
            with pytest.raises(summary.WriterError, match="Read-only file system"):
                writer.flush()
            with pytest.raises(summary.WriterError, match="Read-only file system"):
                writer.flush()  # still failing: each flush retries and says so
        finally:
            unmount(logdir)
        writer.flush()
        summary.scalar("x", 20, step=20)
    writer.close()
    (new,) = event_files(logdir)
    assert tagged_steps(new, "x") == list(range(10, 21))
