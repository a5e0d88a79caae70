"""Medians over rounds, the per-workload tables, and the check of issue 9's targets."""

from __future__ import annotations

import statistics
from typing import Any

from workloads import Metric, Workload

SUBJECT_PREFIX = "summary"
# Peak RSS growth allowed while scalars queue up behind a slow disk, at the default max_queue
# (docs/performance.md derives it: 4 x max_queue entries of <= 200 bytes each, plus one chunk).
SLOW_DISK_BOUND_MIB = 96


def is_subject(row: str) -> bool:
    return row.startswith(SUBJECT_PREFIX)


def medians(runs: list[dict[str, Any]], metrics: tuple[Metric, ...]) -> dict[str, Any]:
    """Median of each metric over the rounds that produced it; notes for skipped/failed rounds."""
    out: dict[str, Any] = {}
    measured = [r for r in runs if "skipped" not in r and "error" not in r]
    for metric in metrics:
        values = [r[metric.key] for r in measured if metric.key in r]
        if values:
            out[metric.key] = statistics.median(values)
    out["rounds"] = len(measured)
    problems = sorted({p for r in runs for p in r.get("problems", [])})
    notes = sorted({r.get("skipped") or r.get("error") or "" for r in runs} - {""})
    notes += sorted({r["note"] for r in measured if r.get("note")})
    out["data"] = "LOST: " + "; ".join(problems) if problems else ("ok" if measured else "-")
    out["notes"] = notes
    return out


def advantage(value: float, best: float, metric: Metric) -> float | None:
    """How many times better than `best` (the fastest peer): > 1 beats every peer."""
    if not value or not best:
        return None
    return best / value if metric.better == "lower" else value / best


def best_peer(table: dict[str, dict[str, Any]], metric: Metric) -> float | None:
    values = [row[metric.key] for name, row in table.items() if not is_subject(name)]
    values = [v for v in values if v is not None]
    if not values or metric.better is None:
        return None
    return min(values) if metric.better == "lower" else max(values)


