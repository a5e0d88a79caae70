"""Histograms: TF 2.x's equal-width buckets over [min, max], for the Histograms/Distributions tabs.

Each value is a [k, 3] float64 tensor of rows [left_edge, right_edge, count]. NaN and ±inf are
left out of the buckets (TF 2.x lets them turn every edge into NaN); a warning says so once per tag.
"""

from __future__ import annotations

import math
import sys
import time
import warnings
from typing import Any

import numpy as np

from summary.ops.declare import summary_op
from summary.ops.inputs import to_int, to_numeric_array
from summary.ops.metadata import description_metadata
from summary.ops.snapshots import flat_snapshot, recycle
from summary.wire.tensors import tensor_bytes
from summary.writer import context
from summary.writer.entries import TensorEntry
from summary.writer.errors import op_error
from summary.writer.locks import ForkSafeLock
from summary.writer.target import SummaryTarget

PLUGIN_NAME = "histograms"
DEFAULT_BUCKET_COUNT = 30
# TensorBoard draws 30 buckets; a count far beyond that is a mistake whose [k, 3] table (built on
# the writer thread, 24 bytes a row per value) could exhaust memory, so it is refused at the call.
MAX_BUCKETS = 1 << 16
_CHUNK = 1 << 16  # elements bucketed per pass: keeps the float64 scratch buffer in cache

_warned_tags: set[str] = set()
_warned_lock = ForkSafeLock()


class NonFiniteHistogramWarning(UserWarning):
    """NaN or ±inf values were left out of a histogram's buckets."""


@summary_op("histogram")
def histogram(
    target: SummaryTarget,
    tag: str,
    data: Any,
    step: Any = None,
    buckets: int | None = None,
    description: str | None = None,
) -> None:
    """Log the distribution of `data`'s elements under `name` (default 30 buckets, as TF 2.x).

    Returns False and writes nothing when there is no default writer or recording is off.
    The caller's thread only validates and copies `data`; bucketing runs on the writer thread.
    """
    metadata = description_metadata("histogram", tag, PLUGIN_NAME, b"", description)
    bucket_count = check_buckets("histogram", tag, buckets)
    values = flat_snapshot(to_numeric_array("histogram", tag, data))
    step = context.resolve_step("histogram", tag, step)
    value_range = _finite_range(values)
    if value_range is None and tag not in _warned_tags:
        _warn_non_finite(tag, values)
    target.enqueue_tensor(
        TensorEntry(
            tag,
            step,
            time.time(),
            lambda: _encode(values, bucket_count, value_range),
            metadata,
            values.nbytes,
        )
    )


def _encode(
    values: np.ndarray, bucket_count: int, value_range: tuple[float, float] | None
) -> bytes:
    """The serialized tensor, on the writer thread; the snapshot's memory is reused after."""
    try:
        return tensor_bytes(histogram_tensor(values, bucket_count, value_range))
    finally:
        recycle(values)


def check_buckets(op: str, tag: str, buckets: Any) -> int:
    """The bucket count: 30 for None, negative counts as 0 (as TF); only integers are accepted."""
    if buckets is None:
        return DEFAULT_BUCKET_COUNT
    count = to_int(op, tag, "buckets", buckets)
    check_bucket_bound(op, tag, count)
    return max(0, count)


def check_bucket_bound(op: str, tag: str, count: int) -> None:
    """Refuse more than MAX_BUCKETS buckets, saying why."""
    if count > MAX_BUCKETS:
        raise op_error(
            op,
            tag,
            f"buckets must be at most {MAX_BUCKETS} (TensorBoard draws 30; a larger table "
            f"costs memory and disk for detail it cannot show), got {count}",
        )


