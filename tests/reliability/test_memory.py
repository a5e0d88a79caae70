"""A producer far faster than the disk: back-pressure keeps memory within the documented bound
(queued entries <= max(4 * max_queue, 100,000), queued array bytes <= 256 MiB, plus the chunk
being written) instead of growing with what was logged. Measured in a child process with
tracemalloc (NumPy reports its buffers to it) or, for the full-size run, peak RSS."""

from __future__ import annotations

import json

import pytest

from tests.reliability.faults import run_child, tagged_steps

SLOW_DISK = """
import json, time, tracemalloc
import numpy as np
import summary
from summary.writer import registry
from summary.writer.sinks import LocalSink

class SlowDisk(LocalSink):
    # Every write takes {pause} s and moves at most 128 KiB: about {rate} MB/s.
    def write(self, data):
        time.sleep({pause})
        return super().write(data[:131072])

registry.open_sink = SlowDisk
"""

MIB = 1 << 20
ENTRY_BYTES = 200  # a queued scalar: its tuple, wall time, value and step objects, deque slot


def slow_disk(pause: float) -> str:
    return SLOW_DISK.format(pause=pause, rate=round(0.131072 / pause, 1))


def test_arrays_faster_than_the_disk_stay_within_the_byte_bound(logdir):
    produced = 64 * MIB
    bound = 8 * MIB
    result = run_child(
        slow_disk(0.004)
        + f"""
writer = summary.create_file_writer({logdir!r})
writer._file.max_pending_bytes = {bound}  # the 256 MiB default, scaled down for a short test
array = np.ones(256 * 1024, np.float32)  # 1 MiB
tracemalloc.start()
base = tracemalloc.get_traced_memory()[0]
with writer.as_default():
    for step in range({produced // MIB}):
        summary.write("big", array, step=step)
peak = tracemalloc.get_traced_memory()[1] - base
tracemalloc.stop()
writer.close()
print(json.dumps(dict(peak=peak)))
""",
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    peak = json.loads(result.stdout)["peak"]
    print(f"\npeak traced memory, 64 MiB of arrays through a ~33 MB/s disk: {peak / MIB:.1f} MiB")
    # Arrays queued or being written (the bound, plus the one whose call is waiting) and the
    # temporaries of encoding one (encoding.value_event holds up to 5 copies of a payload).
    assert peak <= bound + 1 * MIB + 5 * MIB + 2 * MIB, peak / MIB
    assert tagged_steps(logdir, "big") == list(range(produced // MIB))


def test_scalars_faster_than_the_disk_stay_within_the_entry_bound(logdir):
    produced = 400_000
    result = run_child(
        slow_disk(0.01)
        + f"""
writer = summary.create_file_writer({logdir!r}, max_queue=1000)  # bound: 100,000 entries
tracemalloc.start()
base = tracemalloc.get_traced_memory()[0]
with writer.as_default():
    for step in range({produced}):
        summary.scalar("s", 0.5, step=step)
peak = tracemalloc.get_traced_memory()[1] - base
tracemalloc.stop()
bound = writer._file.queue_bound
writer.close()
print(json.dumps(dict(peak=peak, bound=bound)))
""",
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["bound"] == 100_000
    print(
        f"\npeak traced memory, {produced} scalars through a ~13 MB/s disk: "
        f"{report['peak'] / MIB:.1f} MiB"
    )
    # Unbounded, 400,000 queued scalars would take about 80 MB.
    assert report["peak"] <= report["bound"] * ENTRY_BYTES + 4 * MIB + 2 * MIB, report
    assert tagged_steps(logdir, "s") == list(range(produced))


@pytest.mark.slow
def test_full_size_byte_bound_measured_as_peak_rss(logdir):
    produced = 768 * MIB
    result = run_child(
        slow_disk(0.0005)
        + f"""
def rss(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024

writer = summary.create_file_writer({logdir!r})
array = np.ones(1024 * 1024, np.float32)  # 4 MiB
before = rss("VmRSS")
with open("/proc/self/clear_refs", "w") as refs:
    refs.write("5")  # reset the peak mark
with writer.as_default():
    for step in range({produced // (4 * MIB)}):
        summary.write("big", array, step=step)
growth = rss("VmHWM") - before
writer.close()
print(json.dumps(dict(growth=growth)))
""",
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    growth = json.loads(result.stdout)["growth"]
    print(f"\npeak RSS growth, 768 MiB of arrays through a ~260 MB/s disk: {growth / MIB:.0f} MiB")
    assert growth <= 256 * MIB + 4 * MIB + 5 * 4 * MIB + 32 * MIB, growth / MIB
