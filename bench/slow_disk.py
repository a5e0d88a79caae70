"""Peak memory while the producer outruns a slow disk (run inside a worker).

The disk is made `slowdown` times slower than the producer: a short unthrottled calibration run
measures the library's own producer rate in bytes/s, then every write to the event file sleeps
`bytes / (rate / slowdown)` seconds. The producer logs scalars as fast as it is allowed to for
`seconds`; the peak RSS growth over that window is the figure. Then the disk is made fast again
and the writer closed, so the read-back can check that every value logged landed.

How the slow disk is put in: `summary` opens its sink through `summary.writer.registry.open_sink`
(wrapped here); tensorboardX and torch write every record through a `RecordWriter.write` method
(`tensorboardX.record_writer`, `tensorboard.summary.writer.record_writer`; wrapped here).
"""

from __future__ import annotations

import os
import resource
import time
from typing import Any

from libraries import open_session
from writing import scalar_step, scalar_tag, scalar_value


class _Disk:
    """The throttle shared by the wrapped write paths."""

    seconds_per_byte = 0.0
    slow = False

    def wait(self, nbytes: int) -> None:
        if self.slow:
            time.sleep(nbytes * self.seconds_per_byte)


_disk = _Disk()


def _install(library: str) -> None:
    if library.startswith("summary"):
        from summary.writer import registry

        open_sink = registry.open_sink

        class SlowSink:
            """The real sink, each write delayed; every other attribute is the real sink's."""

            def __init__(self, *args: Any, **kwargs: Any) -> None:
                self._sink = open_sink(*args, **kwargs)

            def write(self, data: memoryview) -> int:
                _disk.wait(len(data))
                return self._sink.write(data)

            def __getattr__(self, name: str) -> Any:
                return getattr(self._sink, name)

        registry.open_sink = SlowSink
        return
    if library == "tensorboardX":
        from tensorboardX.record_writer import RecordWriter
    elif library == "torch.utils.tensorboard":
        from tensorboard.summary.writer.record_writer import RecordWriter
    else:
        raise NotImplementedError(f"no slow-disk hook for {library}")
    write = RecordWriter.write

    def slow_write(self: Any, data: bytes) -> Any:
        _disk.wait(len(data) + 16)
        return write(self, data)

    RecordWriter.write = slow_write


def _rss_bytes(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise KeyError(field)


def _reset_peak() -> bool:
    """Reset the kernel's peak-RSS mark (Linux clear_refs), so VmHWM covers only what follows."""
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
        return True
    except OSError:
        return False


def _produce(library: str, logdir: str, seconds: float, limit: int) -> tuple[int, float]:
    """Log scalars for `seconds` (or `limit` calls); returns (calls, caller seconds)."""
    tags = [scalar_tag(i, 10) for i in range(10)]
    session = open_session(library, logdir)
    log = session.ops["scalar"]
    start = time.perf_counter()
    deadline = start + seconds
    i = 0
    while i < limit:
        for j in range(i, i + 100):
            log(tags[j % 10], scalar_value(j), scalar_step(j, 10))
        i += 100
        if time.perf_counter() > deadline:
            break
    elapsed = time.perf_counter() - start
    _disk.slow = False
    session.close()
    return i, elapsed


def run(library: str, logdir: str, params: dict[str, Any]) -> dict[str, Any]:
    _install(library)
    calibration = os.path.join(logdir, "calibration")
    calls, elapsed = _produce(library, calibration, 60.0, params["calibrate"])
    written = sum(os.path.getsize(os.path.join(calibration, n)) for n in os.listdir(calibration))
    producer_rate = written / elapsed
    _disk.seconds_per_byte = params["slowdown"] / producer_rate
    run_dir = os.path.join(logdir, "run")
    before = _rss_bytes("VmRSS")
    exact = _reset_peak()
    _disk.slow = True
    events, _ = _produce(library, run_dir, params["seconds"], 1 << 62)
    peak = (
        _rss_bytes("VmHWM") if exact else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    )
    return {
        "events": events,
        "logdir": run_dir,
        "rss_growth_mb": max(0, peak - before) / 2**20,
        "peak_rss_mb": peak / 2**20,
        "producer_mb_s": producer_rate / 2**20,
        "disk_kb_s": producer_rate / params["slowdown"] / 1024,
    }
