"""Plain-Python restatements of what TF 1.x's summary kernels compute, for expected values.

Written from TF's sources, element by element, without NumPy vectorisation or our code:
- histograms: tensorflow/core/lib/histogram/histogram.cc (InitDefaultBucketsInner, Add,
  EncodeToProto with preserve_zero_buckets=false);
- images: tensorflow/core/kernels/summary_image_op.cc (NormalizeFloatImage, bad_color);
- audio: tensorflow/core/lib/wav/wav_io.cc (FloatToInt16Sample);
- PR curves: tensorboard/plugins/pr_curve/summary.py (`op`: clamp; `pb`: bucketed counts);
- TensorBoard's reading of legacy histograms: tensorboard/data_compat.py.
"""

from __future__ import annotations

import bisect
import math
import struct
import sys

DBL_MAX = sys.float_info.max


def f32(x: float) -> float:
    """`x` rounded to float32 (round to nearest even), as a C++ float would hold it."""
    try:
        return struct.unpack("f", struct.pack("f", x))[0]
    except OverflowError:
        return math.copysign(math.inf, x)


def f16(x: float) -> float:
    try:
        return struct.unpack("e", struct.pack("e", x))[0]
    except OverflowError:
        return math.copysign(math.inf, x)


def tf1_bucket_limits() -> list[float]:
    """Start at 1e-12, grow by 10% while below 1e20, then DBL_MAX; mirrored; 0 in between."""
    positive = []
    v = 1.0e-12
    while v < 1.0e20:
        positive.append(v)
        v *= 1.1
    positive.append(DBL_MAX)
    return [-x for x in reversed(positive)] + [0.0] + positive


def tf1_histogram(values: list[float]) -> dict:
    """The fields TF 1.x's HistogramSummary writes for `values` (finite floats)."""
    limits = tf1_bucket_limits()
    counts = [0.0] * len(limits)
    low, high, total, squares = limits[-1], -DBL_MAX, 0.0, 0.0
    for x in values:
        # std::upper_bound; x == DBL_MAX would index past the end in TF (undefined behaviour):
        # summary counts it in the last bucket
        counts[min(bisect.bisect_right(limits, x), len(limits) - 1)] += 1.0
        low, high = min(low, x), max(high, x)
        total += x
        squares += x * x
    bucket_limit, bucket = [], []
    i = 0
    while i < len(counts):  # EncodeToProto: a run of empty buckets becomes one entry
        end, count = limits[i], counts[i]
        i += 1
        if count <= 0.0:
            while i < len(counts) and counts[i] <= 0.0:
                end, count = limits[i], counts[i]
                i += 1
        bucket_limit.append(end)
        bucket.append(count)
    return {
        "min": low,
        "max": high,
        "num": float(len(values)),
        "sum": total,
        "sum_squares": squares,
        "bucket_limit": bucket_limit,
        "bucket": bucket,
    }


def tensorboard_histogram_rows(histo: dict) -> list[list[float]]:
    """TensorBoard's Python conversion of a legacy histogram to [left, right, count] rows."""
    counts = histo["bucket"]
    nonzero = [i for i, c in enumerate(counts) if c > 0]
    if not nonzero:
        return []
    start, end = nonzero[0], nonzero[-1]
    inner = histo["bucket_limit"][start:end]
    lefts = [histo["min"]] + inner
    rights = inner + [histo["max"]]
    return [
        [f32(a), f32(b), f32(c)]
        for a, b, c in zip(lefts, rights, counts[start : end + 1], strict=True)
    ]


def tf1_image_pixels(image, dtype: str) -> list[list[list[int]]]:
    """TF 1.x's uint8 pixels for one [h][w][c] float image of `dtype` (float16/32/64)."""
    in_t = {"float16": f16, "float32": f32, "float64": lambda x: x}[dtype]
    pixels = [[[in_t(float(v)) for v in px] for px in row] for row in image]
    finite = [[all(math.isfinite(v) for v in px) for px in row] for row in pixels]
    seen = [
        f32(v)
        for row, oks in zip(pixels, finite, strict=True)
        for px, ok in zip(row, oks, strict=True)
        if ok
        for v in px
    ]
    low, high = (min(seen), max(seen)) if seen else (math.inf, -math.inf)
    threshold = f32(1e-6)
    if low < 0:
        magnitude = max(abs(low), abs(high))
        scale, offset = (0.0 if magnitude < threshold else f32(127.0 / magnitude)), 128.0
    else:
        scale, offset = (0.0 if high < threshold else f32(255.0 / high)), 0.0
    scale = in_t(scale)
    bad = [255, 0, 0, 255]
    out = []
    for row, oks in zip(pixels, finite, strict=True):
        out_row = []
        for px, ok in zip(row, oks, strict=True):
            if ok:
                out_row.append([int(in_t(in_t(v * scale) + offset)) for v in px])
            else:
                out_row.append(bad[: len(px)])
        out.append(out_row)
    return out


def tf1_wav_sample(x: float) -> int:
    """FloatToInt16Sample: roundf(float(x) * 32768) (half away from zero), clamped to int16."""
    v = f32(x) * 32768.0
    rounded = math.copysign(math.floor(abs(v) + 0.5), v)
    return int(min(max(rounded, -32768.0), 32767.0))


def tf1_pr_curve(labels, predictions, num_thresholds: int, weights=None) -> list[list[float]]:
    """Rows TP, FP, TN, FN, precision, recall: predictions clamped to [0, 1], bucketed at
    floor(p * (N - 1)); counts at threshold j are over buckets >= j."""
    n = num_thresholds
    weights = weights if weights is not None else [1.0] * len(labels)
    buckets = [min(max(float(p), 0.0), 1.0) for p in predictions]
    index = [math.floor(p * (n - 1)) for p in buckets]
    tp = [
        sum(w for i, y, w in zip(index, labels, weights, strict=True) if y and i >= j)
        for j in range(n)
    ]
    fp = [
        sum(w for i, y, w in zip(index, labels, weights, strict=True) if not y and i >= j)
        for j in range(n)
    ]
    tn = [fp[0] - x for x in fp]
    fn = [tp[0] - x for x in tp]
    precision = [t / max(1e-7, t + f) for t, f in zip(tp, fp, strict=True)]
    recall = [t / max(1e-7, t + f) for t, f in zip(tp, fn, strict=True)]
    return [[f32(x) for x in row] for row in (tp, fp, tn, fn, precision, recall)]