def render(workload: Workload, sizes: dict[str, Any], table: dict[str, dict[str, Any]]) -> str:
    """One table: a row per library, each metric with its ratio to the fastest peer."""
    first = "reader" if workload.task == "read" else "library"
    cells = [[first, *[m.label for m in workload.metrics], "rounds", "data"]]
    for name, row in table.items():
        line = [name]
        for metric in workload.metrics:
            value = row.get(metric.key)
            if value is None:
                line.append("-")
                continue
            text = f"{value:,.{metric.digits}f}"
            ratio = advantage(value, best_peer(table, metric) or 0, metric)
            line.append(text + (f"  x{ratio:.2f}" if ratio is not None else ""))
        line += [str(row["rounds"]), row["data"]]
        cells.append(line)
    widths = [max(len(line[i]) for line in cells) for i in range(len(cells[0]))]
    lines = [workload.title.format(**sizes)]
    for line in cells:
        lines.append(
            "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        )
    for name, row in table.items():
        lines += [f"  note, {name}: {note}" for note in row["notes"]]
    return "\n".join(lines)


LEGEND = (
    "xN after a figure: N times better than the fastest peer on that column "
    "(N > 1: ahead of every peer). Medians over rounds."
)


def _ratio(
    tables: dict,
    workload: str,
    metric: str,
    against: str | None = None,
    subject: str = SUBJECT_PREFIX,
) -> float | None:
    table = tables.get(workload, {})
    ours = table.get(subject, {}).get(metric)
    if workload == "read":
        ours = table.get("summary.reader.load", {}).get(metric)
    if against is not None:
        theirs = table.get(against, {}).get(metric)
    else:
        peers = [row.get(metric) for name, row in table.items() if not is_subject(name)]
        peers = [p for p in peers if p]
        theirs = (max(peers) if metric == "events_per_s" else min(peers)) if peers else None
    if not ours or not theirs:
        return None
    return ours / theirs if metric == "events_per_s" else theirs / ours


def targets(tables: dict[str, dict[str, dict[str, Any]]]) -> list[tuple[str, str, bool | None]]:
    """(target, measured, met?) for each figure of issue 9's "Done when"; None: not measured."""

    def at_least(label: str, ratio: float | None, want: float) -> tuple[str, str, bool | None]:
        if ratio is None:
            return label, "not measured", None
        return label, f"{ratio:.2f}x", ratio >= want

    ours = tables.get("scalars", {}).get(SUBJECT_PREFIX, {})
    out = [
        at_least(
            "scalar caller >= 15x below fastest peer", _ratio(tables, "scalars", "caller_us"), 15
        ),
    ]
    caller = ours.get("caller_us")
    out.append(
        (
            "scalar caller <= 1.5 us",
            f"{caller:.2f} us" if caller else "not measured",
            None if caller is None else caller <= 1.5,
        )
    )
    out.append(
        at_least("scalar total >= 8x below fastest peer", _ratio(tables, "scalars", "total_us"), 8)
    )
    size = ours.get("bytes")
    out.append(
        (
            "bytes per scalar event <= 60",
            f"{size:.1f}" if size else "not measured",
            None if size is None else size <= 60,
        )
    )
    for workload, how in (("histogram_10m", "back to back"), ("histogram_10m_steps", "per step")):
        for metric, want in (("caller_ms", 8), ("total_ms", 1.5)):
            ratio = _ratio(tables, workload, metric, "tensorboardX")
            out.append(
                at_least(
                    f"histogram 10M {how} {metric[:-3]} >= {want}x below tensorboardX", ratio, want
                )
            )
    for kind in ("noise", "gradient"):
        out.append(
            at_least(
                f"images ({kind}) caller >= 10x below fastest peer",
                _ratio(tables, f"images_{kind}", "caller_ms"),
                10,
            )
        )
        out.append(
            at_least(
                f"images ({kind}) total no slower than fastest peer",
                _ratio(tables, f"images_{kind}", "total_ms"),
                1,
            )
        )
    for metric, label, want in (("caller_ms", ">= 5x below", 5), ("total_ms", "no slower than", 1)):
        ratio = _ratio(tables, "video", metric, "torch.utils.tensorboard", "summary (add_*)")
        out.append(at_least(f"add_video {metric[:-3]} {label} torch", ratio, want))
    out.append(
        at_least(
            "reader >= 3x EventAccumulator events/s",
            _ratio(tables, "read", "events_per_s", "EventAccumulator"),
            3,
        )
    )
    out.append(
        at_least(
            "import summary <= 1/2 of tensorboardX",
            _ratio(tables, "import", "import_ms", "tensorboardX"),
            2,
        )
    )
    for values in ("float", "numpy", "jax", "jax_steps"):
        caller = tables.get(f"write_scalars_{values}", {}).get(SUBJECT_PREFIX, {}).get("caller_us")
        out.append(
            (
                f"clu write_scalars, 10 {values.replace('_', ' per ')} scalars: caller <= 10 us",
                f"{caller:.2f} us" if caller else "not measured",
                None if caller is None else caller <= 10,
            )
        )
    growth = tables.get("slow_disk", {}).get(SUBJECT_PREFIX, {}).get("rss_growth_mb")
    out.append(
        (
            f"peak RSS growth under a 100x slower disk <= {SLOW_DISK_BOUND_MIB} MiB",
            f"{growth:.1f} MiB" if growth is not None else "not measured",
            None if growth is None else growth <= SLOW_DISK_BOUND_MIB,
        )
    )
    return out


def render_targets(rows: list[tuple[str, str, bool | None]]) -> str:
    width = max(len(label) for label, _, _ in rows)
    mark = {True: "met", False: "NOT MET", None: "-"}
    lines = ["Issue 9 targets (ratios from this run)"]
    lines += [f"  {label.ljust(width)}  {measured:>12}  {mark[ok]}" for label, measured, ok in rows]
    return "\n".join(lines)
