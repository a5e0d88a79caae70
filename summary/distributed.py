"""Logging from many processes (distributed training) without losing data in TensorBoard.

TensorBoard reads one run directory as one stream of files and keeps only one active file per
run (FORMAT.md §3, §5), so the safe patterns are: log from the main process only (the default
here), or give each process its own run directory. Every event file name carries host, pid and a
counter, so files of different processes never collide either way.

The process index comes from, in order: the `rank` argument; `torch.distributed` when it is
already imported and initialized; `jax.process_index()` when jax is already imported and runs
more than one process; the RANK, SLURM_PROCID, OMPI_COMM_WORLD_RANK or PMI_RANK environment
variables; else 0. Nothing is imported that the program did not import itself.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from summary.summary_writer import SummaryWriter, create_file_writer
from summary.writer import NoopWriter, create_noop_writer
from summary.writer.errors import op_error

RANK_VARIABLES = ("RANK", "SLURM_PROCID", "OMPI_COMM_WORLD_RANK", "PMI_RANK")


def process_index(rank: int | None = None) -> int:
    """This process's index among the training processes (0 for the main one)."""
    if rank is not None:
        return _check_rank(rank, "rank")
    torch_rank = _torch_rank()
    if torch_rank is not None:
        return torch_rank
    jax_index = _jax_index()
    if jax_index is not None:
        return jax_index
    for name in RANK_VARIABLES:
        value = os.environ.get(name)
        if value not in (None, ""):
            try:
                return _check_rank(int(value), name)
            except ValueError:
                raise op_error(
                    "distributed",
                    None,
                    f"environment variable {name}={value!r} is not a non-negative integer",
                ) from None
    return 0


def is_main_process(rank: int | None = None) -> bool:
    """True in the process that should log (index 0)."""
    return process_index(rank) == 0


def writer_for_process(
    logdir: str | os.PathLike[str],
    rank: int | None = None,
    main_only: bool = True,
    **writer_args: Any,
) -> SummaryWriter | NoopWriter:
    """A writer for this process of a distributed job.

    `main_only=True`: the main process gets a writer for `logdir`, every other process a
    NoopWriter (same interface, ops return False). `main_only=False`: every process writes its
    own run, `logdir/process_<index>`, so TensorBoard shows one run per process.
    `writer_args` go to `create_file_writer` (max_queue, flush_millis, filename_suffix, name).
    """
    index = process_index(rank)
    if main_only:
        return create_file_writer(logdir, **writer_args) if index == 0 else create_noop_writer()
    return create_file_writer(_join(os.fspath(logdir), f"process_{index}"), **writer_args)


def _torch_rank() -> int | None:
    torch_distributed = sys.modules.get("torch.distributed")
    if torch_distributed is None:
        return None
    try:
        if torch_distributed.is_available() and torch_distributed.is_initialized():
            return int(torch_distributed.get_rank())
    except (AttributeError, RuntimeError):
        return None
    return None


def _jax_index() -> int | None:
    jax = sys.modules.get("jax")
    if jax is None:
        return None
    try:
        if jax.process_count() > 1:
            return int(jax.process_index())
    except (AttributeError, RuntimeError):
        return None
    return None


def _check_rank(rank: Any, source: str) -> int:
    if isinstance(rank, bool) or not isinstance(rank, int) or rank < 0:
        raise op_error(
            "distributed", None, f"{source} must be a non-negative integer, got {rank!r}"
        )
    return rank


def _join(logdir: str, name: str) -> str:
    return f"{logdir.rstrip('/')}/{name}" if "://" in logdir else os.path.join(logdir, name)
