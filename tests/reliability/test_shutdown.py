"""Interpreter exit: pending events are drained; a hung or failing file system costs at most
SUMMARY_EXIT_TIMEOUT seconds in all (not per file), and what was lost is said on stderr."""

from __future__ import annotations

import re
import subprocess

from tests.reliability.faults import child, lost_counts, run_child, tagged_steps

HANGING_SINKS = """
import threading
from summary.writer import registry
from summary.writer.sinks import LocalSink

class HangingSink(LocalSink):
    # A file system that stops answering: the first write (the file's header) goes through,
    # every later one blocks forever.
    def write(self, data):
        if getattr(self, "wrote", False):
            threading.Event().wait()
        self.wrote = True
        return super().write(data)

registry.open_sink = HangingSink
"""


def test_exit_drains_every_writer_left_open_gc_closed_or_fed_by_a_late_thread(tmp_path):
    root = tmp_path / "logs"
    result = run_child(
        f"""
        import threading, time
        import summary

        root = {str(root)!r}
        kept = [summary.create_file_writer(f"{{root}}/open{{i}}", flush_millis=600_000)
                for i in range(3)]
        for i, writer in enumerate(kept):
            with writer.as_default():
                for step in range(2000):
                    summary.scalar("x", step, step=step)

        def forgotten():  # its writer is garbage-collected unclosed with 2000 events queued
            writer = summary.create_file_writer(f"{{root}}/forgotten", flush_millis=600_000)
            with writer.as_default():
                for step in range(2000):
                    summary.scalar("x", step, step=step)
        forgotten()

        def late():  # a non-daemon thread still logging when the main thread ends
            with kept[0].as_default():
                for step in range(2000):
                    summary.scalar("late", step, step=step)
                    time.sleep(0.0001)
        threading.Thread(target=late).start()
        """
    )
    assert result.returncode == 0, result.stderr
    assert "summary" not in result.stderr
    for run in ("open0", "open1", "open2", "forgotten"):
        assert tagged_steps(str(root / run), "x") == list(range(2000))
    assert tagged_steps(str(root / "open0"), "late") == list(range(2000))


def test_exit_with_a_hung_file_system_waits_the_timeout_once_for_all_files(tmp_path):
    root = tmp_path / "logs"
    process = child(
        HANGING_SINKS
        + f"""
import os, sys
import summary
writers = [summary.create_file_writer(f"{str(root)}/run{{i}}") for i in range(4)]
for writer in writers:
    with writer.as_default():
        for step in range(100):
            summary.scalar("x", step, step=step)
print("exiting", flush=True)
""",
        env={"SUMMARY_EXIT_TIMEOUT": "2"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline().strip() == "exiting"
    try:
        _, err = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        raise AssertionError("exit hung on a hung file system") from None
    assert process.returncode == 0, err
    gave_up = [line for line in err.splitlines() if "gave up after" in line]
    assert len(gave_up) == 4, err
    # Four hung files, one 2 s budget for all of them (per-file waits would grant 8 s in all):
    # the waits granted, as each message states them, add up to the budget.
    granted = [float(re.search(r"gave up after (\S+) s", line)[1]) for line in gave_up]
    assert sum(granted) <= 2.001, granted
    assert all("does not answer; 100 events were not written" in line for line in gave_up)
    for index in range(4):  # the headers written before the hang are intact
        assert tagged_steps(str(root / f"run{index}"), "x") == []


def test_exit_while_writes_fail_tries_once_more_and_reports_the_loss(tmp_path):
    logdir = str(tmp_path / "logs")
    result = run_child(
        f"""
        import errno, os
        import summary
        from summary.writer import registry
        from summary.writer.sinks import LocalSink

        class FullDisk(LocalSink):
            full = False
            def write(self, data):
                if FullDisk.full:
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                return super().write(data)

        registry.open_sink = FullDisk
        writer = summary.create_file_writer({logdir!r}, flush_millis=600_000)
        writer.set_as_default()
        for step in range(10):
            summary.scalar("x", step, step=step)
        writer.flush()
        FullDisk.full = True
        for step in range(10, 510):
            summary.scalar("x", step, step=step)
        """,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "No space left on device; 500 events were lost" in result.stderr
    assert tagged_steps(logdir, "x") == list(range(10))


def test_exit_after_a_full_disk_counts_exactly_the_events_not_on_disk(tmp_path):
    logdir = str(tmp_path / "logs")
    result = run_child(
        f"""
        import summary
        from summary.writer import registry
        from tests.reliability.faults import FaultySink, Switch

        switch = Switch()
        registry.open_sink = lambda logdir, suffix: FaultySink(logdir, suffix, switch)
        writer = summary.create_file_writer({logdir!r}, flush_millis=600_000)
        writer.set_as_default()
        for step in range(10):
            summary.scalar("x", step, step=step)
        writer.flush()
        switch.room = 4000  # the disk takes part of the last chunk, then is full
        for step in range(10, 3010):
            summary.scalar("x", step, step=step)
        """,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    on_disk = tagged_steps(logdir, "x")
    assert on_disk == list(range(len(on_disk))) and 10 < len(on_disk) < 3010
    assert lost_counts([result.stderr]) == 3010 - len(on_disk)
