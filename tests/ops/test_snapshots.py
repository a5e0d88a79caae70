"""Snapshots of large arrays: independent of the caller's array, and their memory reused."""

from collections import OrderedDict

import numpy as np
import pytest

import summary
from summary.ops import snapshots
from summary.ops.snapshots import flat_snapshot, recycle
from tests.tensorboard_loader import accumulator, values


@pytest.fixture(autouse=True)
def empty_pool(monkeypatch):
    """Each test starts from an empty pool and leaves the process's pool as it was."""
    monkeypatch.setattr(snapshots, "_free", OrderedDict())
    monkeypatch.setattr(snapshots, "_pooled_bytes", 0)


def test_snapshot_is_a_flat_copy():
    array = np.arange(600_000, dtype=np.float64).reshape(600, 1000)  # 4.8 MB: pooled size
    snapshot = flat_snapshot(array)
    array[:] = -1
    np.testing.assert_array_equal(snapshot, np.arange(600_000, dtype=np.float64))
    assert not np.shares_memory(snapshot, array)


def test_recycled_buffer_is_reused_for_the_same_size_and_dtype():
    array = np.ones(300_000, dtype=np.float32) * 2  # 1.2 MB
    first = flat_snapshot(array)
    recycle(first)
    second = flat_snapshot(array * 3)
    assert np.shares_memory(first, second)
    np.testing.assert_array_equal(second, np.full(300_000, 6, dtype=np.float32))
    other_dtype = flat_snapshot(np.ones(300_000, dtype=np.float64))
    assert not np.shares_memory(other_dtype, second)


def test_every_buffer_of_a_burst_is_kept_for_the_next_one():
    """A step logging four layers of one shape finds four warm buffers at the next step."""
    array = np.ones(262_144, dtype=np.float32)  # 1 MiB
    burst = [flat_snapshot(array) for _ in range(4)]
    for buffer in burst:
        recycle(buffer)
    again = [flat_snapshot(array) for _ in range(4)]
    assert all(any(np.shares_memory(new, old) for old in burst) for new in again)


def test_pool_keeps_at_most_its_byte_budget_dropping_the_least_recently_used(monkeypatch):
    monkeypatch.setattr(snapshots, "_MAX_POOLED_BYTES", 3 << 20)
    old = [flat_snapshot(np.zeros(1 << 17, dtype=np.float64)) for _ in range(2)]  # 1 MiB each
    new = [flat_snapshot(np.zeros(1 << 18, dtype=np.float32)) for _ in range(2)]
    for buffer in old + new:
        recycle(buffer)
    assert snapshots._pooled_bytes <= 3 << 20
    kept_new = [flat_snapshot(np.zeros(1 << 18, dtype=np.float32)) for _ in range(2)]
    assert all(any(np.shares_memory(k, n) for n in new) for k in kept_new)
    fresh_old = [flat_snapshot(np.zeros(1 << 17, dtype=np.float64)) for _ in range(2)]
    assert sum(any(np.shares_memory(f, o) for o in old) for f in fresh_old) == 1


@pytest.mark.parametrize(
    "array",
    [
        np.arange(600_000, dtype=np.float64).reshape(1000, 600).T,  # not contiguous
        np.array([True, False] * 700_000),
        np.arange(10.0),  # below the pooled size
        np.zeros(0, dtype=np.float32),
    ],
    ids=["transposed", "bool", "small", "empty"],
)
def test_snapshot_of_any_layout_is_a_flat_copy_even_into_a_recycled_buffer(array):
    for _ in range(2):  # the second copy goes into the first one's buffer
        expected = array.reshape(-1).copy()
        snapshot = flat_snapshot(array)
        array[...] = ~array if array.dtype == bool else array + 1
        np.testing.assert_array_equal(snapshot, expected)
        assert snapshot.dtype == array.dtype and snapshot.flags.c_contiguous
        recycle(snapshot)


def test_histogram_ignores_changes_made_after_the_call(logdir):
    data = np.zeros(1_000_000, dtype=np.float32)
    with summary.create_file_writer(logdir).as_default() as writer:
        for step in range(3):
            data[:] = 0.0
            data[: 10 * (step + 1)] = 1.0  # 10, 20, 30 ones among zeros
            summary.histogram("h", data, step=step, buckets=2)
            data[:] = 1.0  # the caller reuses its array at once
    writer.close()
    counts = [value[:, 2].tolist() for _, _, value in values(accumulator(logdir), "h")]
    assert counts == [[1_000_000.0 - ones, ones] for ones in (10.0, 20.0, 30.0)]
