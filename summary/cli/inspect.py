"""`inspect DIR`: runs, tags, plugins, step ranges, counts and wall times, without TensorBoard."""

from __future__ import annotations

import argparse
import sys
import time

from summary.cli.reading import add_filters, load_logdir
from summary.reader import LogdirData, RunData


def add_parser(subcommands: argparse._SubParsersAction) -> None:
    parser = subcommands.add_parser(
        "inspect",
        help="list the runs, tags, plugins, steps and counts of a logdir",
        description="Print every run of DIR (a path or fsspec URL) with its tags: plugin, "
        "number of values, step range, and the wall-time span of the run.",
    )
    parser.add_argument("logdir", metavar="DIR", help="logdir, run directory or event file")
    add_filters(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    data = load_logdir(args, values=False)
    if not data:
        print(f"summary inspect: no event files under {args.logdir}", file=sys.stderr)
        return 1
    print(describe(data))
    return 0


def describe(data: LogdirData) -> str:
    """The text `inspect` prints."""
    files = sum(len(run.files) for run in data.values())
    events = sum(run.records for run in data.values())
    lines = [
        f"logdir {data.logdir}: {_count(len(data), 'run')}, {_count(files, 'file')}, "
        f"{_count(events, 'event')}"
    ]
    for run in data.values():
        lines.append("")
        lines.extend(_describe_run(run))
    return "\n".join(lines)


def _describe_run(run: RunData) -> list[str]:
    lines = [f"run {run.name}  ({_count(len(run.files), 'file')}, {_count(run.records, 'event')})"]
    walls = [s.wall_times for s in run.values() if len(s)]
    if walls:
        first = min(float(w.min()) for w in walls)
        last = max(float(w.max()) for w in walls)
        lines.append(f"  wall time  {_time(first)} .. {_time(last)}  ({last - first:.1f} s)")
    rows = [("plugin", "tag", "count", "steps", "first wall time", "last wall time")]
    for tag, series in sorted(run.items(), key=lambda item: (item[1].plugin, item[0])):
        steps = series.steps
        span = f"{steps.min()}..{steps.max()}" if steps.min() != steps.max() else f"{steps[0]}"
        rows.append(
            (
                series.plugin or "(none)",
                tag,
                str(len(series)),
                span,
                _time(float(series.wall_times.min())),
                _time(float(series.wall_times.max())),
            )
        )
    if len(rows) == 1:
        lines.append("  (no values)")
        return lines
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = [
            cell.rjust(w) if i == 2 else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  " + "  ".join(cells).rstrip())
    return lines


def _time(seconds: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(seconds))


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"
