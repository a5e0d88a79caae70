"""The workloads of the benchmark: what each measures, its sizes, its columns and its check."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import readback
from libraries import PR_THRESHOLDS


@dataclass(frozen=True)
class Metric:
    """One column: `better` is "lower" or "higher"; None marks an informational column."""

    key: str
    label: str
    better: str | None = "lower"
    digits: int = 2


@dataclass(frozen=True)
class Workload:
    name: str
    title: str
    task: str  # a writing.WORKERS key, or "read", "import", "slow_disk", "scalar_dicts"
    metrics: tuple[Metric, ...]
    params: dict[str, Any]
    quick: dict[str, Any] = field(default_factory=dict)
    check: Callable[[str, dict[str, Any], dict[str, Any]], list[str]] | None = None

    def sizes(self, quick: bool) -> dict[str, Any]:
        return {**self.params, **(self.quick if quick else {})}


def _caller_total(unit: str, per: str = "call") -> tuple[Metric, Metric]:
    return (
        Metric(f"caller_{unit}", f"caller {unit}/call".replace("us", "µs")),
        Metric(f"total_{unit}", f"total {unit}/{per}".replace("us", "µs")),
    )


def _read_all(logdir: str, sizes: dict[str, Any], result: dict[str, Any]) -> list[str]:
    if result["values"] == sizes["count"]:
        return []
    return [f"read {result['values']} of {sizes['count']} scalar values"]


_BYTES = Metric("bytes", "bytes/event", digits=1)
_KIB = Metric("kib", "KiB/call", digits=1)

WORKLOADS = {
    w.name: w
    for w in (
        Workload(
            "scalars",
            "(a) {count:,} scalars over {tags} tags",
            "scalars",
            (*_caller_total("us", "event"), _BYTES),
            {"count": 100_000, "tags": 10},
            {"count": 20_000},
            lambda logdir, p, r: readback.check_scalars(logdir, p["count"], p["tags"]),
        ),
        *(
            Workload(
                f"histogram_{label}",
                "(b) histogram of {size:,} float32 values, {calls} calls back to back "
                "(a step logging {calls} layers of one shape), after two such steps",
                "histograms",
                _caller_total("ms"),
                {"size": size, "calls": calls},
                {"calls": max(1, calls // 3)},
                lambda logdir, p, r: readback.check_histograms(logdir, p["size"], p["calls"]),
            )
            for label, size, calls in (("1m", 1_000_000, 10), ("10m", 10_000_000, 4))
        ),
        Workload(
            "histogram_10m_steps",
            "(b) histogram of {size:,} float32 values once per {step_ms} ms training step, "
            "{calls} steps",
            "histograms",
            _caller_total("ms"),
            {"size": 10_000_000, "calls": 6, "step_ms": 50},
            {"calls": 3},
            lambda logdir, p, r: readback.check_histograms(logdir, p["size"], p["calls"]),
        ),
        *(
            Workload(
                f"images_{kind}",
                "(c) image batch 8x256x256x3 uint8, {kind}, {calls} calls",
                "images",
                (*_caller_total("ms"), _KIB),
                {"kind": kind, "calls": 10},
                {"calls": 3},
                lambda logdir, p, r: readback.check_images(logdir, p["calls"]),
            )
            for kind in ("noise", "gradient")
        ),
        Workload(
            "text",
            "(d) text, {calls:,} calls of a 70-character string",
            "text",
            (*_caller_total("us"), Metric("bytes", "bytes/call", digits=1)),
            {"calls": 10_000},
            {"calls": 2_000},
            lambda logdir, p, r: readback.check_text(logdir, p["calls"]),
        ),
        Workload(
            "pr_curve",
            "(e) pr_curve of {size:,} predictions, {thresholds} thresholds, {calls} calls",
            "pr_curve",
            _caller_total("ms"),
            {"size": 100_000, "calls": 10, "thresholds": PR_THRESHOLDS},
            {"calls": 3},
            lambda logdir, p, r: readback.check_pr_curves(
                logdir, p["size"], p["calls"], p["thresholds"]
            ),
        ),
        Workload(
            "embedding",
            "(i) add_embedding of {rows:,} x {dim} float32 rows (tensors.tsv), {calls} calls",
            "embedding",
            _caller_total("ms"),
            {"rows": 10_000, "dim": 128, "calls": 3},
            {"calls": 1},
            lambda logdir, p, r: readback.check_embeddings(logdir, p["rows"], p["dim"], p["calls"]),
        ),
        Workload(
            "video",
            "(j) add_video of a 16-frame 64x64 RGB uint8 clip (animated GIF), {calls} calls",
            "video",
            _caller_total("ms"),
            {"calls": 10},
            {"calls": 3},
            lambda logdir, p, r: readback.check_video(logdir, p["calls"]),
        ),
        *(
            Workload(
                name,
                title,
                "read",
                (Metric("events_per_s", "events/s", "higher", 0), Metric("seconds", "s", None)),
                {"count": count, "mixed": mixed},
                {"count": count // 10},
                _read_all,
            )
            for name, title, count, mixed in (
                (
                    "read",
                    "(f) reading a file of {count:,} scalars (CRCs checked)",
                    1_000_000,
                    False,
                ),
                (
                    "read_mixed",
                    "(f) reading {count:,} scalars among 40 512x512 noise images (CRCs checked)",
                    100_000,
                    True,
                ),
            )
        ),
        Workload(
            "read_scan",
            "(f) loading one file of {count:,} scalars ({tags} tags), CRCs checked; "
            "peak memory of each reader's process",
            "read",
            (
                Metric("events_per_s", "events/s", "higher", 0),
                Metric("seconds", "s", None),
                Metric("values", "points read", None, 0),
                Metric("peak_mb", "peak MiB", "lower", 0),
                Metric("bytes_per_point", "peak B/point", "lower", 1),
            ),
            {"count": 10_000_000, "tags": 10, "scan": True},
            {"count": 1_000_000},
            _read_all,
        ),
        Workload(
            "import",
            "(g) cold start: import in a fresh interpreter",
            "import",
            (
                Metric("import_ms", "import ms", digits=1),
                Metric("process_ms", "process ms over bare python", digits=1),
                Metric("modules", "modules", None, 0),
            ),
            {},
        ),
        *(
            Workload(
                f"write_scalars_{name}",
                "(i) ten {values} scalars per step" + spacing + ": clu's write_scalars on our "
                "writer (summary), ten add_scalar calls (peers), clu's TF writer (tf.summary); "
                "{calls:,} steps",
                "scalar_dicts",
                _caller_total("us", "step"),
                {"calls": 5_000, "values": values, "step_ms": step_ms},
                {"calls": 1_000},
                lambda logdir, p, r: readback.check_scalars(logdir, p["calls"] * 10, 10),
            )
            for name, values, step_ms, spacing in (
                ("float", "float", 0, ", back to back"),
                ("jax", "jax", 0, ", back to back"),
                ("numpy", "numpy", 0, ", back to back"),
                ("jax_steps", "jax", 1, " once per {step_ms} ms training step"),
            )
        ),
        Workload(
            "slow_disk",
            "(h) peak RSS growth, producer logging scalars for {seconds} s onto a disk "
            "{slowdown}x slower than it",
            "slow_disk",
            (
                Metric("rss_growth_mb", "RSS growth MiB", None, 1),
                Metric("events", "events logged", None, 0),
                Metric("disk_kb_s", "disk KiB/s", None, 1),
            ),
            {"seconds": 3.0, "slowdown": 100, "calibrate": 20_000},
            {"seconds": 1.0},
            lambda logdir, p, r: readback.check_scalars(r["logdir"], r["events"], warmup=False),
        ),
    )
}
