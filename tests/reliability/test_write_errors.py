"""Write failures: the caller hears of them, the writer neither hangs nor spins, what is on disk
stays readable (a torn record only ever at the end), and logging resumes once the cause is gone.

Failures come from a real sink (a LocalSink subclass) whose writes fail on command, put in
through the registry's `open_sink` factory.
"""

from __future__ import annotations

import errno
import os
import threading
import time

import numpy as np
import pytest

import summary
from summary.ops.scalar import METADATA as SCALAR_METADATA
from summary.writer import health
from summary.writer.entries import ScalarsEntry, TensorEntry, events_of
from tests.reliability.faults import (
    dropped_counts,
    event_files,
    install_faulty_sinks,
    log_through_a_full_queue,
    lost_counts,
    tagged_steps,
)
from tests.tensorboard_loader import accumulator, scalar_series


def log_until_error(first_step: int, switch, limit: int = 5000) -> tuple[int, Exception]:
    """Log steps from `first_step` until a call raises (the writer thread fails in between)."""
    for step in range(first_step, first_step + limit):
        try:
            summary.scalar("x", step, step=step)
        except summary.WriterError as error:
            return step, error
        switch.failed.wait(0.002)
    raise AssertionError(f"no WriterError in {limit} calls")


def writer_thread_cpu_seconds(writer) -> float:
    """CPU time the writer's background thread has used (Linux /proc)."""
    tid = writer._file._thread.native_id
    with open(f"/proc/self/task/{tid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100  # utime + stime, in clock ticks


def test_failure_reaches_the_next_call_and_logging_resumes_when_fixed(logdir, monkeypatch):
    switch = install_faulty_sinks(monkeypatch)
    writer = summary.create_file_writer(logdir, flush_millis=20)
    with writer.as_default():
        for step in range(10):
            summary.scalar("x", step, step=step)
        writer.flush()
        switch.fail_with(errno.ENOSPC)
        raised_at, error = log_until_error(10, switch)
        assert "No space left on device" in str(error) and writer.path in str(error)
        assert "retries" in str(error)
        summary.scalar("x", raised_at + 1, step=raised_at + 1)  # reported once, not every call
        with pytest.raises(summary.WriterError, match="No space left on device"):
            writer.flush()  # retries at once, and says the retry failed
        switch.heal()
        writer.flush()  # nothing was dropped: flush simply succeeds
        last = raised_at + 20
        for step in range(raised_at + 2, last + 1):
            summary.scalar("x", step, step=step)
    writer.close()
    # Everything is there, the value of the call that raised included (it was queued).
    assert tagged_steps(logdir, "x") == list(range(last + 1))
    assert scalar_series(accumulator(logdir), "x") == {s: float(s) for s in range(last + 1)}


def test_a_failing_writer_pauses_between_retries_even_when_hammered(logdir, monkeypatch):
    switch = install_faulty_sinks(monkeypatch)
    # flush_millis=1 and max_queue=1: every call and every millisecond would wake a naive thread.
    writer = summary.create_file_writer(logdir, flush_millis=1, max_queue=1)
    with writer.as_default():
        summary.scalar("x", 0, step=0)
        writer.flush()
        switch.fail_with(errno.EIO)
        summary.scalar("x", 1, step=1)
        assert switch.failed.wait(10)
        attempts, cpu, start = switch.attempts, writer_thread_cpu_seconds(writer), time.monotonic()
        step = 2
        while time.monotonic() - start < 1.0:  # hammer for one second, 50,000 calls at most
            try:
                summary.scalar("x", step, step=step)
            except summary.WriterError:
                pass
            step += 1
            if step > 50_000:
                break
        elapsed = time.monotonic() - start
        retries = switch.attempts - attempts
        thread_cpu = writer_thread_cpu_seconds(writer) - cpu
        # Pauses start at RETRY_FIRST_SECONDS and double: far fewer retries than this bound.
        assert retries <= 1 + elapsed / health.RETRY_FIRST_SECONDS, (retries, elapsed)
        assert thread_cpu < 0.2, thread_cpu  # it sleeps; it does not spin
        switch.heal()
        writer.flush()
    writer.close()
    assert tagged_steps(logdir, "x") == list(range(step))


def test_full_queue_while_failing_drops_the_oldest_and_counts_them(logdir, monkeypatch):
    switch = install_faulty_sinks(monkeypatch)
    writer = summary.create_file_writer(logdir, max_queue=1)  # queue bound: MIN_QUEUE_BOUND
    bound = writer._file.queue_bound
    with writer.as_default():
        for step in range(10):
            summary.scalar("x", step, step=step)
        writer.flush()
        switch.fail_with(errno.ENOSPC)
        last = 10 + bound + 50_000
        errors = log_through_a_full_queue(writer, range(10, last + 1))
        switch.heal()
        with pytest.raises(summary.WriterError, match="works again") as recovered:
            writer.flush()  # it worked, but says how many events were lost meanwhile
        errors.append(recovered.value)
    writer.close()
    assert any("oldest are being dropped" in str(e) for e in errors)
    steps = tagged_steps(logdir, "x")
    missing = sorted(set(range(last + 1)) - set(steps))
    assert steps == sorted(steps)
    # The dropped ones are the oldest queued: one contiguous block, right after what was written
    # (or staged) when the failure began; the newest `bound - 1` steps (a full queue) survive.
    assert missing == list(range(missing[0], missing[-1] + 1))
    assert missing[0] >= 10 and missing[-1] == last + 1 - bound
    assert dropped_counts(errors) == len(missing)


def ten_scalars(step: int) -> ScalarsEntry:
    """One call's ten scalars "x0" ... "x9" (as clu's write_scalars queues them)."""
    tags = tuple(f"x{i}" for i in range(10))
    return ScalarsEntry(tags, (float(step),) * 10, step, time.time(), SCALAR_METADATA, float)


def test_a_full_queue_of_batched_scalars_counts_and_drops_each_value(logdir, monkeypatch):
    switch = install_faulty_sinks(monkeypatch)
    writer = summary.create_file_writer(logdir, max_queue=1)  # queue bound: MIN_QUEUE_BOUND
    bound = writer._file.queue_bound
    for step in range(10):
        writer.enqueue_scalars(ten_scalars(step))
    writer.flush()
    switch.fail_with(errno.ENOSPC)
    last = 10 + bound // 10 + 5_000
    errors = []
    for step in range(10, last + 1):
        try:
            writer.enqueue_scalars(ten_scalars(step))
        except summary.WriterError as error:
            errors.append(error)
        assert writer._file._queued() <= bound  # values, not entries
    assert writer._file._queued() == sum(map(events_of, writer._file._queue))
    switch.heal()
    with pytest.raises(summary.WriterError, match="works again") as recovered:
        writer.flush()
    errors.append(recovered.value)
    writer.close()
    assert any("oldest are being dropped" in str(e) for e in errors)
    steps = tagged_steps(logdir, "x3")
    missing = sorted(set(range(last + 1)) - set(steps))
    assert steps == sorted(steps) and missing == list(range(missing[0], missing[-1] + 1))
    assert missing[0] >= 10 and 10 * (last + 1 - missing[-1]) >= bound - 20
    written = sum(len(tagged_steps(logdir, f"x{i}")) for i in range(10))
    assert dropped_counts(errors) == 10 * (last + 1) - written  # values, not entries


def test_batched_scalars_lost_at_close_are_counted_as_values(logdir, monkeypatch):
    switch = install_faulty_sinks(monkeypatch)
    writer = summary.create_file_writer(logdir, flush_millis=600_000)
    writer.enqueue_scalars(ten_scalars(0))
    writer.flush()
    switch.fail_with(errno.EROFS)
    for step in range(1, 101):
        writer.enqueue_scalars(ten_scalars(step))
    with pytest.raises(summary.WriterError, match="1000 events were lost"):
        writer.close()
    assert tagged_steps(logdir, "x9") == [0]


def test_array_bytes_stay_within_their_bound_while_failing(logdir, monkeypatch):
    switch = install_faulty_sinks(monkeypatch)
    writer = summary.create_file_writer(logdir)
    writer._file.max_pending_bytes = 4 << 20  # the 256 MiB default, scaled down for the test
    array = np.zeros(64 * 1024, np.float32)  # 256 KiB
    errors = []
    with writer.as_default():
        summary.write("t", array, step=0)
        writer.flush()
        switch.fail_with(errno.ENOSPC)
        for step in range(1, 101):  # 25 MiB in all
            try:
                summary.write("t", array, step=step)
            except summary.WriterError as error:
                errors.append(error)
            assert writer._file._pending_bytes <= (4 << 20) + array.nbytes
        switch.heal()
        try:
            writer.flush()
        except summary.WriterError as error:
            errors.append(error)
    writer.close()
    steps = tagged_steps(logdir, "t")
    missing = sorted(set(range(101)) - set(steps))
    # Kept: step 0, one chunk the thread had staged when the failure began (CHUNK_BYTES, 4 MiB
    # = 16 arrays), and the newest arrays within max_pending_bytes (16 more).
    assert len(steps) <= 1 + 16 + 16 + 1
    assert missing == list(range(missing[0], missing[-1] + 1))
    assert dropped_counts(errors) == len(missing)


def test_close_while_failing_returns_and_counts_what_was_lost(logdir, monkeypatch):
    switch = install_faulty_sinks(monkeypatch)
    writer = summary.create_file_writer(logdir, flush_millis=600_000)
    with writer.as_default():
        for step in range(10):
            summary.scalar("x", step, step=step)
        writer.flush()
        switch.fail_with(errno.EROFS)
        for step in range(10, 1010):
            summary.scalar("x", step, step=step)
    with pytest.raises(summary.WriterError, match="1000 events were lost") as raised:
        writer.close()
    assert "Read-only file system" in str(raised.value)
    writer.close()  # a second close does nothing
    assert tagged_steps(logdir, "x") == list(range(10))


@pytest.mark.parametrize("room", [1, 29, 4000, 40_000])
def test_close_after_a_full_disk_counts_exactly_the_events_not_on_disk(logdir, monkeypatch, room):
    """The disk takes `room` more bytes of a chunk of 3000 records, then is full: the records
    that landed whole are on disk and not counted as lost, the torn one and the rest are."""
    switch = install_faulty_sinks(monkeypatch)
    writer = summary.create_file_writer(logdir, flush_millis=600_000)
    with writer.as_default():
        for step in range(10):
            summary.scalar("x", step, step=step)
        writer.flush()
        switch.room = room
        for step in range(10, 3010):
            summary.scalar("x", step, step=step)
    with pytest.raises(summary.WriterError, match="No space left") as raised:
        writer.close()
    on_disk = tagged_steps(logdir, "x")
    assert on_disk == list(range(len(on_disk))) and 10 <= len(on_disk) < 3010
    assert lost_counts([raised.value]) == 3010 - len(on_disk)


ARRAY = np.arange(300_000, dtype=np.float32)  # 1.2 MB: written apart from the records around it


@pytest.mark.parametrize("room", [100, ARRAY.nbytes // 2, ARRAY.nbytes + 700])
def test_a_full_disk_amid_large_arrays_counts_exactly_the_events_not_on_disk(
    logdir, monkeypatch, room
):
    """Ten scalars, an array, ten scalars, ...: the disk fills up inside the scalars before the
    first array, inside its payload, or inside the scalars after it."""
    switch = install_faulty_sinks(monkeypatch)
    array = ARRAY
    writer = summary.create_file_writer(logdir, flush_millis=600_000)
    with writer.as_default():
        summary.scalar("x", 0, step=0)
        summary.write("t", array, step=0)
        writer.flush()
        switch.room = room
        errors = []  # a large array wakes the thread at once: a call may hear of the failure
        for step in range(1, 6):
            for small in range(10):
                try:
                    summary.scalar("x", 10 * step + small, step=10 * step + small)
                except summary.WriterError as error:
                    errors.append(error)  # its value was queued like any other
            try:
                summary.write("t", array, step=step)
            except summary.WriterError as error:
                errors.append(error)
    with pytest.raises(summary.WriterError, match="No space left") as raised:
        writer.close()
    on_disk = len(tagged_steps(logdir, "x")) + len(tagged_steps(logdir, "t"))
    assert lost_counts([*errors, raised.value]) == 2 + 5 * 11 - on_disk


def test_a_file_deleted_after_a_torn_write_counts_only_the_records_not_in_it(logdir, monkeypatch):
    switch = install_faulty_sinks(monkeypatch)
    writer = summary.create_file_writer(logdir, flush_millis=600_000)
    with writer.as_default():
        summary.scalar("x", 0, step=0)
        writer.flush()
        switch.room = 4000
        for step in range(1, 1001):
            summary.scalar("x", step, step=step)
        with pytest.raises(summary.WriterError, match="No space left"):
            writer.flush()
        (old,) = event_files(logdir)
        in_old = tagged_steps(old, "x")
        os.remove(old)
        switch.heal()
        with pytest.raises(summary.WriterError, match="was deleted while being written") as raised:
            writer.flush()
        summary.scalar("x", 1001, step=1001)
    writer.close()
    in_new = tagged_steps(logdir, "x")
    assert in_new == [1001] and 1 < len(in_old) < 1001
    assert lost_counts([raised.value]) == 1001 - len(in_old)


def test_a_record_torn_by_a_failure_is_completed_after_recovery(logdir, monkeypatch):
    switch = install_faulty_sinks(monkeypatch)
    writer = summary.create_file_writer(logdir)
    with writer.as_default():
        for step in range(10):
            summary.scalar("x", step, step=step)
        writer.flush()
        switch.room = 30  # the disk takes 30 more bytes, then is full: mid-record
        for step in range(10, 20):
            summary.scalar("x", step, step=step)
        with pytest.raises(summary.WriterError, match="No space left"):
            writer.flush()
        (path,) = event_files(logdir)
        # On disk now: ten whole records and a torn tail, which reads as the end of the file.
        assert tagged_steps(path, "x") == list(range(10))
        assert scalar_series(accumulator(logdir), "x") == {s: float(s) for s in range(10)}
        switch.heal()
        writer.flush()
    writer.close()
    assert event_files(logdir) == [path]
    assert tagged_steps(path, "x") == list(range(20))
    assert scalar_series(accumulator(logdir), "x") == {s: float(s) for s in range(20)}


def test_a_value_that_cannot_be_encoded_is_reported_and_skipped(logdir):
    writer = summary.create_file_writer(logdir)

    def broken() -> bytes:
        raise ZeroDivisionError("no tensor today")

    def leaving() -> bytes:
        raise SystemExit(3)  # would end the writer thread if it got out

    with writer.as_default():
        summary.scalar("x", 0, step=0)
        writer.enqueue_tensor(TensorEntry("bad", 3, time.time(), broken, None, 0))
        summary.scalar("x", 1, step=1)
        with pytest.raises(summary.WriterError, match=r"'bad' at step 3.*no tensor today"):
            writer.flush()
        summary.scalar("x", 2, step=2)
        writer.enqueue_tensor(TensorEntry("bad", 4, time.time(), leaving, None, 0))
        with pytest.raises(summary.WriterError, match=r"'bad' at step 4.*SystemExit"):
            writer.flush()
        summary.scalar("x", 3, step=3)
    writer.close()
    assert tagged_steps(logdir, "x") == [0, 1, 2, 3]
    assert tagged_steps(logdir, "bad") == []


def test_a_batched_value_that_cannot_be_read_is_reported_and_the_others_written(logdir):
    def unreadable(value: object) -> float:
        raise RuntimeError(f"cannot read {value}")

    writer = summary.create_file_writer(logdir)
    tags = ("a", "bad", "c")
    writer.enqueue_scalars(ScalarsEntry(tags, (1.0, "x", 3.0), 5, 0.0, SCALAR_METADATA, unreadable))
    writer.enqueue_scalars(ScalarsEntry(("bad",), (2.0,), 6, 0.0, SCALAR_METADATA, unreadable))
    with pytest.raises(summary.WriterError, match=r"'bad' at step 5.*cannot read x"):
        writer.flush()
    writer.close()
    assert [tagged_steps(logdir, tag) for tag in tags] == [[5], [6], [5]]
    acc = accumulator(logdir)
    assert scalar_series(acc, "bad") == {6: 2.0}  # with the plugin metadata of its first value


def test_flush_and_close_from_many_threads_while_failing_never_hang(logdir, monkeypatch):
    switch = install_faulty_sinks(monkeypatch)
    writer = summary.create_file_writer(logdir)
    switch.fail_with(errno.EIO)
    outcomes = []

    def flush_once():
        try:
            writer.flush()
            outcomes.append("ok")
        except summary.WriterError:
            outcomes.append("error")

    with writer.as_default():
        summary.scalar("x", 0, step=0)
    threads = [threading.Thread(target=flush_once) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert outcomes == ["error"] * 8
    with pytest.raises(summary.WriterError, match="1 events were lost"):
        writer.close()
