"""summary.scalar and `scalar.direct` (add_scalar's path): float32 scalars TensorBoard reads;
errors before queueing."""

from __future__ import annotations

import math

import numpy as np
import pytest

import summary
from summary.writer.target import PinnedWallTime
from tests.tensorboard_loader import accumulator, plugin_of, values


def test_values_land_as_float32_scalars(logdir):
    logged = [0.5, 3, True, np.float64(1e40), np.float32(-2.25), -math.inf]
    with summary.create_file_writer(logdir).as_default() as writer:
        for step, value in enumerate(logged):
            assert summary.scalar("loss", value, step=step)
    writer.close()
    acc = accumulator(logdir)
    assert plugin_of(acc, "loss") == "scalars"
    got = values(acc, "loss")
    assert [step for step, _, _ in got] == list(range(len(logged)))
    for (_, _, array), value in zip(got, logged, strict=True):
        assert array.dtype == np.float32 and array.shape == ()
        with np.errstate(over="ignore"):
            assert array == np.float32(value)  # a float32 cast; 1e40 saturates to inf


def test_description_and_default_step(logdir):
    with summary.create_file_writer(logdir).as_default(step=7) as writer:
        summary.scalar("acc", 0.25, description="top-1 accuracy")
    writer.close()
    acc = accumulator(logdir)
    assert acc.SummaryMetadata("acc").summary_description == "top-1 accuracy"
    assert [step for step, _, _ in values(acc, "acc")] == [7]


def test_direct_scalar_ignores_scopes_and_record_if(logdir):
    writer = summary.create_file_writer(logdir)
    with summary.name_scope("outer"), summary.record_if(False):
        summary.scalar.direct(PinnedWallTime(writer, 1234.5), "scalar", "plain/tag", 1.5, 3)
    writer.close()
    (step, wall_time, array) = values(accumulator(logdir), "plain/tag")[0]
    assert (step, wall_time, float(array)) == (3, 1234.5, 1.5)


@pytest.mark.parametrize(
    ("name", "data", "step", "error", "words"),
    [
        ("", 1.0, 0, ValueError, "must not be empty"),
        (3, 1.0, 0, TypeError, "name must be a str"),
        ("loss", [1.0, 2.0], 0, ValueError, "rank 0"),
        ("loss", "high", 0, TypeError, "loss"),
        ("loss", 1.0, 1.5, ValueError, "whole number"),
        ("loss", 1.0, None, ValueError, "no default step"),
    ],
)
def test_bad_input_is_refused_before_anything_is_queued(logdir, name, data, step, error, words):
    writer = summary.create_file_writer(logdir)
    with writer.as_default():
        with pytest.raises(error, match=words):
            summary.scalar(name, data, step=step)
        with pytest.raises(error, match=words):
            summary.scalar.direct(writer, "scalar", name, data, step)
        summary.scalar("ok", 1.0, step=0)
    writer.close()
    acc = accumulator(logdir)
    assert acc.Tags()["tensors"] == ["ok"]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (np.float32(0.1), 0.10000000149011612),  # the float32 nearest 0.1, as a double
        (np.float64(-2.5), -2.5),
        (np.float16(1.5), 1.5),
        (np.int8(-7), -7.0),
        (np.uint64(2**64 - 1), 1.8446744073709552e19),
        (np.bool_(True), 1.0),
        (np.array(0.25, dtype=np.float32), 0.25),
    ],
)
def test_numpy_scalars_convert_exactly(data, expected):
    from summary.ops.inputs import to_float

    assert to_float("scalar", "t", data) == expected


def test_torch_scalars_convert_exactly():
    torch = pytest.importorskip("torch")
    from summary.ops.inputs import to_float

    cases = [
        (torch.tensor(0.1, dtype=torch.bfloat16), 0.10009765625),  # bfloat16 nearest 0.1
        (torch.tensor(3, dtype=torch.int64), 3.0),
        (torch.tensor(True), 1.0),
        (torch.tensor(2.0, requires_grad=True) * 1.5, 3.0),
    ]
    for data, expected in cases:
        assert to_float("scalar", "t", data) == expected
    with pytest.raises(TypeError, match=r"summary\.scalar\('t'\): complex"):
        to_float("scalar", "t", torch.tensor(1 + 2j))
    with pytest.raises(ValueError, match="rank 0"):
        to_float("scalar", "t", torch.tensor([1.0]))
    with pytest.raises(TypeError, match="complex"):
        to_float("scalar", "t", np.complex64(1j))
