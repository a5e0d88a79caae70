"""The reading workloads, run inside a worker: each reader loads a whole file, CRCs checked.

The readers, the files and the timed function are the reader's own benchmark (read_bench.py,
kept by the reader's maintainers): this module only lets run.py put them in its tables. The rows
count the scalar values each reader loaded, which run.py checks against what was written.
"""

from __future__ import annotations

import importlib.util
import os
import resource
from typing import Any

IMAGES_IN_MIXED_FILE = 40


def _read_bench() -> Any:
    if importlib.util.find_spec("read_bench") is None:
        return None
    import read_bench

    return read_bench


def readers(scan: bool = False) -> list[str]:
    """The rows of the reading tables (none until read_bench.py is there); `scan`: the rows of
    the one-big-file table, peers' loaders included."""
    module = _read_bench()
    if module is None:
        return []
    return [*module.SCAN_READERS, *module.SCAN_EXTRA] if scan else list(module.READERS)


def sizes_for(reader: str, sizes: dict[str, Any]) -> dict[str, Any]:
    """The sizes `reader` reads: a peer too slow or too large for the full file reads less."""
    limit = _read_bench().SCAN_LIMITS.get(reader) if sizes.get("scan") else None
    return {**sizes, "count": limit} if limit is not None and sizes["count"] > limit else sizes


def write_file(logdir: str, params: dict[str, Any]) -> str:
    """The logdir every reader reads: scalars (and, for the mixed file, images) by `summary`."""
    if params.get("scan"):
        _read_bench().write_tags(logdir, params["count"])
        return logdir
    images = IMAGES_IN_MIXED_FILE if params.get("mixed") else 0
    _read_bench().write_scalars(logdir, params["count"], images=images)
    return logdir


def read(reader: str, logdir: str, params: dict[str, Any]) -> dict[str, Any]:
    """Time one reader over `logdir`: values read, seconds, events/s (and for the scan table
    peak memory, in all and per point)."""
    module = _read_bench()
    if module is None:
        return {"skipped": "bench/read_bench.py (the reader's benchmark) is not there"}
    if not params.get("scan"):
        return module.measure(reader, os.fspath(logdir))
    result = module.measure_scan(reader, os.fspath(logdir))
    if "values" in result:
        peak = (
            result.pop("child_rss_mb", None)
            or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        )
        result["peak_mb"] = peak
        result["bytes_per_point"] = peak * 2**20 / max(result["values"], 1)
    return result
