"""Snapshots of large arrays: independent of the caller's array, and their memory reused."""

import numpy as np

import summary
from summary.ops.snapshots import flat_snapshot, recycle
from tests.tensorboard_loader import accumulator, values


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
