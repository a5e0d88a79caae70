"""Bad input to summary.v1 gets a ValueError/TypeError naming the op, the tag and the problem."""

import numpy as np
import pytest

from summary import v1

CASES = [
    (lambda: v1.scalar_pb("loss", [1.0, 2.0]), ValueError, r"v1\.scalar_pb\('loss'\).*rank 0"),
    (lambda: v1.scalar_pb("loss", "high"), TypeError, r"v1\.scalar_pb\('loss'\)"),
    (lambda: v1.scalar_pb("loss", 1 + 2j), TypeError, r"v1\.scalar_pb\('loss'\).*complex"),
    (lambda: v1.scalar_pb("", 1.0), ValueError, r"v1\.scalar_pb\(''\).*empty"),
    (lambda: v1.scalar_pb(3, 1.0), TypeError, r"v1\.scalar_pb\(3\).*name must be a str"),
    (lambda: v1.histogram_pb("w", [1.0, np.nan]), ValueError, r"v1\.histogram_pb\('w'\): NaN"),
    (lambda: v1.histogram_pb("w", [1.0, np.inf]), ValueError, r"v1\.histogram_pb\('w'\): ±inf"),
    (lambda: v1.histogram_pb("w", [True]), TypeError, r"v1\.histogram_pb\('w'\).*bool"),
    (lambda: v1.image_pb("img", np.zeros((2, 2, 3))), ValueError, r"v1\.image_pb\('img'\).*rank-4"),
    (
        lambda: v1.image_pb("img", np.zeros((1, 2, 2, 2))),
        ValueError,
        r"v1\.image_pb\('img'\).*1/3/4 channels",
    ),
    (
        lambda: v1.image_pb("img", np.zeros((1, 2, 2, 3), np.int32)),
        TypeError,
        r"v1\.image_pb\('img'\).*uint8.*float.*int32",
    ),
    (
        lambda: v1.image_pb("img", np.zeros((1, 2, 2, 3), bool)),
        TypeError,
        r"v1\.image_pb\('img'\).*bool",
    ),
    (
        lambda: v1.image_pb("img", np.zeros((1, 2, 2, 3)), max_outputs=0),
        ValueError,
        r"v1\.image_pb\('img'\).*max_outputs must be >= 1",
    ),
    (
        lambda: v1.audio_pb("a", np.zeros(5), 8000),
        ValueError,
        r"v1\.audio_pb\('a'\).*\[k, t\] or rank-3",
    ),
    (
        lambda: v1.audio_pb("a", np.zeros((1, 5), np.int16), 8000),
        TypeError,
        r"v1\.audio_pb\('a'\).*floats",
    ),
    (lambda: v1.audio_pb("a", np.zeros((1, 5)), 0), ValueError, r"v1\.audio_pb\('a'\).*positive"),
    (lambda: v1.audio_pb("a", np.zeros((1, 5)), "fast"), TypeError, r"v1\.audio_pb\('a'\).*Hz"),
    (lambda: v1.text_pb("t", [1, 2]), TypeError, r"v1\.text_pb\('t'\).*str"),
    (
        lambda: v1.pr_curve_pb("pr", [True, False], [0.5]),
        ValueError,
        r"v1\.pr_curve_pb\('pr'\).*same shape",
    ),
    (
        lambda: v1.pr_curve_pb("pr", [True], [np.nan]),
        ValueError,
        r"v1\.pr_curve_pb\('pr'\).*NaN",
    ),
    (
        lambda: v1.pr_curve_pb("pr", [True], [0.5], num_thresholds=1),
        ValueError,
        r"v1\.pr_curve_pb\('pr'\).*num_thresholds",
    ),
    (
        lambda: v1.pr_curve_pb("pr", [2], [0.5]),
        ValueError,
        r"v1\.pr_curve_pb\('pr'\).*labels must be bool",
    ),
]


@pytest.mark.parametrize("call, error, message", CASES)
def test_bad_input_names_op_and_tag(call, error, message):
    with pytest.raises(error, match=message):
        call()
