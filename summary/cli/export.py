"""`export DIR --format csv|jsonl`: every value as one row (run, tag, plugin, step, wall_time,
value), for notebooks and spreadsheets. Non-scalar values are JSON (blobs as base64)."""

from __future__ import annotations

import argparse
import base64
import csv
import json
import sys
from collections.abc import Iterator
from typing import Any, TextIO

import numpy as np

from summary.cli.reading import add_filters, load_logdir
from summary.reader import LogdirData, Series

COLUMNS = ("run", "tag", "plugin", "step", "wall_time", "value")


def add_parser(subcommands: argparse._SubParsersAction) -> None:
    parser = subcommands.add_parser(
        "export",
        help="write every value as CSV or JSON lines",
        description="Write the values of DIR (a path or fsspec URL) as rows of run, tag, plugin, "
        "step, wall_time, value. Scalars are numbers; other values are JSON (histograms as "
        "[left, right, count] rows, text as strings, PR curves as named lists, images and audio "
        "as base64 of their encoded bytes).",
    )
    parser.add_argument("logdir", metavar="DIR", help="logdir, run directory or event file")
    parser.add_argument(
        "--format", choices=("csv", "jsonl"), default="csv", help="output format (default csv)"
    )
    parser.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    add_filters(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
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
            value = _value(series, index)
            yield series.run, series.tag, series.plugin, int(step), float(wall_time), value


def _value(series: Series, index: int) -> Any:
    if series.plugin == "scalars":
        return float(_loaded(series.values)[index])
    raw = _loaded(series.raw)[index]
    if raw is not None and series.plugin == "images":
        return {
            "width": int(raw[0]),
            "height": int(raw[1]),
            "images_base64": [_base64(blob) for blob in raw[2:]],
        }
    if raw is not None and series.plugin == "audio":
        return {"audio_base64": [_base64(blob) for blob in np.asarray(raw)[:, 0]]}
    return _plain(_loaded(series.values)[index])


def _loaded(values: np.ndarray | list[Any] | None) -> np.ndarray | list[Any]:
    """`Series.values` or `.raw`, which export always loads (they are None only without)."""
    assert values is not None
    return values


def _plain(value: Any) -> Any:
    """NumPy and bytes made JSON-ready: arrays as nested lists, bytes as UTF-8 or base64."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, np.ndarray):
        return _plain(value.tolist()) if value.dtype == object else value.tolist()
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return {"base64": _base64(value)}
    if isinstance(value, np.generic):
        return value.item()
    return value


def _base64(blob: bytes) -> str:
    return base64.b64encode(bytes(blob)).decode("ascii")
