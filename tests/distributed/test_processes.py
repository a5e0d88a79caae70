"""Several processes (multiprocessing, spawn) logging one run: TensorBoard reads it completely."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys

import pytest

from summary.distributed import is_main_process, process_index
from tests.distributed import workers
from tests.tensorboard_loader import multiplexer, scalar_series

PROCESSES = 3


def run_processes(target, *args_per_process) -> None:
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=target, args=args) for args in args_per_process]
    for process in processes:
        process.start()
    for process in processes:
        process.join(120)
    assert [p.exitcode for p in processes] == [0] * len(processes)


def expected(index: int) -> dict[int, float]:
    return {step: workers.value_of(index, step) for step in range(workers.STEPS)}


def event_files(directory: str) -> list[str]:
    return [name for name in os.listdir(directory) if "tfevents" in name]


@pytest.mark.parametrize("rank_from", ["argument", "env"])
def test_only_the_main_process_writes(logdir, rank_from):
    run_processes(
        workers.log_main_only, *[(logdir, index, rank_from) for index in range(PROCESSES)]
    )
    assert len(event_files(logdir)) == 1
    accumulator = multiplexer(logdir).GetAccumulator(".")
    assert scalar_series(accumulator, "loss") == expected(0)


def test_one_run_per_process(logdir):
    run_processes(workers.log_own_run, *[(logdir, index) for index in range(PROCESSES)])
    mux = multiplexer(logdir)
    assert sorted(mux.Runs()) == [f"process_{index}" for index in range(PROCESSES)]
    for index in range(PROCESSES):
        accumulator = mux.GetAccumulator(f"process_{index}")
        assert scalar_series(accumulator, "loss") == expected(index)


def test_many_processes_in_one_run_directory(logdir):
    """Distinct host.pid.counter names: no file clobbers another; every tag is read whole."""
    run_processes(workers.log_shared_directory, *[(logdir, index) for index in range(PROCESSES)])
    names = event_files(logdir)
    assert len(names) == PROCESSES and len({name.split(".")[5] for name in names}) == PROCESSES
    accumulator = multiplexer(logdir).GetAccumulator(".")
    for index in range(PROCESSES):
        assert scalar_series(accumulator, f"worker_{index}/loss") == expected(index)


@pytest.mark.torch
def test_rank_from_torch_distributed(logdir, tmp_path):
    pytest.importorskip("torch.distributed")
    rendezvous = str(tmp_path / "rendezvous")
    run_processes(
        workers.log_with_torch_distributed, *[(logdir, index, 2, rendezvous) for index in range(2)]
    )
    assert len(event_files(logdir)) == 1
    assert scalar_series(multiplexer(logdir).GetAccumulator("."), "loss") == expected(0)


def test_process_index_sources(monkeypatch):
    for name in ("RANK", "SLURM_PROCID", "OMPI_COMM_WORLD_RANK", "PMI_RANK"):
        monkeypatch.delenv(name, raising=False)
    if "torch.distributed" in sys.modules:
        import torch.distributed

        assert not torch.distributed.is_initialized()
    assert process_index() == 0 and is_main_process()
    monkeypatch.setenv("SLURM_PROCID", "4")
    assert process_index() == 4
    monkeypatch.setenv("RANK", "2")
    assert process_index() == 2 and not is_main_process()
    assert process_index(rank=0) == 0 and is_main_process(rank=0)
    monkeypatch.setenv("RANK", "two")
    with pytest.raises(ValueError, match="RANK='two'"):
        process_index()
    with pytest.raises(ValueError, match="rank must be a non-negative integer"):
        process_index(rank=-1)


def test_frameworks_are_not_imported():
    code = (
        "import sys, summary.distributed as d; print(d.process_index()); "
        "print(any(m in sys.modules for m in ('torch', 'jax', 'tensorflow')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "RANK": "3"},
        timeout=60,
    )
    assert done.stdout.split() == ["3", "False"], done.stderr
