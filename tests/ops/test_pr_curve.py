"""summary.pr_curve: the [6, N] tensor TensorBoard's pr_curve summary computes, and its metadata."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import summary
from summary.ops.pr_curve import pr_curve_tensor
from tests.ops.rejections import assert_rejected
from tests.tensorboard_loader import accumulator, plugin_of, values

plugin_data_pb2 = pytest.importorskip("tensorboard.plugins.pr_curve.plugin_data_pb2")


def tb_pr_curve(labels, predictions, num_thresholds, weights=None):
    """TensorBoard's `pr_curve.summary.pb` (tensorboard/plugins/pr_curve/summary.py, 2.21) restated
    per threshold: example i counts as predicted positive at threshold j when its bucket
    floor(p_i * (N - 1)) >= j (the op's `C(t) = predictions >= t`), counts weighted; precision =
    tp / max(1e-7, tp + fp), recall = tp / max(1e-7, tp + fn); everything cast to float32."""
    n = num_thresholds
    shape = np.shape(labels)
    positive = np.asarray(labels).reshape(-1).astype(np.float64)
    weight = np.ones(positive.shape) if weights is None else np.broadcast_to(weights, shape)
    weight = np.asarray(weight, dtype=np.float64).reshape(-1)
    bucket = np.floor(np.asarray(predictions).reshape(-1) * (n - 1))
    above = bucket[None, :] >= np.arange(n)[:, None]
    tp = (above * positive * weight).sum(axis=1)
    fp = (above * (1 - positive) * weight).sum(axis=1)
    tn = (~above * (1 - positive) * weight).sum(axis=1)
    fn = (~above * positive * weight).sum(axis=1)
    precision = tp / np.maximum(1e-7, tp + fp)
    recall = tp / np.maximum(1e-7, tp + fn)
    return np.stack([tp, fp, tn, fn, precision, recall]).astype(np.float32)


def pr_inputs(size, dtype=np.float32):
    return st.tuples(
        hnp.arrays(np.bool_, size),
        hnp.arrays(dtype, size, elements=st.floats(0, 1, width=np.dtype(dtype).itemsize * 8)),
    )


@settings(max_examples=200, deadline=None)
@given(
    data=st.integers(0, 80).flatmap(
        lambda size: st.tuples(
            pr_inputs(size, np.float32) | pr_inputs(size, np.float64),
            st.none() | hnp.arrays(np.int64, size, elements=st.integers(0, 5)),
        )
    ),
    num_thresholds=st.integers(2, 60),
)
def test_tensor_equals_tensorboards_computation(data, num_thresholds):
    (labels, predictions), weights = data
    result = pr_curve_tensor(labels, predictions, num_thresholds, weights)
    assert result.dtype == np.float32 and result.shape == (6, num_thresholds)
    np.testing.assert_array_equal(result, tb_pr_curve(labels, predictions, num_thresholds, weights))


def test_a_small_curve_worked_by_hand():
    # Thresholds 0, 0.5, 1; buckets floor(p * 2) = [1, 0, 1, 0].
    result = pr_curve_tensor([True, False, True, False], np.float32([0.9, 0.1, 0.6, 0.4]), 3)
    np.testing.assert_array_equal(
        result,
        np.float32(
            [
                [2, 2, 0],  # TP
                [2, 0, 0],  # FP
                [0, 2, 2],  # TN
                [0, 0, 2],  # FN
                [0.5, 1, 0],  # precision
                [1, 1, 0],  # recall
            ]
        ),
    )


def test_fractional_weights_broadcast():
    rng = np.random.default_rng(1)
    labels = rng.random((40, 3)) < 0.5
    predictions = rng.random((40, 3)).astype(np.float32)
    weights = rng.random((40, 1))
    np.testing.assert_allclose(
        pr_curve_tensor(labels, predictions, 11, weights),
        tb_pr_curve(labels, predictions, 11, weights),
        rtol=1e-6,
    )


def test_op_writes_what_tensorboard_reads(logdir):
    rng = np.random.default_rng(0)
    labels = rng.random(300) < 0.4
    predictions = np.clip(labels * 0.3 + rng.random(300) * 0.7, 0, 1).astype(np.float32)
    weights = rng.integers(0, 3, size=300)
    with summary.create_file_writer(logdir):
        for step in range(3):
            assert summary.pr_curve("pr/default", labels, predictions, step=step)
        assert summary.pr_curve(
            "pr/weighted",
            labels.astype(int),
            predictions,
            step=0,
            num_thresholds=11,
            weights=weights,
            description="validation set",
        )
    acc = accumulator(logdir)
    for tag, n in (("pr/default", 201), ("pr/weighted", 11)):
        assert plugin_of(acc, tag) == "pr_curves"
        metadata = acc.SummaryMetadata(tag)
        content = plugin_data_pb2.PrCurvePluginData.FromString(metadata.plugin_data.content)
        assert content.version == 0 and content.num_thresholds == n
    assert acc.SummaryMetadata("pr/default").plugin_data.content == b"\x10\xc9\x01"  # FORMAT.md §4
    assert acc.SummaryMetadata("pr/weighted").summary_description == "validation set"
    loaded = values(acc, "pr/default")
    assert [step for step, _, _ in loaded] == [0, 1, 2]
    for _, _, tensor in loaded:
        assert tensor.dtype == np.float32 and tensor.shape == (6, 201)
        np.testing.assert_array_equal(tensor, tb_pr_curve(labels, predictions, 201))
    ((_, _, tensor),) = values(acc, "pr/weighted")
    np.testing.assert_array_equal(tensor, tb_pr_curve(labels, predictions, 11, weights))


def test_inputs_are_snapshotted_and_recording_respected(logdir):
    labels = np.array([True, False, True])
    predictions = np.array([0.8, 0.3, 0.6])
    expected = tb_pr_curve(labels.copy(), predictions.copy(), 5)
    with summary.create_file_writer(logdir):
        summary.pr_curve("snap", labels, predictions, step=0, num_thresholds=5)
        labels[:] = False
        predictions[:] = 0.0
        with summary.record_if(False):
            assert not summary.pr_curve("skipped", labels, predictions, step=0)
    assert not summary.pr_curve("no_writer", labels, predictions, step=0)
    acc = accumulator(logdir)
    assert acc.Tags()["tensors"] == ["snap"]
    ((_, _, tensor),) = values(acc, "snap")
    np.testing.assert_array_equal(tensor, expected)


@pytest.mark.torch
def test_torch_tensors(logdir):
    torch = pytest.importorskip("torch")
    labels = torch.tensor([True, False, True, True])
    predictions = torch.tensor([0.9, 0.4, 0.2, 0.7], requires_grad=True)
    with summary.create_file_writer(logdir):
        summary.pr_curve("torch", labels, predictions, step=0, num_thresholds=9)
    ((_, _, tensor),) = values(accumulator(logdir), "torch")
    np.testing.assert_array_equal(
        tensor, tb_pr_curve(labels.numpy(), predictions.detach().numpy(), 9)
    )


def pr(labels=(True, False), predictions=(0.2, 0.7), **kwargs):
    kwargs.setdefault("step", 0)
    return lambda: summary.pr_curve("bad", labels, predictions, **kwargs)


BAD_INPUTS = [
    ("shape_mismatch", pr(predictions=[0.2, 0.7, 0.1]), ValueError),
    ("above_one", pr(predictions=[0.2, 1.5]), ValueError),
    ("below_zero", pr(predictions=[-0.1, 0.5]), ValueError),
    ("nan_prediction", pr(predictions=[np.nan, 0.5]), ValueError),
    ("bool_predictions", pr(predictions=[True, False]), TypeError),
    ("complex_predictions", pr(predictions=np.array([0.5, 0.1j])), TypeError),
    ("label_two", pr(labels=[0, 2]), ValueError),
    ("string_labels", pr(labels=["yes", "no"]), TypeError),
    ("one_threshold", pr(num_thresholds=1), ValueError),
    ("float_thresholds", pr(num_thresholds=10.0), TypeError),
    ("bool_thresholds", pr(num_thresholds=True), TypeError),
    ("weights_shape", pr(weights=[1.0, 2.0, 3.0]), ValueError),
    ("nan_weights", pr(weights=[1.0, np.nan]), ValueError),
    ("no_step", pr(step=None), ValueError),
]


@pytest.mark.parametrize("call, error", [c[1:] for c in BAD_INPUTS], ids=[c[0] for c in BAD_INPUTS])
def test_bad_input_is_rejected_and_nothing_is_written(logdir, call, error):
    assert_rejected(logdir, call, error, "summary.pr_curve('bad')")
