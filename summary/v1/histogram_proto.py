"""TF 1.x histograms: a HistogramProto over TF's fixed exponential buckets (`histogram.cc`).

The default bucket limits are ±1e-12·1.1^i up to 1e20, ±DBL_MAX and 0 (1551 limits); a value x
counts in the bucket of the first limit strictly greater than x. Runs of empty buckets are
collapsed into one entry carrying the limit of the run's last bucket, as TF encodes them.
"""

from __future__ import annotations

import functools
import sys

import numpy as np

from summary.proto import summary_pb2

DBL_MAX = sys.float_info.max


@functools.lru_cache(maxsize=1)
def default_bucket_limits() -> np.ndarray:
    """TF 1.x's default limits: [-DBL_MAX, …, -1e-12, 0, 1e-12, …, DBL_MAX], read-only."""
    positive = []
    limit = 1.0e-12
    while limit < 1.0e20:  # grow by 10% per bucket, multiplying as TF does (same rounding)
        positive.append(limit)
        limit *= 1.1
    positive.append(DBL_MAX)
    limits = np.array([-x for x in reversed(positive)] + [0.0] + positive, dtype=np.float64)
    limits.setflags(write=False)
    return limits


def histogram_proto(values: np.ndarray) -> summary_pb2.HistogramProto:
    """The HistogramProto TF 1.x's HistogramSummary op builds from finite `values` (any shape)."""
    values = np.asarray(values, dtype=np.float64).reshape(-1)
    limits = default_bucket_limits()
    proto = summary_pb2.HistogramProto()
    if values.size == 0:
        proto.min, proto.max = DBL_MAX, -DBL_MAX  # TF's "no value yet" state
        proto.bucket_limit.append(DBL_MAX)
        proto.bucket.append(0.0)
        return proto
    proto.min = float(values.min())
    proto.max = float(values.max())
    proto.num = float(values.size)
    with np.errstate(over="ignore"):  # beyond float64: inf, as TF's double sums give
        proto.sum = float(values.sum())
        proto.sum_squares = float(np.dot(values, values))
    index = np.searchsorted(limits, values, side="right")  # std::upper_bound
    np.minimum(index, limits.size - 1, out=index)  # x == DBL_MAX: TF would index past the end
    counts = np.bincount(index, minlength=limits.size).astype(np.float64)
    keep = counts > 0
    keep[:-1] |= keep[1:]  # an empty bucket is written only as the last of its run
    keep[-1] = True
    proto.bucket_limit.extend(limits[keep].tolist())
    proto.bucket.extend(counts[keep].tolist())
    return proto
