"""summary.experimental.write_raw_pb: serialized Summary protos written as they are."""

from __future__ import annotations

import numpy as np
import pytest

import summary
from summary import v1
from summary.proto import summary_pb2
from tests.tensorboard_loader import accumulator, plugin_of, scalar_series, values


def test_each_summary_and_each_value_written(logdir):
    first = v1.scalar_pb("loss", 0.5)
    first.value.extend(v1.scalar_pb("accuracy", 0.75).value)
    second = v1.text_pb("notes", "hello")
    blobs = [first.SerializeToString(), second.SerializeToString()]
    with summary.create_file_writer(logdir):
        assert summary.experimental.write_raw_pb(blobs, step=3)
        assert summary.experimental.write_raw_pb(np.array([blobs[0]], dtype=object), step=4)
        summary.experimental.set_step(5)
        assert summary.experimental.write_raw_pb(blobs[0])
    acc = accumulator(logdir)
    assert scalar_series(acc, "loss") == {3: 0.5, 4: 0.5, 5: 0.5}
    assert scalar_series(acc, "accuracy") == {3: 0.75, 4: 0.75, 5: 0.75}
    assert plugin_of(acc, "notes") == "text"
    assert values(acc, "notes")[0][2] == b"hello"


def test_no_writer_returns_false():
    assert summary.experimental.write_raw_pb(summary_pb2.Summary().SerializeToString(), 1) is False


def test_refused_on_the_callers_thread(logdir):
    with summary.create_file_writer(logdir):
        with pytest.raises(ValueError, match=r"write_raw_pb: element 1 .* not a serialized"):
            summary.experimental.write_raw_pb([b"", b"\xff\xff\xff"], step=1)
        with pytest.raises(TypeError, match=r"summary\.experimental\.write_raw_pb: expected"):
            summary.experimental.write_raw_pb([1.0, 2.0], step=1)
        with pytest.raises(ValueError, match="step is None"):
            summary.experimental.write_raw_pb(b"")
    assert accumulator(logdir).Tags()["tensors"] == []
