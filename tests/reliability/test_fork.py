"""Forks after a writer exists: a child never writes into the parent's file and never deadlocks
on the parent's locks or thread; what it logs lands in a file of its own (its pid in the name);
the parent's file stays whole and complete."""

from __future__ import annotations

import importlib
import multiprocessing
import os
import re
import signal
import threading
import time
import traceback

import numpy as np
import pytest

import summary
from summary.ops import snapshots
from summary.writer import context, registry
from tests.reliability import children
from tests.reliability.faults import event_files, tagged_steps
from tests.tensorboard_loader import accumulator, scalar_series

histogram_op = importlib.import_module("summary.ops.histogram")  # the op function shadows it
PID = re.compile(r"\.(\d+)\.\d+\.v2$")


def pid_of(path: str) -> int:
    return int(PID.search(path)[1])


def in_child(work) -> int:
    """fork(); the child runs `work()` and leaves with os._exit (never returns into pytest)."""
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            work()
            code = 0
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(code)
    return pid


def wait_for(pid: int, timeout: float = 30) -> int:
    """The child's exit code; a child still running after `timeout` is a deadlock: fail."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.01)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    raise AssertionError(f"child {pid} hung (deadlock?)")


def test_forked_children_write_their_own_files_while_the_parent_is_busy(logdir):
    writer = summary.create_file_writer(logdir, flush_millis=5)
    writer.set_as_default()
    stop = threading.Event()
    logged = []

    def parent_logging():
        step = 0
        while not stop.is_set():  # keeps the writer thread busy encoding and writing
            summary.scalar("parent", step, step=step)
            summary.write("parent_array", np.arange(64.0), step=step)
            step += 1
            time.sleep(0.0002)
        logged.append(step)

    logger = threading.Thread(target=parent_logging)
    logger.start()
    pids = []
    for index in range(6):

        def work(index=index):
            for step in range(100):
                summary.scalar(f"child{index}", step, step=step)
            summary.flush()  # a bare os.fork child leaves by os._exit: it must flush itself

        writer.flush()  # the writer thread is mid-drain when we fork
        pids.append(in_child(work))
    assert [wait_for(pid) for pid in pids] == [0] * 6
    stop.set()
    logger.join()
    writer.close()

    files = event_files(logdir)
    assert sorted(pid_of(f) for f in files) == sorted([os.getpid(), *pids])
    (parent_file,) = [f for f in files if pid_of(f) == os.getpid()]
    assert tagged_steps(parent_file, "parent") == list(range(logged[0]))
    assert tagged_steps(parent_file, "parent_array") == list(range(logged[0]))
    for index, pid in enumerate(pids):
        (child_file,) = [f for f in files if pid_of(f) == pid]
        assert tagged_steps(child_file, f"child{index}") == list(range(100))
        assert tagged_steps(child_file, "parent") == []  # the parent's queue stayed behind
    acc = accumulator(logdir)
    assert scalar_series(acc, "parent") == {s: float(s) for s in range(logged[0])}
    for index in range(6):
        assert scalar_series(acc, f"child{index}") == {s: float(s) for s in range(100)}


def test_a_child_forked_while_locks_are_held_does_not_deadlock(logdir, tmp_path):
    writer = summary.create_file_writer(logdir)
    writer.set_as_default()
    event_file = writer._file
    held, release = threading.Event(), threading.Event()

    def hold_every_lock():  # another thread is inside the writer at the moment of the fork
        with registry._lock, event_file._lock, event_file._space, event_file._bytes_lock:
            with snapshots._lock, histogram_op._warned_lock, context.capture.lock:
                held.set()
                release.wait()

    holder = threading.Thread(target=hold_every_lock)
    holder.start()
    assert held.wait(10)
    other = str(tmp_path / "other")

    def work():
        for step in range(10):
            summary.scalar("child", step, step=step)
        values = np.arange(300_000, dtype=np.float32)  # pooled size: the snapshot lock
        values[0] = np.nan  # the warned-tags lock
        with pytest.warns(summary.NonFiniteHistogramWarning):
            summary.histogram("child_histogram", values, step=0)
        with context.capturing(lambda op, args: False):  # the capture counter's lock
            assert not summary.scalar("captured", 1.0, step=0)
        summary.flush()
        with summary.create_file_writer(other).as_default() as second:  # the registry lock
            summary.scalar("child_other", 1.0, step=0)
        second.close()

    try:
        pid = in_child(work)
        assert wait_for(pid) == 0
    finally:
        release.set()
        holder.join()
    writer.close()
    assert tagged_steps(logdir, "child") == list(range(10))
    assert tagged_steps(other, "child_other") == [0]
    assert tagged_steps(logdir, "child_histogram") == [0]


def test_a_child_that_never_logs_creates_no_file(logdir):
    writer = summary.create_file_writer(logdir)
    pid = in_child(lambda: registry.close_all(5.0))  # the exit drain of a child
    assert wait_for(pid) == 0
    writer.close()
    assert [pid_of(f) for f in event_files(logdir)] == [os.getpid()]


@pytest.mark.parametrize("method", ["fork", "forkserver"])
def test_multiprocessing_child_with_inherited_writer_is_drained_at_exit(logdir, method):
    if method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"no {method} start method here")
    writer = summary.create_file_writer(logdir, flush_millis=600_000)
    writer.set_as_default()
    for step in range(50):
        summary.scalar("parent", step, step=step)
    context = multiprocessing.get_context(method)
    if method == "fork":  # the child inherits the default writer, with 50 events queued
        process = context.Process(target=children.log_with_inherited_writer, args=("child", 300))
    else:  # a fresh interpreter (forked from a server): its own writer
        process = context.Process(target=children.log_with_own_writer, args=(logdir, "child", 300))
    process.start()
    process.join(60)
    assert process.exitcode == 0
    for step in range(50, 100):
        summary.scalar("parent", step, step=step)
    writer.close()
    files = event_files(logdir)
    assert len(files) == 2
    (child_file,) = [f for f in files if pid_of(f) == process.pid]
    assert tagged_steps(child_file, "child") == list(range(300))
    assert tagged_steps(child_file, "parent") == []
    (parent_file,) = [f for f in files if f != child_file]
    assert tagged_steps(parent_file, "parent") == list(range(100))


def test_spawned_child_with_its_own_writer_for_the_same_logdir(logdir):
    writer = summary.create_file_writer(logdir)
    with writer.as_default():
        summary.scalar("parent", 0, step=0)
        context = multiprocessing.get_context("spawn")
        process = context.Process(target=children.log_with_own_writer, args=(logdir, "child", 300))
        process.start()
        process.join(60)
        summary.scalar("parent", 1, step=1)
    writer.close()
    assert process.exitcode == 0
    files = event_files(logdir)
    assert sorted(pid_of(f) for f in files) == sorted([os.getpid(), process.pid])
    assert tagged_steps(logdir, "child") == list(range(300))
    assert tagged_steps(logdir, "parent") == [0, 1]
