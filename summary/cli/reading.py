"""What `inspect` and `export` share: the --run/--tag/--plugin filters, and loading DIR with a
progress line."""

from __future__ import annotations

import argparse
import warnings

from summary.cli.progress import progress_meter
from summary.reader import IndexWarning, LogdirData, load


def add_filters(parser: argparse.ArgumentParser) -> None:
    """--run/--tag/--plugin, each repeatable and accepting glob patterns."""
    for name, what in (("run", "run"), ("tag", "tag"), ("plugin", "plugin (e.g. scalars)")):
        parser.add_argument(
            f"--{name}",
            action="append",
            dest=f"{name}_filter",
            metavar=name.upper(),
            help=f"only this {what}; repeatable; glob patterns like 'train/*' work",
        )


def load_logdir(args: argparse.Namespace, values: bool = True) -> LogdirData:
    """`args.logdir` loaded through the filters (FileNotFoundError when it does not exist).
    Files without a usable index are scanned quietly: the values are the same, and stderr is
    kept for what is wrong with the data (`python -m summary index` is the way to speed up)."""
    update, finish = progress_meter("reading")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", IndexWarning)
            return load(
                args.logdir,
                runs=args.run_filter,
                tags=args.tag_filter,
                plugins=args.plugin_filter,
                values=values,
                progress=update,
            )
    finally:
        finish()
