"""`export DIR --format csv|jsonl|parquet`: every value as one row (run, tag, plugin, step,
wall_time, value), for notebooks, spreadsheets and query engines. Non-scalar values are JSON
(blobs as base64). Parquet goes to a directory, one hive-style partition `run=<name>` per run,
the name percent-encoded (so '/', '=', spaces and any Unicode survive; DuckDB, pyarrow and Spark
decode it)."""

from __future__ import annotations

import argparse
import csv
import errno
import json
import os
import sys
import urllib.parse
from collections.abc import Iterator
from typing import Any, TextIO

from summary.cli.reading import add_filters, load_logdir
from summary.reader import LogdirData
from summary.reader.arrow import pyarrow
from summary.reader.plain import json_value

COLUMNS = ("run", "tag", "plugin", "step", "wall_time", "value")


def add_parser(subcommands: argparse._SubParsersAction) -> None:
    parser = subcommands.add_parser(
        "export",
        help="write every value as CSV, JSON lines or Parquet",
        description="Write the values of DIR (a path or fsspec URL) as rows of run, tag, plugin, "
        "step, wall_time, value. Scalars are numbers; other values are JSON (histograms as "
        "[left, right, count] rows, text as strings, PR curves as named lists, images and audio "
        "as base64 of their encoded bytes). Parquet (needs pyarrow) is written to the directory -o "
        "names, partitioned by run (run=<percent-encoded name>/part-0.parquet).",
    )
    parser.add_argument("logdir", metavar="DIR", help="logdir, run directory or event file")
    parser.add_argument(
        "--format",
        choices=("csv", "jsonl", "parquet"),
        default="csv",
        help="output format (default csv)",
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write here instead of stdout (for parquet: a new or empty directory, required)",
    )
    add_filters(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.format == "parquet":
        if not args.output:
            raise ValueError("--format parquet writes a directory: name it with -o DIR")
        pyarrow()  # no pyarrow: say so before reading anything
        write_parquet(load_logdir(args), args.output)
        return 0
    data = load_logdir(args)
    if args.output:
        with open(args.output, "w", newline="", encoding="utf-8") as out:
            write(data, args.format, out)
    else:
        write(data, args.format, sys.stdout)
    return 0


def write(data: LogdirData, format: str, out: TextIO) -> None:
    """Write every row of `data` to `out` as CSV (with a header) or JSON lines.

    CSV is RFC 4180's: rows end in CRLF. The csv module quotes a field holding CR or LF only when
    that character is part of the line end it writes, so this is also what makes it quote every
    field that needs it (a comma, a quote, CR or LF: readers split a row at a bare CR).
    """
    if format == "csv":
        writer = csv.writer(out, dialect="excel")
        writer.writerow(COLUMNS)
        for row in rows(data):
            value = row[-1]
            cell = value if isinstance(value, float) else json.dumps(value)
            writer.writerow((*row[:-1], cell))
    else:
        for row in rows(data):
            out.write(json.dumps(dict(zip(COLUMNS, row, strict=True))) + "\n")


def rows(data: LogdirData) -> Iterator[tuple[str, str, str, int, float, Any]]:
    """(run, tag, plugin, step, wall_time, JSON-ready value) for every value, run by run."""
    for series in data.series():
        for index, (step, wall_time) in enumerate(
            zip(series.steps, series.wall_times, strict=True)
        ):
            value = json_value(series, index)
            yield series.run, series.tag, series.plugin, int(step), float(wall_time), value


def write_parquet(data: LogdirData, directory: str) -> None:
    """One Parquet file per run, `directory/run=<percent-encoded run>/part-0.parquet`, holding
    the columns of `to_arrow()` but run (the partition key). `directory` must be new or empty,
    so no stale run is mixed into a query."""
    from pyarrow import parquet

    if os.path.isdir(directory) and os.listdir(directory):
        raise FileExistsError(errno.EEXIST, "directory is not empty", directory)
    os.makedirs(directory, exist_ok=True)
    for name, run in data.items():
        partition = os.path.join(directory, f"run={urllib.parse.quote(name, safe='')}")
        os.makedirs(partition)
        parquet.write_table(run.to_arrow().drop_columns(["run"]), f"{partition}/part-0.parquet")
