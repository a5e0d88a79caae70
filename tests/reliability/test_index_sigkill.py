"""SIGKILL while writing: the index never claims a record that is not intact on disk, and `load`
through it equals a full scan after every kill."""

from __future__ import annotations

import os
import random
import time
import warnings

import numpy as np

from summary.reader import load
from summary.reader.indexed import index_path, trusted_index
from summary.wire import index_format, records
from tests.reliability.faults import child
from tests.reliability.test_sigkill import CHILD


def _check_index(path: str) -> int:
    """Every record an index chunk describes is intact where the chunk says; returns records."""
    index = index_path(path)
    if not os.path.exists(index):
        return 0
    data = open(path, "rb").read()
    chunks = [chunk for _, chunk in index_format.iter_chunks(open(index, "rb").read())]
    for chunk in chunks:
        assert chunk.covered <= len(data), "the index leads its event file"
        for offset, length in {(int(o), int(n)) for o, n in chunk.entries[["offset", "length"]]}:
            assert records.parse_header(data[offset : offset + 12]) == (length, True)
            payload = data[offset + 12 : offset + 12 + length]
            assert records.footer_ok(payload, data[offset + 12 + length : offset + 16 + length])
    found = trusted_index(path)
    return 0 if found is None else found.records


def _same(a, b) -> None:
    for run in a:
        assert list(a[run]) == list(b[run])
        for tag in a[run]:
            assert np.array_equal(a[run][tag].steps, b[run][tag].steps)
            x, y = a[run][tag].values, b[run][tag].values
            if isinstance(x, np.ndarray):
                assert np.array_equal(x, y)
            else:
                assert all(np.array_equal(p, q) for p, q in zip(x, y, strict=True))


def test_kills_leave_an_index_that_never_leads_and_loads_like_a_scan(tmp_path):
    rng = random.Random(15)
    code = CHILD.format(flush_millis=100)
    indexed = 0
    for batch in range(2):
        runs = []
        for index in range(4):
            logdir = str(tmp_path / f"run{batch}-{index}")
            process = child(code, [str(index), logdir], stdout=-1, stderr=-1, text=True)
            runs.append((process, logdir))
        for process, _ in runs:
            assert process.stdout.readline().strip() == "ready", process.stderr.read()
        start = time.monotonic()
        for delay, (process, _) in sorted(
            ((rng.uniform(0.3, 3.0), run) for run in runs), key=lambda item: item[0]
        ):
            time.sleep(max(0.0, start + delay - time.monotonic()))
            process.kill()
        for process, logdir in runs:
            process.wait()
            (name,) = [n for n in os.listdir(logdir) if "tfevents" in n]
            covered = _check_index(os.path.join(logdir, name))
            indexed += covered
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                _same(load(logdir, index="ignore"), load(logdir))
                _same(
                    load(logdir, index="ignore", plugins="scalars"), load(logdir, plugins="scalars")
                )
            # neither a corrupt record nor a bad index; only a kill before the first chunk
            # leaves a file without one, which a load names
            reasons = [str(w.message) for w in caught]
            assert all(covered == 0 and ": no index)" in reason for reason in reasons), reasons
    assert indexed > 0  # some kills came after index chunks were written
