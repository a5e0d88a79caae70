"""summary.histogram: TF 2.x bucketing, checked against a NumPy restatement of TF's algorithm and
read back with TensorBoard's loader."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import summary
from summary.ops.histogram import NonFiniteHistogramWarning, histogram_tensor
from tests.ops.rejections import assert_rejected
from tests.tensorboard_loader import accumulator, plugin_of, values


def tf_buckets(data, bucket_count=30):
    """NumPy restatement of TF 2.x's `_buckets` (tensorboard/plugins/histogram/summary_v2.py,
    TensorBoard 2.21): cast to float64; negative count -> 0; empty -> zeros((k, 3)); one value ->
    every edge is that value and the last bucket holds all; else index = floor((x - min) / width)
    clamped to k - 1, counted with tf.one_hot + reduce_sum, and edges from tf.linspace (which
    computes start + delta * i, math_ops.linspace_nd) with the last edge replaced by max."""
    k = max(0, bucket_count)
    data = np.asarray(data).reshape(-1).astype(np.float64)
    if k == 0 or data.size == 0:
        return np.zeros((k, 3))
    low, high = data.min(), data.max()
    if high - low == 0:
        counts = np.zeros(k)
        counts[-1] = data.size
        return np.stack([np.full(k, high), np.full(k, high), counts], axis=1)
    width = (high - low) / k
    index = np.minimum(np.floor((data - low) / width).astype(np.int64), k - 1)
    one_hot = index[:, None] == np.arange(k)[None, :]
    counts = one_hot.astype(np.float64).sum(axis=0)
    edges = np.concatenate([[low], low + width * np.arange(1, k, dtype=np.float64), [high]])
    return np.stack([edges[:-1], edges[1:], counts], axis=1)


def read_histograms(logdir, tag):
    acc = accumulator(logdir)
    assert plugin_of(acc, tag) == "histograms"
    assert acc.SummaryMetadata(tag).plugin_data.content == b""
    return acc, values(acc, tag)


finite_arrays = st.one_of(
    hnp.arrays(
        st.sampled_from([np.float64, np.float32, np.float16]),
        hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=12),
        elements=st.floats(-1024, 1024, width=16),
    ),
    hnp.arrays(
        np.float64,
        st.integers(0, 60),
        # Away from the subnormal range, where (max - min) / k can underflow to 0 and TF's int32
        # cast of inf/NaN is undefined (docs/data/histogram.md).
        elements=st.floats(-1e300, 1e300).filter(lambda x: x == 0 or abs(x) > 1e-290),
    ),
    hnp.arrays(
        np.float32,
        st.integers(0, 60),
        elements=st.floats(-(2.0**100), 2.0**100, width=32),
    ),
    hnp.arrays(st.sampled_from([np.int8, np.int32, np.int64, np.uint16, np.bool_]), 40),
)


@settings(max_examples=300, deadline=None)
@given(data=finite_arrays, buckets=st.integers(-3, 40))
def test_histogram_tensor_equals_tf_for_any_finite_input(data, buckets):
    result = histogram_tensor(data, buckets)
    assert result.dtype == np.float64
    np.testing.assert_array_equal(result, tf_buckets(data, buckets))


def test_special_cases_as_tf_documents_them():
    assert histogram_tensor(np.array([]), 30).shape == (30, 3)
    assert not histogram_tensor(np.array([]), 30).any()
    assert histogram_tensor(np.arange(5.0), 0).shape == (0, 3)
    assert histogram_tensor(np.arange(5.0), -4).shape == (0, 3)  # TF treats negative as zero
    np.testing.assert_array_equal(
        histogram_tensor(np.full(6, 7.0), 4),
        [[7, 7, 0], [7, 7, 0], [7, 7, 0], [7, 7, 6]],
    )
    # Two values, two buckets: [0, 0.5) holds 0, the closed last bucket [0.5, 1] holds 1.
    np.testing.assert_array_equal(
        histogram_tensor(np.array([0.0, 1.0]), 2), [[0, 0.5, 1], [0.5, 1, 1]]
    )


def test_many_chunks_equal_tf():
    data = np.random.default_rng(3).standard_normal(300_001).astype(np.float32) * 3 + 1
    np.testing.assert_array_equal(histogram_tensor(data, 30), tf_buckets(data, 30))


def test_large_inputs_through_the_op_equal_tf(logdir):
    """Arrays over 1 MB take the chunked copy-and-range path on the caller's thread."""
    rng = np.random.default_rng(5)
    on_edges = np.float32(-2) + np.float32(0.25) * np.arange(31, dtype=np.float32)  # 30 buckets
    with_nan = rng.standard_normal(2_000_000).astype(np.float32)
    with_nan[1_234_567] = np.nan
    inputs = {
        "normal": rng.standard_normal((1000, 2500)).astype(np.float32),
        "edges": np.tile(on_edges, 50_000),
        "int64": rng.integers(-(2**40), 2**40, size=600_000),
        "with_nan": with_nan,
    }
    with summary.create_file_writer(logdir):
        with pytest.warns(NonFiniteHistogramWarning, match="with_nan"):
            for tag, data in inputs.items():
                summary.histogram(tag, data, step=0)
    for tag, data in inputs.items():
        _, ((_, _, tensor),) = read_histograms(logdir, tag)
        finite = data[np.isfinite(data)] if tag == "with_nan" else data
        np.testing.assert_array_equal(tensor, tf_buckets(finite))


