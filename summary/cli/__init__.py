"""The command line: one module per subcommand, each with `add_parser` and `run`."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from summary.cli import demo, export, inspect

COMMANDS = (demo, inspect, export)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m summary",
        description="Write and read TensorBoard event files without TensorFlow.",
    )
    subcommands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in COMMANDS:
        command.add_parser(subcommands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)
