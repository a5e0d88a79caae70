"""Entry points of the processes the distributed tests start (kept light: spawn imports this)."""

from __future__ import annotations

import os

STEPS = 50


def value_of(index: int, step: int) -> float:
    return index * 100.0 + step


def log_main_only(logdir: str, index: int, rank_from: str) -> None:
    """Every process asks for a writer; only the main one gets a real one."""
    import summary
    from summary.distributed import writer_for_process

    if rank_from == "env":
        os.environ["RANK"] = str(index)
        writer = writer_for_process(logdir)
    else:
        writer = writer_for_process(logdir, rank=index)
    with writer.as_default():
        for step in range(STEPS):
            summary.scalar("loss", value_of(index, step), step=step)
    writer.close()


def log_own_run(logdir: str, index: int) -> None:
    """Every process writes its own run, logdir/process_<index>."""
    import summary
    from summary.distributed import writer_for_process

    with writer_for_process(logdir, rank=index, main_only=False):
        for step in range(STEPS):
            summary.scalar("loss", value_of(index, step), step=step)


def log_shared_directory(logdir: str, index: int) -> None:
    """Every process writes into the same run directory, under tags of its own."""
    import summary

    with summary.create_file_writer(logdir):
        for step in range(STEPS):
            summary.scalar(f"worker_{index}/loss", value_of(index, step), step=step)


def log_with_torch_distributed(logdir: str, index: int, world: int, rendezvous: str) -> None:
    """A gloo process group (rendezvous through a file): the rank comes from torch itself."""
    os.environ["GLOO_SOCKET_IFNAME"] = "lo"  # ranks talk over loopback only
    import torch.distributed as dist

    import summary
    from summary.distributed import process_index, writer_for_process

    dist.init_process_group(
        "gloo", init_method=f"file://{rendezvous}", rank=index, world_size=world
    )
    try:
        assert process_index() == index
        with writer_for_process(logdir).as_default() as writer:
            for step in range(STEPS):
                summary.scalar("loss", value_of(index, step), step=step)
        writer.close()
        dist.barrier()
    finally:
        dist.destroy_process_group()