def test_non_finite_values_are_left_out():
    # TF 2.x turns [1, 2, nan, 3] with 5 buckets into NaN edges and zero counts (issue 4);
    # we bucket the finite values exactly as TF buckets [1, 2, 3].
    data = np.array([1, 2, np.nan, 3, np.inf, -np.inf])
    np.testing.assert_array_equal(histogram_tensor(data, 5), tf_buckets([1.0, 2.0, 3.0], 5))
    assert not histogram_tensor(np.array([np.nan, np.inf]), 4).any()
    assert histogram_tensor(np.array([np.nan, np.inf]), 4).shape == (4, 3)


def test_op_writes_what_tensorboard_reads(logdir):
    rng = np.random.default_rng(0)
    inputs = {
        "float32": rng.standard_normal((10, 20)).astype(np.float32),
        "float16": rng.standard_normal(50).astype(np.float16),
        "int": rng.integers(-5, 50, size=100),
        "bool": rng.random(30) < 0.3,
        "list": [[1, 2, 3], [4, 5, 6.5]],
        "scalar": 3.25,
        "constant": np.full(10, 2.0),
        "empty": np.zeros((0, 4)),
    }
    with summary.create_file_writer(logdir):
        for step in range(3):
            for tag, data in inputs.items():
                assert summary.histogram(tag, data, step=step)
        assert summary.histogram("seven", inputs["float32"], step=0, buckets=7)
        assert summary.histogram("none", inputs["float32"], step=0, buckets=0)
        assert summary.histogram("described", [1, 2], step=0, description="**weights**")
    acc = accumulator(logdir)
    for tag, data in inputs.items():
        _, loaded = read_histograms(logdir, tag)
        assert [step for step, _, _ in loaded] == [0, 1, 2]
        for _, _, tensor in loaded:
            assert tensor.dtype == np.float64 and tensor.shape == (30, 3)
            np.testing.assert_array_equal(tensor, tf_buckets(data))
    ((_, _, seven),) = values(acc, "seven")
    np.testing.assert_array_equal(seven, tf_buckets(inputs["float32"], 7))
    ((_, _, none),) = values(acc, "none")
    assert none.shape == (0, 3)
    assert acc.SummaryMetadata("described").summary_description == "**weights**"


def test_tensorboard_sees_non_finite_left_out_and_one_warning_per_tag(logdir):
    data = np.array([1.0, 2.0, np.nan, 3.0, np.inf])
    with summary.create_file_writer(logdir):
        with pytest.warns(NonFiniteHistogramWarning) as record:
            summary.histogram("nonfinite/a", data, step=0, buckets=5)
        (warning,) = record
        message = str(warning.message)
        assert "summary.histogram('nonfinite/a')" in message
        assert "left 2 of 5 values" in message and "1 NaN, 1 +inf, 0 -inf" in message
        assert warning.filename == __file__  # points at the caller's line
        with warnings.catch_warnings():
            warnings.simplefilter("error", NonFiniteHistogramWarning)
            summary.histogram("nonfinite/a", data, step=1, buckets=5)  # same tag: silent
            summary.histogram("nonfinite/clean", [1.0, 2.0], step=0)
        with pytest.warns(NonFiniteHistogramWarning, match="nonfinite/b"):
            summary.histogram("nonfinite/b", [np.nan, -np.inf], step=0, buckets=3)
    _, loaded = read_histograms(logdir, "nonfinite/a")
    for _, _, tensor in loaded:
        np.testing.assert_array_equal(tensor, tf_buckets([1.0, 2.0, 3.0], 5))
    ((_, _, all_bad),) = values(accumulator(logdir), "nonfinite/b")
    np.testing.assert_array_equal(all_bad, np.zeros((3, 3)))  # as empty input


