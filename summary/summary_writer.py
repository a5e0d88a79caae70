"""`summary.SummaryWriter`: the writer users create; TF 2.x's interface, plus tensorboardX's
`add_*` methods layered on the ops (so it lives above both the writer and the ops)."""

from __future__ import annotations

import os

from summary.writer.event_writer import EventWriter


class SummaryWriter(EventWriter):
    """Writes summaries for one logdir (a TensorBoard run); `create_file_writer` returns one.

    Use it TF-style (`with writer.as_default(): summary.scalar(...)`) or construct it directly,
    `SummaryWriter(logdir)`.
    """


def create_file_writer(
    logdir: str | os.PathLike[str],
    max_queue: int | None = None,
    flush_millis: int | None = None,
    filename_suffix: str | None = None,
    name: str | None = None,
) -> SummaryWriter:
    """A SummaryWriter for `logdir` (created if missing), as `tf.summary.create_file_writer`."""
    return SummaryWriter(logdir, max_queue, flush_millis, filename_suffix, name)
