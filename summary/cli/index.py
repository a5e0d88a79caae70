"""`index DIR`: write the index beside every event file that has none, or one of another format
version (docs/index-format.md).

Any writer's files (TensorFlow's, tensorboardX's, torch's, ours from before indexes): only their
complete, intact records are indexed, so running it while a writer still appends is safe; the
part written later is scanned by readers as usual.
"""

from __future__ import annotations

import argparse
import sys

from summary.reader.event_files import iter_event_files
from summary.reader.indexed import build_index, has_index


def add_parser(subcommands: argparse._SubParsersAction) -> None:
    parser = subcommands.add_parser(
        "index",
        help="write an index beside each event file that lacks one (faster reads)",
        description="Write an index beside every event file of DIR (a path or fsspec URL) that "
        "has none (or one of an older format version), so `load` reads scalars without reading "
        "the event files.",
    )
    parser.add_argument("logdir", metavar="DIR", help="logdir, run directory or event file")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    built = present = 0
    for _, path in iter_event_files(args.logdir):
        if has_index(path):
            present += 1
        elif build_index(path):
            built += 1
    print(f"indexed {built} event file(s); {present} had an index already", file=sys.stdout)
    return 0
