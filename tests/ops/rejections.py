"""Bad-input checks shared by the op tests: rejected calls raise, name op and tag, write nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import summary
from summary.reader import iter_events
from tests.tensorboard_loader import accumulator, scalar_series


def assert_rejected(
    logdir: str, call: Callable[[], object], error: type[Exception], named: str
) -> Exception:
    """`call()` between two valid scalars raises `error` whose message contains `named`; the file
    then holds exactly the two valid values, read back by TensorBoard's loader."""
    with summary.create_file_writer(logdir):
        assert summary.scalar("valid/before", 1.0, step=0)
        with pytest.raises(error) as info:
            call()
        assert summary.scalar("valid/after", 2.0, step=1)
    assert named in str(info.value), str(info.value)
    acc = accumulator(logdir)
    assert sorted(acc.Tags()["tensors"]) == ["valid/after", "valid/before"]
    assert not acc.Tags()["graph"]
    assert scalar_series(acc, "valid/before") == {0: 1.0}
    assert scalar_series(acc, "valid/after") == {1: 2.0}
    events = list(iter_events(logdir))  # our reader checks every CRC: the file is intact
    assert [event.WhichOneof("what") for event in events] == ["file_version", "summary", "summary"]
    return info.value
