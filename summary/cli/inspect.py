"""`inspect DIR`: runs, tags, plugins, step ranges, counts and wall times, without TensorBoard."""

from __future__ import annotations

import argparse
import sys
import time

from summary.cli.progress import progress_meter
from summary.reader import LogdirData, RunData, load


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


def run(args: argparse.Namespace) -> int:
    update, finish = progress_meter("reading")
    try:
        data = load(
            args.logdir,
            runs=args.run_filter,
            tags=args.tag_filter,
            plugins=args.plugin_filter,
            values=False,
            progress=update,
        )
    except FileNotFoundError as error:
        finish()
        print(f"summary inspect: {error}", file=sys.stderr)
        return 2
    finish()
    if not data:
        print(f"no event files under {args.logdir}", file=sys.stderr)
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
