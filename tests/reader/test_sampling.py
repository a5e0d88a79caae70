import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from summary.reader.sampling import sample_positions


def test_keeps_first_last_and_evenly_spaced():
    assert sample_positions(11, 3).tolist() == [0, 5, 10]
    assert sample_positions(10, 4).tolist() == [0, 3, 6, 9]
    assert sample_positions(5, 2).tolist() == [0, 4]


def test_one_keeps_the_latest_and_enough_keeps_all():
    assert sample_positions(7, 1).tolist() == [6]
    assert sample_positions(3, 5).tolist() == [0, 1, 2]
    assert sample_positions(0, 4).tolist() == []


def test_a_sample_of_nothing_is_refused():
    with pytest.raises(ValueError, match="at least 1"):
        sample_positions(10, 0)


@given(st.integers(0, 10_000), st.integers(1, 500))
def test_positions_are_distinct_ascending_in_range_and_end_at_the_last(count, keep):
    positions = sample_positions(count, keep)
    assert len(positions) == min(count, keep)
    assert np.all(np.diff(positions) > 0)
    if count:
        assert positions[-1] == count - 1
        assert positions[0] == (0 if keep > 1 else count - 1)