def test_data_is_snapshotted_on_the_callers_thread(logdir):
    data = np.arange(100.0)
    expected = tf_buckets(data.copy())
    with summary.create_file_writer(logdir):
        summary.histogram("snap", data, step=0)
        data[:] = -1.0
    ((_, _, tensor),) = values(accumulator(logdir), "snap")
    np.testing.assert_array_equal(tensor, expected)


def test_scopes_default_step_and_recording(logdir):
    with summary.create_file_writer(logdir) as writer:
        summary.experimental.set_step(4)
        with summary.name_scope("layer1"):
            assert summary.histogram("weights", [1, 2, 3])
        with summary.record_if(False):
            assert not summary.histogram("skipped", [1, 2, 3])
        del writer
    assert not summary.histogram("no_writer", [1.0], step=0)
    acc = accumulator(logdir)
    assert acc.Tags()["tensors"] == ["layer1/weights"]
    assert [step for step, _, _ in values(acc, "layer1/weights")] == [4]


@pytest.mark.torch
def test_torch_tensors(logdir):
    torch = pytest.importorskip("torch")
    weights = torch.linspace(-2, 3, 101, requires_grad=True)
    half = torch.arange(40, dtype=torch.bfloat16) / 8
    with summary.create_file_writer(logdir):
        summary.histogram("torch/float", weights, step=0)
        summary.histogram("torch/bfloat16", half, step=0)
    acc = accumulator(logdir)
    ((_, _, tensor),) = values(acc, "torch/float")
    np.testing.assert_array_equal(tensor, tf_buckets(weights.detach().numpy()))
    ((_, _, tensor),) = values(acc, "torch/bfloat16")
    np.testing.assert_array_equal(tensor, tf_buckets(half.float().numpy()))


BAD_INPUTS = [
    ("strings", lambda: summary.histogram("bad", ["a", "b"], step=0), TypeError),
    ("complex", lambda: summary.histogram("bad", np.array([1 + 2j]), step=0), TypeError),
    ("ragged", lambda: summary.histogram("bad", [[1, 2], [3]], step=0), ValueError),
    ("none", lambda: summary.histogram("bad", None, step=0), TypeError),
    ("float_buckets", lambda: summary.histogram("bad", [1.0], step=0, buckets=2.5), TypeError),
    ("str_buckets", lambda: summary.histogram("bad", [1.0], step=0, buckets="10"), TypeError),
    ("bool_buckets", lambda: summary.histogram("bad", [1.0], step=0, buckets=True), TypeError),
    ("int32_overflow", lambda: summary.histogram("bad", [1.0], step=0, buckets=2**31), ValueError),
    ("huge", lambda: summary.histogram("bad", [1.0], step=0, buckets=2**16 + 1), ValueError),
    ("no_step", lambda: summary.histogram("bad", [1.0]), ValueError),
]


@pytest.mark.parametrize(
    "call, error", [case[1:] for case in BAD_INPUTS], ids=[c[0] for c in BAD_INPUTS]
)
def test_bad_input_is_rejected_and_nothing_is_written(logdir, call, error):
    assert_rejected(logdir, call, error, "summary.histogram('bad')")


def test_the_largest_bucket_count_is_accepted(logdir):
    with summary.create_file_writer(logdir) as writer, writer.as_default():
        assert summary.histogram("wide", np.arange(10.0), step=0, buckets=2**16)
    ((_, _, table),) = values(accumulator(logdir), "wide")
    assert table.shape == (2**16, 3) and table[:, 2].sum() == 10
