"""Many threads and many writers at once; writers used after close(); close() racing logging
threads: no crash, no hang, every call that returned is on disk, every later one raises."""

from __future__ import annotations

import gc
import threading
import time

import pytest

import summary
from summary.writer import registry
from tests.reliability.faults import event_files, tagged_steps
from tests.tensorboard_loader import multiplexer, scalar_series


def run_threads(target, count: int) -> list:
    """Run `target(index)` on `count` threads; returns what each raised (None if nothing)."""
    outcomes: list = [None] * count

    def guarded(index: int) -> None:
        try:
            target(index)
        except BaseException as error:
            outcomes[index] = error

    threads = [threading.Thread(target=guarded, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
        assert not thread.is_alive(), "a logging thread hung"
    return outcomes


def test_many_threads_many_writers_reopening_and_sharing(tmp_path):
    root = tmp_path / "logs"
    shared = summary.create_file_writer(str(root / "shared"))

    def work(index: int) -> None:
        own_dir = str(root / f"own{index}")
        for segment in range(4):  # each segment a new writer, so a new file
            own = summary.create_file_writer(own_dir)
            for step in range(segment * 500, (segment + 1) * 500):
                with own.as_default():
                    summary.scalar("own", step, step=step)
                with shared.as_default():
                    summary.scalar(f"thread{index}", step, step=step)
                if step % 97 == 0:
                    shared.flush()
            own.close()
        for round_ in range(20):  # short-lived writers of one logdir, created and closed at once
            with summary.create_file_writer(str(root / "churn")).as_default() as churn:
                summary.scalar(f"churn{index}", round_, step=round_)
            churn.close()

    assert run_threads(work, 8) == [None] * 8
    shared.close()
    mux = multiplexer(str(root))
    for index in range(8):
        assert len(event_files(str(root / f"own{index}"))) == 4
        expected = {s: float(s) for s in range(2000)}
        assert scalar_series(mux.GetAccumulator(f"own{index}"), "own") == expected
        assert scalar_series(mux.GetAccumulator("shared"), f"thread{index}") == expected
        churn = {s: float(s) for s in range(20)}
        assert scalar_series(mux.GetAccumulator("churn"), f"churn{index}") == churn


def test_a_closed_writer_refuses_everything_and_keeps_what_came_before(logdir):
    writer = summary.create_file_writer(logdir)
    with writer.as_default():
        summary.scalar("x", 1.0, step=0)
        summary.write("w", [1.0, 2.0], step=0)
    writer.close()
    with writer.as_default():
        with pytest.raises(summary.WriterClosedError, match="closed"):
            summary.scalar("x", 2.0, step=1)
        with pytest.raises(summary.WriterClosedError):
            summary.write("w", [3.0], step=1)
    with pytest.raises(summary.WriterClosedError):
        writer.enqueue_event(lambda: b"", 0)
    writer.flush()  # nothing to do
    summary.flush(writer)
    writer.close()  # nothing to do
    assert tagged_steps(logdir, "x") == [0] and tagged_steps(logdir, "w") == [0]


@pytest.mark.parametrize("trial", range(12))
def test_close_from_another_thread_while_logging(logdir, trial):
    writer = summary.create_file_writer(logdir, flush_millis=1 + trial)
    returned: list[list[int]] = [[], []]
    running = threading.Barrier(3)

    def log(index: int) -> None:
        tag = f"x{index}"
        with writer.as_default():
            running.wait()
            step = 0
            while True:  # until close: then WriterClosedError, nothing else
                summary.scalar(tag, step, step=step)
                returned[index].append(step)
                step += 1

    def close_soon(index: int) -> None:
        if index < 2:
            log(index)
        else:
            running.wait()
            time.sleep(0.002 * trial)  # close at a different moment in each trial
            writer.close()

    outcomes = run_threads(close_soon, 3)
    assert [type(error) for error in outcomes] == [
        summary.WriterClosedError,
        summary.WriterClosedError,
        type(None),
    ]
    for index in range(2):  # exactly the calls that returned are there
        assert tagged_steps(logdir, f"x{index}") == returned[index]


@pytest.mark.parametrize("trial", range(8))
def test_close_racing_calls_already_inside_the_writer(logdir, trial):
    """Calls that fetched the writer's enqueue method before close() (an op mid-call): each
    one's entry is written, or the call raises WriterClosedError — never returns and is lost."""
    writer = summary.create_file_writer(logdir, flush_millis=1 + trial, max_queue=1000)
    enqueue = writer.enqueue_scalar
    returned: list[list[int]] = [[], []]
    running, closed = threading.Barrier(3), threading.Event()

    def race(index: int) -> None:
        running.wait()
        if index == 2:
            time.sleep(0.002 * trial)
            writer.close()
            closed.set()
            return
        step = 0
        while True:
            after_close = closed.is_set()
            enqueue(f"x{index}", step, float(step), None, time.time())
            assert not after_close, "a call after close() returned without raising"
            returned[index].append(step)
            step += 1
            if step % 256 == 0:
                time.sleep(0)  # let the closing thread in
            assert step < 1_000_000, "close() did not stop the loggers"

    outcomes = run_threads(race, 3)
    assert [type(error) for error in outcomes] == [
        summary.WriterClosedError,
        summary.WriterClosedError,
        type(None),
    ]
    for index in range(2):
        assert tagged_steps(logdir, f"x{index}") == returned[index]


def test_two_threads_closing_one_writer_release_it_once(logdir):
    first = summary.create_file_writer(logdir)
    second = summary.create_file_writer(logdir)  # shares first's file
    barrier = threading.Barrier(4)

    def close_first(index: int) -> None:
        barrier.wait()
        first.close()

    assert run_threads(close_first, 4) == [None] * 4
    with second.as_default():  # a double release would have closed the shared file
        summary.scalar("second", 1.0, step=0)
    second.close()
    assert len(event_files(logdir)) == 1
    assert tagged_steps(logdir, "second") == [0]


def test_garbage_collection_under_the_registry_lock_does_not_deadlock(logdir, tmp_path):
    writer = summary.create_file_writer(logdir, flush_millis=600_000)
    with writer.as_default():
        summary.scalar("x", 1.0, step=0)
    event_file = writer._file
    with registry._lock:  # as if a collection ran inside acquire(), which holds the lock
        del writer
        gc.collect()  # the finalizer must not wait for the lock we hold
    other = summary.create_file_writer(str(tmp_path / "other"))  # closes the collected file
    other.close()
    assert event_file.closed
    event_file.close()  # wait for its thread's last drain
    assert tagged_steps(logdir, "x") == [0]
