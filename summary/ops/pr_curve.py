"""Precision–recall curves: TP/FP/TN/FN, precision and recall at evenly spaced thresholds.

The [6, num_thresholds] float32 tensor is computed as TensorBoard's `pr_curve.summary.pb` does:
bucket each prediction at floor(p * (N - 1)), then reverse cumulative sums of weighted labels.
"""

from __future__ import annotations

import functools
import operator
import time
from typing import Any

import numpy as np

from summary.ops.declare import summary_op
from summary.ops.inputs import to_numeric_array
from summary.ops.metadata import description_metadata
from summary.proto.plugins import pr_curve_pb2
from summary.wire.tensors import tensor_bytes
from summary.writer import context
from summary.writer.entries import TensorEntry
from summary.writer.errors import op_error, op_type_error
from summary.writer.target import SummaryTarget

PLUGIN_NAME = "pr_curves"
DEFAULT_NUM_THRESHOLDS = 201
_MINIMUM_COUNT = 1e-7  # TensorBoard's floor for the precision and recall denominators
# TensorBoard's default is 201; the [6, N] float64 table is built per value on the writer thread,
# so a count like 10**9 (48 GB) is refused at the call rather than exhausting memory there.
_MAX_THRESHOLDS = 1 << 16


@summary_op("pr_curve")
def pr_curve(
    target: SummaryTarget,
    tag: str,
    labels: Any,
    predictions: Any,
    step: Any = None,
    num_thresholds: int = DEFAULT_NUM_THRESHOLDS,
    weights: Any = None,
    description: str | None = None,
) -> None:
    """Log a PR curve for a binary classifier: bool `labels`, `predictions` in [0, 1].

    `weights` (optional) multiply each example's counts and broadcast to the labels' shape.
    Returns False and writes nothing when there is no default writer or recording is off.
    """
    n = check_num_thresholds("pr_curve", tag, num_thresholds)
    metadata = description_metadata("pr_curve", tag, PLUGIN_NAME, plugin_content(n), description)
    labels, predictions, weights = check_pr_inputs("pr_curve", tag, labels, predictions, weights)
    step = context.resolve_step("pr_curve", tag, step)
    target.enqueue_tensor(
        TensorEntry(
            tag,
            step,
            time.time(),
            lambda: tensor_bytes(pr_curve_tensor(labels, predictions, n, weights)),
            metadata,
            labels.nbytes + predictions.nbytes + (0 if weights is None else weights.nbytes),
        )
    )


@functools.lru_cache(maxsize=64)
def plugin_content(num_thresholds: int) -> bytes:
    """Serialized PrCurvePluginData{version: 0, num_thresholds}, as TensorBoard writes it."""
    return pr_curve_pb2.PrCurvePluginData(
        version=0, num_thresholds=num_thresholds
    ).SerializeToString()


def check_num_thresholds(op: str, tag: str, num_thresholds: Any) -> int:
    """`num_thresholds` as an int >= 2, or a TypeError/ValueError naming op and tag."""
    try:
        if isinstance(num_thresholds, (bool, np.bool_)):
            raise TypeError
        n = operator.index(num_thresholds)
    except TypeError:
        raise op_type_error(
            op,
            tag,
            "num_thresholds must be an int, got "
            f"{type(num_thresholds).__name__} {num_thresholds!r}",
        ) from None
    if not 2 <= n <= _MAX_THRESHOLDS:
        raise op_error(
            op,
            tag,
            f"num_thresholds must be between 2 and {_MAX_THRESHOLDS} (a larger table costs memory "
            f"and disk for detail TensorBoard cannot show), got {n}",
        )
    return n


def check_pr_inputs(
    op: str, tag: str, labels: Any, predictions: Any, weights: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Validated copies: labels as bool, predictions as floats in [0, 1], weights as float64."""
    predictions = to_numeric_array(op, tag, predictions)
    labels = to_numeric_array(op, tag, labels)
    if predictions.dtype.kind == "b":
        raise op_type_error(
            op,
            tag,
            "predictions must be probabilities in [0, 1], got bool "
            "values (were labels and predictions swapped?)",
        )
    if labels.shape != predictions.shape:
        raise op_error(
            op,
            tag,
            "labels and predictions must have the same shape, got "
            f"{labels.shape} and {predictions.shape}",
        )
    if labels.dtype.kind != "b" and not np.all((labels == 0) | (labels == 1)):
        other = labels[(labels != 0) & (labels != 1)].flat[0]
        raise op_error(op, tag, f"labels must be bool (or 0/1), got values such as {other!r}")
    if predictions.size:
        low, high = predictions.min(), predictions.max()
        if np.isnan(low):
            raise op_error(op, tag, "predictions contain NaN")
        if low < 0 or high > 1:
            raise op_error(op, tag, f"predictions must be in [0, 1], got values in [{low}, {high}]")
    return labels.astype(bool), np.array(predictions), _check_weights(op, tag, weights, labels)


def _check_weights(op: str, tag: str, weights: Any, labels: np.ndarray) -> np.ndarray | None:
    if weights is None:
        return None
    weights = to_numeric_array(op, tag, weights).astype(np.float64)
    try:
        np.broadcast_shapes(weights.shape, labels.shape)
        weights = np.broadcast_to(weights, labels.shape)
    except ValueError:
        raise op_error(
            op,
            tag,
            f"weights of shape {weights.shape} do not broadcast to the "
            f"labels' shape {labels.shape}",
        ) from None
    if not np.all(np.isfinite(weights)):
        raise op_error(op, tag, "weights contain NaN or ±inf")
    return np.array(weights)


def pr_curve_tensor(
    labels: np.ndarray,
    predictions: np.ndarray,
    num_thresholds: int,
    weights: np.ndarray | None = None,
) -> np.ndarray:
    """[6, num_thresholds] float32 rows TP, FP, TN, FN, precision, recall (column j ↔ j/(N-1)).

    Predictions are clamped to [0, 1] first, as TF 1.x's op does (a no-op for validated input);
    float32/float64 predictions are bucketed in their own precision, as TensorBoard does.
    """
    n = num_thresholds
    labels = np.asarray(labels)
    shape = labels.shape
    positive = labels.reshape(-1).astype(np.float64)
    predictions = np.asarray(predictions).reshape(-1)
    if predictions.dtype not in (np.float32, np.float64):  # ints exactly; float16 as float32
        predictions = predictions.astype(
            np.float64 if predictions.dtype.kind in "iu" else np.float32
        )
    predictions = np.clip(predictions, 0, 1)
    index = np.floor(predictions * (n - 1)).astype(np.intp)  # in the predictions' own dtype
    if weights is None:
        true_weights, false_weights = positive, 1.0 - positive
    else:
        weight = np.broadcast_to(np.asarray(weights, dtype=np.float64), shape).reshape(-1)
        true_weights, false_weights = positive * weight, (1.0 - positive) * weight
    tp = np.bincount(index, weights=true_weights, minlength=n)[::-1].cumsum()[::-1]
    fp = np.bincount(index, weights=false_weights, minlength=n)[::-1].cumsum()[::-1]
    tn = fp[0] - fp
    fn = tp[0] - tp
    precision = tp / np.maximum(_MINIMUM_COUNT, tp + fp)
    recall = tp / np.maximum(_MINIMUM_COUNT, tp + fn)
    return np.stack([tp, fp, tn, fn, precision, recall]).astype(np.float32)
