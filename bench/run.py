"""Benchmark `summary` against the installed peers: `python bench/run.py [--quick] [--only ...]`.

Every measurement runs in a fresh process on a fresh logdir; the order of the libraries rotates
from round to round; each table shows medians and the ratio to the fastest peer; every run's
output is read back with TensorBoard's loader and counted. Results go to bench/results/*.json.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from typing import Any

import report
import startup
from libraries import LIBRARIES
from reading import readers, sizes_for
from workloads import WORKLOADS, Workload

HERE = os.path.dirname(os.path.abspath(__file__))
WORKER = os.path.join(HERE, "worker.py")
SLOW_DISK_HOOKS = ("summary", "tensorboardX", "torch.utils.tensorboard")
WORKER_TIMEOUT_S = 1800


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rounds", type=int, help="rounds per workload (default 5; 3 with --quick)"
    )
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    parser.add_argument(
        "--only", help="comma-separated workloads or prefixes: " + ",".join(WORKLOADS)
    )
    parser.add_argument("--libraries", help="comma-separated subset of: " + ",".join(LIBRARIES))
    parser.add_argument("--json", help="where to write the results (default bench/results/)")
    parser.add_argument("--keep", action="store_true", help="keep the logdirs (printed at the end)")
    parser.add_argument("--size", type=int, help="points in the one-file scan workload (read_scan)")
    parser.add_argument(
        "--input",
        help="directory keeping the files the reading workloads read, to reuse between runs "
        "(written there when missing)",
    )
    return parser.parse_args(argv)


def _selected(only: str | None) -> list[Workload]:
    if not only:
        return list(WORKLOADS.values())
    wanted = [part.strip() for part in only.split(",") if part.strip()]
    chosen = [w for w in WORKLOADS.values() if any(w.name.startswith(p) for p in wanted)]
    if not chosen:
        raise SystemExit(f"--only {only!r} matches no workload; choose from {', '.join(WORKLOADS)}")
    return chosen


def _rows(workload: Workload, libraries: list[str]) -> list[str]:
    if workload.task == "read":
        return readers(scan=bool(workload.params.get("scan")))
    if workload.task == "slow_disk":
        return [lib for lib in libraries if lib in SLOW_DISK_HOOKS]
    if workload.task == "scalar_dicts" and importlib.util.find_spec("clu") is None:
        return [lib for lib in libraries if lib not in ("summary", "tf.summary")]
    if workload.task == "import":
        statements = {LIBRARIES[lib].import_statement: lib for lib in reversed(libraries)}
        return [lib for lib in libraries if statements[LIBRARIES[lib].import_statement] == lib]
    return libraries


def _worker(spec: dict[str, Any]) -> dict[str, Any]:
    try:
        done = subprocess.run(
            [sys.executable, WORKER, json.dumps(spec)],
            capture_output=True,
            text=True,
            timeout=WORKER_TIMEOUT_S,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {WORKER_TIMEOUT_S} s"}
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["(no output)"])[-1]
        return {"error": f"worker failed: {tail}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def _sizes(workload: Workload, args: argparse.Namespace) -> dict[str, Any]:
    sizes = workload.sizes(args.quick)
    return {**sizes, "count": args.size} if sizes.get("scan") and args.size else sizes


class Runner:
    """Runs the measurements of one benchmark invocation and keeps their results."""

    def __init__(self, args: argparse.Namespace, workdir: str) -> None:
        self.args = args
        self.workdir = workdir
        self.read_paths: dict[str, str] = {}

    def measure(self, workload: Workload, row: str) -> dict[str, Any]:
        full = sizes = _sizes(workload, self.args)
        if workload.task == "read":
            sizes = sizes_for(row, full)
        if workload.task == "import":
            return startup.measure(LIBRARIES[row].import_statement)
        spec: dict[str, Any] = {"task": workload.task, "library": row, "params": sizes}
        if workload.task == "read":
            spec["path"] = self._read_file(workload.name, sizes)
            logdir = None
        else:
            logdir = spec["logdir"] = tempfile.mkdtemp(prefix=f"{workload.name}-", dir=self.workdir)
        result = _worker(spec)
        if "skipped" not in result and "error" not in result and workload.check is not None:
            result["problems"] = workload.check(logdir or "", sizes, result)
        if sizes is not full and "values" in result:
            result["note"] = (
                f"read a file of {sizes['count']:,} points: too slow or large at the full size"
            )
        if logdir is not None and not self.args.keep:
            shutil.rmtree(logdir, ignore_errors=True)
        return result

    def _read_file(self, name: str, sizes: dict[str, Any]) -> str:
        """The file a reading workload reads, written once per invocation and size (or once for
        all, in --input)."""
        name = f"{name}-{sizes['count']}"
        if name not in self.read_paths:
            logdir = os.path.join(self.args.input or self.workdir, f"{name}-input")
            if self.args.input and os.path.isdir(logdir) and os.listdir(logdir):
                self.read_paths[name] = logdir  # written by an earlier run
                return logdir
            spec = {"task": "read_setup", "library": "summary", "logdir": logdir, "params": sizes}
            result = _worker(spec)
            if "error" in result:
                raise SystemExit(f"could not write the file to read: {result['error']}")
            self.read_paths[name] = result["path"]
        return self.read_paths[name]


def _environment() -> dict[str, Any]:
    versions = {}
    for package in ("summary", "tensorboardX", "tensorboard", "torch", "tensorflow", "numpy"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    try:
        commit = subprocess.run(
            ["git", "-C", HERE, "describe", "--always", "--dirty"], capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        commit = ""
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average_start": os.getloadavg(),
        "versions": versions,
        "commit": commit,
    }


def _summarize(line: str, result: dict[str, Any], workload: Workload) -> str:
    if "skipped" in result or "error" in result:
        return f"{line}: {result.get('skipped') or result.get('error')}"
    figures = ", ".join(
        f"{m.key}={result[m.key]:.{m.digits}f}" for m in workload.metrics if m.key in result
    )
    lost = "; LOST: " + "; ".join(result["problems"]) if result.get("problems") else ""
    return f"{line}: {figures}{lost}"


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    rounds = args.rounds or (3 if args.quick else 5)
    wanted = args.libraries.split(",") if args.libraries else list(LIBRARIES)
    libraries = [name for name in wanted if name in LIBRARIES and LIBRARIES[name].available()]
    missing = [name for name in wanted if name not in libraries]
    workloads = _selected(args.only)
    environment = _environment()
    results: dict[str, dict[str, list[dict[str, Any]]]] = {
        w.name: {row: [] for row in _rows(w, libraries)} for w in workloads
    }
    workdir = tempfile.mkdtemp(prefix="summary-bench-")
    runner = Runner(args, workdir)
    started = time.strftime("%Y%m%d-%H%M%S")
    loads = []
    try:
        for index in range(rounds):
            loads.append(os.getloadavg()[0])
            for workload in workloads:
                rows = list(results[workload.name])
                shift = index % len(rows)
                for row in rows[shift:] + rows[:shift]:
                    result = runner.measure(workload, row)
                    results[workload.name][row].append(result)
                    line = f"[round {index + 1}/{rounds}] {workload.name} {row}"
                    print(_summarize(line, result, workload), file=sys.stderr, flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    tables = {
        w.name: {row: report.medians(runs, w.metrics) for row, runs in results[w.name].items()}
        for w in workloads
    }
    environment["load_average_end"] = os.getloadavg()
    environment["load_average_per_round"] = loads
    print(_header(environment, rounds, args, missing))
    for workload in workloads:
        print()
        print(report.render(workload, _sizes(workload, args), tables[workload.name]))
    print()
    print(report.LEGEND)
    checks = report.targets(tables)
    print()
    print(report.render_targets(checks))
    path = args.json or os.path.join(HERE, "results", f"{started}.json")
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as out:
        json.dump(
            {
                "started": started,
                "rounds": rounds,
                "quick": args.quick,
                "environment": environment,
                "results": results,
                "medians": tables,
                "targets": [{"target": t, "measured": m, "met": ok} for t, m, ok in checks],
            },
            out,
            indent=1,
        )
    print(f"\nresults: {path}" + (f"\nlogdirs kept in {workdir}" if args.keep else ""))
    return 0


def _header(
    environment: dict[str, Any], rounds: int, args: argparse.Namespace, missing: list[str]
) -> str:
    versions = ", ".join(f"{k} {v}" for k, v in environment["versions"].items() if v)
    load = environment["load_average_per_round"]
    lines = [
        f"summary benchmark — {rounds} rounds{' (quick sizes)' if args.quick else ''}, "
        f"{environment['cpus']} CPUs, Python {environment['python']}, {environment['platform']}",
        f"versions: {versions}; commit {environment['commit']}",
        "load average (1 min) at each round's start: " + ", ".join(f"{x:.2f}" for x in load),
    ]
    if missing:
        lines.append("not installed, skipped: " + ", ".join(missing))
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
