"""A file system that stops answering (a write that never returns) never hangs the training loop:
after the stall timeout a full queue drops its oldest entries (counted), and flush()/close()
raise WriterError; once it answers again, everything kept is written and logging goes on.

The hang comes from a real sink (a LocalSink subclass) whose writes wait at a gate, put in
through the registry's `open_sink` factory; the stall timeout is scaled down from 60 s.
"""

from __future__ import annotations

import math

import pytest

import summary
from tests.reliability.faults import (
    dropped_counts,
    install_hanging_sinks,
    log_through_a_full_queue,
    tagged_steps,
)
from tests.tensorboard_loader import accumulator, scalar_series

STALL = 0.3  # seconds; the default SUMMARY_STALL_TIMEOUT is 60


def hung_writer(logdir, gate, **kwargs):
    """A writer that has written steps 0-9, then meets a file system that stopped answering."""
    writer = summary.create_file_writer(logdir, **kwargs)
    writer._file.stall_timeout = STALL
    with writer.as_default():
        for step in range(10):
            summary.scalar("x", step, step=step)
    writer.flush()
    gate.hang()
    return writer


def test_a_full_queue_drops_its_oldest_instead_of_waiting_for_a_hung_write(logdir, monkeypatch):
    gate = install_hanging_sinks(monkeypatch)
    writer = hung_writer(logdir, gate, max_queue=1)  # queue bound: MIN_QUEUE_BOUND
    bound = writer._file.queue_bound
    last = 10 + bound + 20_000
    with writer.as_default():
        errors = log_through_a_full_queue(writer, range(10, last + 1))
        assert gate.blocked.is_set()
        with pytest.raises(summary.WriterError, match="flush of .* gave up: the file system has"):
            writer.flush()
        gate.answer()
        with pytest.raises(summary.WriterError, match="works again") as recovered:
            writer.flush()  # everything kept is written; it says how many were dropped
        errors.append(recovered.value)
        summary.scalar("x", last + 1, step=last + 1)  # logging goes on
    writer.close()
    assert any(
        "has not answered a call" in str(e) and "oldest are being dropped" in str(e) for e in errors
    )
    steps = tagged_steps(logdir, "x")
    missing = sorted(set(range(last + 2)) - set(steps))
    assert steps == sorted(steps) and steps[-1] == last + 1
    assert missing and missing == list(range(missing[0], missing[-1] + 1))  # the oldest queued
    assert dropped_counts(errors) == len(missing)
    assert list(scalar_series(accumulator(logdir), "x")) == steps  # TensorBoard reads them all


def test_close_gives_up_on_a_hung_write_and_nothing_is_lost_once_it_answers(logdir, monkeypatch):
    gate = install_hanging_sinks(monkeypatch)
    writer = hung_writer(logdir, gate)
    with writer.as_default():
        for step in range(10, 100):
            summary.scalar("x", step, step=step)
    with pytest.raises(summary.WriterError, match="close of .* gave up") as gave_up:
        writer.close()
    assert "90 events are not written yet" in str(gave_up.value)
    assert isinstance(gave_up.value.__cause__, TimeoutError)
    gate.answer()
    writer._file._thread.join(timeout=30)
    assert tagged_steps(logdir, "x") == list(range(100))


def test_a_slow_disk_that_answers_is_waited_for_and_nothing_is_dropped(logdir, monkeypatch):
    gate = install_hanging_sinks(monkeypatch)
    gate.delay = STALL / 6  # every write answers, each well within the stall timeout
    writer = summary.create_file_writer(logdir, max_queue=1)
    writer._file.stall_timeout = STALL
    count = writer._file.queue_bound + 30_000  # back-pressure makes the calls wait
    with writer.as_default():
        for step in range(count):
            summary.scalar("x", step, step=step)
        writer.flush()
    writer.close()
    assert tagged_steps(logdir, "x") == list(range(count))


@pytest.mark.parametrize(("setting", "seconds"), [("2.5", 2.5), ("0", math.inf), ("soon", 60.0)])
def test_the_stall_timeout_comes_from_the_environment(logdir, monkeypatch, setting, seconds):
    monkeypatch.setenv("SUMMARY_STALL_TIMEOUT", setting)
    writer = summary.create_file_writer(logdir)
    assert writer._file.stall_timeout == seconds
    writer.close()
