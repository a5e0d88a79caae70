"""`summary.SummaryWriter`: the writer users create; TF 2.x's interface, plus tensorboardX's
`add_*` methods layered on the ops (so it lives above both the writer and the ops)."""

from __future__ import annotations

import os
import socket
import time
from datetime import datetime
from typing import Any

from summary.proto import event_pb2
from summary.summary_writer.methods import TensorBoardXMethods
from summary.writer import context
from summary.writer.errors import op_error, op_type_error
from summary.writer.event_writer import EventWriter


class SummaryWriter(TensorBoardXMethods, EventWriter):
    """Writes summaries for one logdir (a TensorBoard run); `create_file_writer` returns one.

    Use it TF-style (`with writer.as_default(): summary.scalar(...)`) or as torch's and
    tensorboardX's writer: `SummaryWriter("runs/exp1").add_scalar("loss", 0.5, step)`.
    Positional arguments follow torch (`log_dir, comment, purge_step, max_queue, flush_secs,
    filename_suffix`); TF's `flush_millis` and `name` and tensorboardX's `logdir` and
    `write_to_disk` are keyword-only. `write_to_disk=False` (tensorboardX's): every method
    works and nothing is written, not even the run directory.
    """

    def __init__(
        self,
        log_dir: str | os.PathLike[str] | None = None,
        comment: str = "",
        purge_step: int | None = None,
        max_queue: int | None = None,
        flush_secs: float | None = None,
        filename_suffix: str | None = None,
        *,
        logdir: str | os.PathLike[str] | None = None,
        flush_millis: int | None = None,
        name: str | None = None,
        write_to_disk: bool = True,
    ) -> None:
        if not isinstance(comment, str):
            raise op_type_error(
                "SummaryWriter",
                None,
                "the second positional argument is torch's `comment` "
                f"(a str), got {comment!r}; pass TF-style options by keyword "
                "(max_queue=..., flush_millis=...) or use summary.create_file_writer",
            )
        if purge_step is not None:  # checked before the run directory is made
            purge_step = context.as_int64_step("SummaryWriter", None, purge_step)
        log_dir = _one_logdir(log_dir, logdir) or _default_logdir(comment)
        flush_millis = _flush_millis(flush_secs, flush_millis)
        self._options = (max_queue, flush_millis, filename_suffix)
        self._write_to_disk = write_to_disk
        self._run_writers: dict[str, EventWriter] = {}
        self._scalars_for_json: dict[str, list[list[float]]] = {}
        super().__init__(
            log_dir, max_queue, flush_millis, filename_suffix, name, write_to_disk=write_to_disk
        )
        if purge_step is not None:
            self._write_purge(purge_step)

    @property
    def log_dir(self) -> str:
        """The run directory this writer writes to (torch's name for `logdir`)."""
        return self.logdir

    def get_logdir(self) -> str:
        """The run directory this writer writes to (as torch and tensorboardX)."""
        return self.logdir

    def _run_writer(self, logdir: str) -> EventWriter:
        """A writer for a sibling run (`add_scalars`), kept open until this one closes."""
        writer = self._run_writers.get(logdir)
        if writer is None:
            writer = self._run_writers[logdir] = self._new_run(logdir)
        return writer

    def _new_run(self, logdir: str) -> EventWriter:
        """A writer for another run (`add_hparams`, `add_scalars`), discarding as this one."""
        return EventWriter(logdir, *self._options, write_to_disk=self._write_to_disk)

    def _write_purge(self, step: int) -> None:
        """torch's `purge_step`: TensorBoard hides this run's data from `step` on (a restart).

        TensorBoard's Python loader purges at a SessionLog START only if it has seen one before
        in the run, and torch writes just one; we write two, so the purge happens in that loader
        too. RustBoard ignores these events and replaces each tag's later steps as they come.
        """
        wall_time = time.time()
        start = event_pb2.SessionLog(status=event_pb2.SessionLog.START)
        for event in (
            event_pb2.Event(wall_time=wall_time, step=step, file_version="brain.Event:2"),
            event_pb2.Event(wall_time=wall_time, step=step, session_log=start),
            event_pb2.Event(wall_time=wall_time, step=step, session_log=start),
        ):
            payload = event.SerializeToString()
            self.enqueue_event(lambda payload=payload: payload, len(payload))

    def flush(self) -> None:
        """Return once everything logged so far (this run and its `add_scalars` runs) is out."""
        super().flush()
        for writer in list(self._run_writers.values()):
            writer.flush()

    def close(self) -> None:
        """Flush and close this writer and the `add_scalars` runs it opened; idempotent."""
        try:
            for writer in list(self._run_writers.values()):
                writer.close()
        finally:
            super().close()

    def __enter__(self) -> SummaryWriter:
        super().__enter__()
        return self


def create_file_writer(
    logdir: str | os.PathLike[str],
    max_queue: int | None = None,
    flush_millis: int | None = None,
    filename_suffix: str | None = None,
    name: str | None = None,
) -> SummaryWriter:
    """A SummaryWriter for `logdir` (created if missing), as `tf.summary.create_file_writer`."""
    return SummaryWriter(
        logdir,
        max_queue=max_queue,
        flush_millis=flush_millis,
        filename_suffix=filename_suffix,
        name=name,
    )


def _one_logdir(log_dir: Any, logdir: Any) -> Any:
    if log_dir is not None and logdir is not None and os.fspath(log_dir) != os.fspath(logdir):
        raise op_error(
            "SummaryWriter", None, f"got both log_dir={log_dir!r} and logdir={logdir!r}; pass one"
        )
    return log_dir if log_dir is not None else logdir


def _default_logdir(comment: str) -> str:
    """torch's default: runs/<Mon DD_HH-MM-SS>_<hostname><comment>."""
    stamp = datetime.now().strftime("%b%d_%H-%M-%S")
    return os.path.join("runs", f"{stamp}_{socket.gethostname()}{comment}")


def _flush_millis(flush_secs: Any, flush_millis: int | None) -> int | None:
    if flush_secs is None:
        return flush_millis
    if flush_millis is not None:
        raise op_error("SummaryWriter", None, "pass flush_secs or flush_millis, not both")
    if isinstance(flush_secs, bool) or not isinstance(flush_secs, (int, float)) or flush_secs <= 0:
        raise op_error(
            "SummaryWriter", None, f"flush_secs must be a positive number, got {flush_secs!r}"
        )
    return max(1, round(flush_secs * 1000))
