"""Fault injection for the reliability suite: real sink objects put in through the registry's
`open_sink` factory (the writer's own seam), child processes, and reading back what survived."""

from __future__ import annotations

import errno
import os
import re
import subprocess
import sys
import textwrap
import threading
import time
from typing import Any

import summary
from summary.reader import iter_events
from summary.writer import registry
from summary.writer.sinks import LocalSink

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class Switch:
    """What the faulty sinks of one test do: fail with `error`, or accept at most `room` more
    bytes (then fail). Counts write attempts; `failed` is set at each refused write."""

    def __init__(self) -> None:
        self.error: OSError | None = None
        self.room: int | None = None
        self.attempts = 0
        self.failed = threading.Event()

    def fail_with(self, code: int = errno.ENOSPC) -> None:
        self.error = OSError(code, os.strerror(code))

    def heal(self) -> None:
        self.error = None
        self.room = None


class FaultySink(LocalSink):
    """A real event file whose writes fail (or are cut short) when its Switch says so."""

    def __init__(self, logdir: str, suffix: str, switch: Switch) -> None:
        super().__init__(logdir, suffix)
        self.switch = switch

    def write(self, data: memoryview) -> int:
        switch = self.switch
        switch.attempts += 1
        if switch.error is not None:
            switch.failed.set()
            raise switch.error
        if switch.room is not None:
            if switch.room == 0:
                switch.failed.set()
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            data = data[: switch.room]
            switch.room -= len(data)
        return super().write(data)


class Gate:
    """A file system that can stop answering: while `hang()` holds, every write blocks (no error,
    no return) until `answer()`; `blocked` is set once a write is waiting. Each write also takes
    `delay` seconds (a slow disk that still answers)."""

    def __init__(self) -> None:
        self._open = threading.Event()
        self._open.set()
        self.blocked = threading.Event()
        self.delay = 0.0

    def hang(self) -> None:
        self._open.clear()

    def answer(self) -> None:
        self._open.set()

    def pass_through(self) -> None:
        if not self._open.is_set():
            self.blocked.set()
            self._open.wait()
        if self.delay:
            time.sleep(self.delay)


class HangingSink(LocalSink):
    """A real event file whose writes wait at its Gate."""

    def __init__(self, logdir: str, suffix: str, gate: Gate) -> None:
        super().__init__(logdir, suffix)
        self.gate = gate

    def write(self, data: memoryview) -> int:
        self.gate.pass_through()
        return super().write(data)


def install_hanging_sinks(monkeypatch: Any) -> Gate:
    """Make every writer opened from now on (in this test) write through a HangingSink."""
    gate = Gate()
    monkeypatch.setattr(
        registry, "open_sink", lambda logdir, suffix: HangingSink(logdir, suffix, gate)
    )
    return gate


def log_through_a_full_queue(writer: Any, steps: range) -> list[Exception]:
    """Log "x" at `steps` under the default writer, keeping the WriterErrors raised; checks that
    the queue never passes its bound."""
    errors = []
    for step in steps:
        try:
            summary.scalar("x", step, step=step)
        except summary.WriterError as error:
            errors.append(error)
        assert len(writer._file._queue) <= writer._file.queue_bound
    return errors


def dropped_counts(errors: list[Exception]) -> int:
    """Events the errors say were dropped, added up."""
    return sum(int(n) for e in errors for n in re.findall(r"(\d+) events were dropped", str(e)))


def lost_counts(errors: list[Exception | str]) -> int:
    """Events the errors (or a stderr) say were lost (at close, at exit, with a deleted file)."""
    return sum(int(n) for e in errors for n in re.findall(r"(\d+) events were lost", str(e)))


def install_faulty_sinks(monkeypatch: Any) -> Switch:
    """Make every writer opened from now on (in this test) write through a FaultySink."""
    switch = Switch()
    monkeypatch.setattr(
        registry, "open_sink", lambda logdir, suffix: FaultySink(logdir, suffix, switch)
    )
    return switch


def event_files(directory: str) -> list[str]:
    return sorted(
        os.path.join(directory, name) for name in os.listdir(directory) if "tfevents" in name
    )


def tagged_steps(path: str, tag: str) -> list[int]:
    """Steps of `tag` in one file or logdir, read by our reader with corruption raising."""
    return [
        event.step
        for event in iter_events(path, on_corruption="raise")
        for value in event.summary.value
        if value.tag == tag
    ]


def child(
    code: str, argv: list[str] = (), env: dict[str, str] | None = None, **kwargs: Any
) -> subprocess.Popen:
    """Start `python -c code argv...` (code dedented) with the repository importable."""
    environ = {**os.environ, "PYTHONPATH": REPO, **(env or {})}
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *argv], env=environ, cwd=REPO, **kwargs
    )


def run_child(code: str, timeout: float = 60, **kwargs: Any) -> subprocess.CompletedProcess:
    """Run `python -c code` to the end; fail the test if it does not end within `timeout`."""
    process = child(code, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        raise AssertionError(f"child did not finish in {timeout} s\n{out}\n{err}") from None
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)
