"""The reading workloads, run inside a worker: each reader loads a whole file, CRCs checked.

The readers, the files and the timed function are the reader's own benchmark (read_bench.py,
kept by the reader's maintainers): this module only lets run.py put them in its tables. The rows
count the scalar values each reader loaded, which run.py checks against what was written.
"""

from __future__ import annotations

import importlib.util
import os
from typing import Any

IMAGES_IN_MIXED_FILE = 40


def _read_bench() -> Any:
    if importlib.util.find_spec("read_bench") is None:
        return None
    import read_bench

    return read_bench


def readers() -> list[str]:
    """The rows of the reading tables (none until read_bench.py is there)."""
    module = _read_bench()
    return list(module.READERS) if module is not None else []


def write_file(logdir: str, params: dict[str, Any]) -> str:
    """The logdir every reader reads: scalars (and, for the mixed file, images) by `summary`."""
    images = IMAGES_IN_MIXED_FILE if params.get("mixed") else 0
    _read_bench().write_scalars(logdir, params["count"], images=images)
    return logdir


def read(reader: str, logdir: str) -> dict[str, Any]:
    """Time one reader over `logdir`: values read, seconds, events/s."""
    module = _read_bench()
    if module is None:
        return {"skipped": "bench/read_bench.py (the reader's benchmark) is not there"}
    return module.measure(reader, os.fspath(logdir))
