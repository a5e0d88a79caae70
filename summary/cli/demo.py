"""`demo`: write a small but realistic training run, to look at in TensorBoard."""

from __future__ import annotations

import argparse
import math
import os

import summary


def add_parser(subcommands: argparse._SubParsersAction) -> None:
    parser = subcommands.add_parser(
        "demo",
        help="write a demo run of every data type",
        description="Write a demo training run (train/ and eval/ runs) into LOGDIR.",
    )
    parser.add_argument("--logdir", default="runs/demo", help="where to write (default runs/demo)")
    parser.add_argument("--steps", type=int, default=200, help="training steps (default 200)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    write_demo(args.logdir, args.steps)
    print(f"wrote a demo run to {args.logdir}; view it with: tensorboard --logdir {args.logdir}")
    return 0


def write_demo(logdir: str, steps: int = 200) -> None:
    """A training run whose loss falls and accuracy rises, with a sparser eval run beside it."""
    with summary.create_file_writer(os.path.join(logdir, "train")) as train:
        for step in range(steps):
            progress = step / max(1, steps - 1)
            summary.scalar("loss", 2.5 * math.exp(-4 * progress) + 0.05 * math.sin(step), step)
            summary.scalar("accuracy", 1 - 0.9 * math.exp(-5 * progress), step)
            summary.scalar("learning_rate", 0.1 * 0.5 ** (step // 50), step)
    with summary.create_file_writer(os.path.join(logdir, "eval")) as evaluation:
        for step in range(0, steps, max(1, steps // 10)):
            progress = step / max(1, steps - 1)
            summary.scalar("loss", 2.7 * math.exp(-3.5 * progress) + 0.1, step)
            summary.scalar("accuracy", 1 - 0.95 * math.exp(-4 * progress), step)
    del train, evaluation