def histogram_tensor(
    values: np.ndarray, buckets: int, value_range: tuple[float, float] | None = None
) -> np.ndarray:
    """TF 2.x's histogram of `values` as a [k, 3] float64 array; non-finite values left out.

    `value_range` is the (min, max) of `values` when the caller already knows it to be finite.
    """
    k = max(0, int(buckets))
    values = np.asarray(values).reshape(-1)
    if k == 0 or values.size == 0:
        return np.zeros((k, 3))
    low, high = value_range or (float(values.min()), float(values.max()))
    if values.dtype.kind == "f" and not (math.isfinite(low) and math.isfinite(high)):
        values = values[np.isfinite(values)]
        if values.size == 0:
            return np.zeros((k, 3))
        low, high = float(values.min()), float(values.max())
    out = np.empty((k, 3))
    if high == low:  # TF: every edge is the value; the last bucket holds every element
        out[:, :2] = high
        out[:, 2] = 0.0
        out[-1, 2] = values.size
        return out
    width = (high - low) / k
    out[:, 2] = _bucket_counts(values, k, low, width)
    with np.errstate(invalid="ignore", over="ignore"):  # a range past float64's max: inf edges
        edges = low + width * np.arange(k + 1, dtype=np.float64)  # tf.linspace(min, max, k + 1)
    edges[0], edges[-1] = low, high  # TF concatenates the exact endpoints
    out[:, 0], out[:, 1] = edges[:-1], edges[1:]
    return out


def _bucket_counts(values: np.ndarray, k: int, low: float, width: float) -> np.ndarray:
    """Counts of floor((x - min) / width) clamped to k - 1, computed in float64 as TF does.

    With a finite, normal width no quotient exceeds k, so indices are counted in k + 1 bins and
    the last folded into bucket k - 1, cheaper than clamping each; other widths clamp each one.
    """
    clamp = not (math.isfinite(width) and width >= sys.float_info.min)
    counts = np.zeros(k + 1, dtype=np.int64)
    scratch = np.empty(min(values.size, _CHUNK), dtype=np.float64)
    indices = np.empty(scratch.size, dtype=np.intp)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        for start in range(0, values.size, _CHUNK):
            chunk = values[start : start + _CHUNK]
            quotient, index = scratch[: chunk.size], indices[: chunk.size]
            np.copyto(quotient, chunk)
            np.subtract(quotient, low, out=quotient)
            np.divide(quotient, width, out=quotient)
            if clamp:
                np.fmin(quotient, k - 1, out=quotient)  # also sends NaN (overflowed ranges) last
            np.copyto(index, quotient, casting="unsafe")
            counts += np.bincount(index, minlength=k + 1)
    counts[k - 1] += counts[k]
    return counts[:k]


def _finite_range(values: np.ndarray) -> tuple[float, float] | None:
    """(min, max) of `values` for the writer thread, (0, 0) if empty, None if NaN/±inf occur.

    Two whole-array passes on the caller's thread: chunked passes would be cheaper alone, but
    each chunk hands the GIL back and forth with a writer thread busy bucketing.
    """
    if values.size == 0:
        return 0.0, 0.0
    low, high = float(values.min()), float(values.max())
    return (low, high) if math.isfinite(low) and math.isfinite(high) else None


def _warn_non_finite(tag: str, values: np.ndarray) -> None:
    """Warn, once per tag, that NaN/±inf in `values` will be left out of the buckets."""
    with _warned_lock:
        if tag in _warned_tags:
            return
        _warned_tags.add(tag)
    nan = int(np.count_nonzero(np.isnan(values)))
    posinf = int(np.count_nonzero(values == np.inf))
    neginf = int(np.count_nonzero(values == -np.inf))
    warnings.warn(
        f"summary.histogram({tag!r}): left {nan + posinf + neginf} of {values.size} values out "
        f"of the buckets ({nan} NaN, {posinf} +inf, {neginf} -inf); TF 2.x would have turned "
        "the bucket edges into NaN. Shown once per tag.",
        NonFiniteHistogramWarning,
        stacklevel=4,  # the user's call: _warn_non_finite, the body, the declared op
    )
