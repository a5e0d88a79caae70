"""Targets for multiprocessing children (kept light: spawned children import only this)."""

from __future__ import annotations

import summary


def log_with_inherited_writer(tag: str, steps: int) -> None:
    """Log through the default writer inherited from the parent (fork); no flush, no close."""
    for step in range(steps):
        summary.scalar(tag, step, step=step)


def log_with_own_writer(logdir: str, tag: str, steps: int) -> None:
    """Create a writer for `logdir` and log; no flush, no close: exit must drain it."""
    writer = summary.create_file_writer(logdir)
    with writer.as_default():
        for step in range(steps):
            summary.scalar(tag, step, step=step)
