"""Which records of a tag a sampled read keeps: the first, the last and evenly spaced ones between.

Chosen by position among the tag's records, so the same file always gives the same sample, with an
index or without (TensorBoard's reservoir is random; ours is documented in docs/reading.md).
"""

from __future__ import annotations

import numpy as np


def sample_positions(count: int, keep: int) -> np.ndarray:
    """Positions (0-based, ascending, distinct) of the `keep` records kept out of `count`.

    `keep >= count` keeps all; `keep == 1` keeps the last (the latest value); otherwise the first,
    the last and `keep - 2` between, position i*(count-1)/(keep-1) rounded half up.
    """
    if keep < 1:
        raise ValueError(f"a sample keeps at least 1 record, not {keep}")
    if keep >= count:
        return np.arange(count, dtype=np.int64)
    if keep == 1:
        return np.array([count - 1], dtype=np.int64)
    spaces = keep - 1
    return (np.arange(keep, dtype=np.int64) * (count - 1) + spaces // 2) // spaces
