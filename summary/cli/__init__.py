"""The command line: one module per subcommand, each with `add_parser` and `run`.

`main` is the one place errors are turned into what a shell user expects: an expected failure is
one line on stderr, `summary <command>: <message>`, and a non-zero status (2 when a path it was
given does not exist, 1 otherwise); warnings are one line each; a reader that closes the pipe
early (`| head`) ends the command quietly. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import Any

from summary.cli import demo, export, index, inspect
from summary.writer.errors import WriterError

COMMANDS = (demo, inspect, export, index)
EXPECTED_ERRORS = (OSError, ValueError, ImportError, WriterError)
NOT_FOUND_STATUS = 2  # a path given on the command line does not exist
FAILED_STATUS = 1  # any other error, and a closed stdout (Python's convention for EPIPE)


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
    """Run one command and return its exit status (argparse exits 2 itself on bad arguments)."""
    args = build_parser().parse_args(argv)
    prefix = f"summary {args.command}:"
    with warnings.catch_warnings():
        warnings.showwarning = _one_line_warnings(prefix)
        try:
            status = args.run(args)
            sys.stdout.flush()  # a closed pipe raises here, not in the interpreter's last flush
        except BrokenPipeError:
            _discard_stdout()
            return FAILED_STATUS
        except EXPECTED_ERRORS as error:
            print(f"{prefix} {describe_error(error)}", file=sys.stderr)
            return NOT_FOUND_STATUS if isinstance(error, FileNotFoundError) else FAILED_STATUS
    return status


def describe_error(error: BaseException) -> str:
    """One line naming what went wrong: `path: reason` for an OS error about a path."""
    if isinstance(error, OSError) and error.strerror and error.filename is not None:
        paths = [error.filename] if error.filename2 is None else [error.filename, error.filename2]
        return f"{' -> '.join(map(os.fsdecode, paths))}: {error.strerror}"
    return " ".join(str(error).split()) or type(error).__name__


def _one_line_warnings(prefix: str) -> Callable[..., None]:
    """A `warnings.showwarning` that prints `<prefix> warning: <message>` (no source line)."""

    def show(message: Warning | str, *_: Any, **__: Any) -> None:
        print(f"{prefix} warning: {' '.join(str(message).split())}", file=sys.stderr)

    return show


def _discard_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's final flush has nowhere to fail."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
