"""Bad input to any op: a ValueError/TypeError naming op and tag, and nothing written.

Every case logs a valid scalar before and after the rejected call; TensorBoard's own loader must
then see exactly those two values and nothing else (the rejected call left the file intact).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest

import summary
from summary.reader import iter_events
from tests.tensorboard_loader import accumulator, scalar_series

IMAGES = np.zeros((2, 4, 4, 3), np.uint8)
CLIPS = np.zeros((2, 16, 1), np.float32)


@dataclass(frozen=True)
class Case:
    id: str
    call: Callable[[], object]
    error: type[Exception]
    op: str
    tag: object = "x"
    match: str = ""


def scalar(data=1.0, name="x", **kw):
    return lambda: summary.scalar(name, data, **{"step": 1, **kw})


def write(tensor=1.0, tag="x", **kw):
    return lambda: summary.write(tag, tensor, **{"step": 1, **kw})


def image(data=IMAGES, name="x", **kw):
    return lambda: summary.image(name, data, **{"step": 1, **kw})


def audio(data=CLIPS, sample_rate=8000, name="x", **kw):
    return lambda: summary.audio(name, data, sample_rate, **{"step": 1, **kw})


def histogram(data=(1.0, 2.0), name="x", **kw):
    return lambda: summary.histogram(name, data, **{"step": 1, **kw})


def text(data="hello", name="x", **kw):
    return lambda: summary.text(name, data, **{"step": 1, **kw})


def pr_curve(labels=(True, False), predictions=(0.9, 0.1), name="x", **kw):
    return lambda: summary.pr_curve(name, labels, predictions, **{"step": 1, **kw})


def scoped_scalar(scope):
    def call():
        with summary.name_scope(scope):
            summary.scalar("x", 1.0, step=1)

    return call


def scoped_image(data):
    def call():
        with summary.name_scope("train"):
            summary.image("samples", data, step=1)

    return call


CASES = [
    # scalar
    Case("scalar-empty-tag", scalar(name=""), ValueError, "scalar", "", "must not be empty"),
    Case("scalar-tag-not-str", scalar(name=5), TypeError, "scalar", 5, "must be a str"),
    Case("scalar-complex", scalar(1 + 2j), TypeError, "scalar", match="complex"),
    Case("scalar-string", scalar("0.5"), TypeError, "scalar", match="numbers, got str '0.5'"),
    Case("scalar-rank-1", scalar([1.0, 2.0]), ValueError, "scalar", match=r"rank 0"),
    Case("scalar-none", scalar(None), TypeError, "scalar", match="None"),
    Case("scalar-step-str", scalar(step="3"), TypeError, "scalar", match="step"),
    Case("scalar-step-fraction", scalar(step=1.5), ValueError, "scalar", match="whole"),
    Case("scalar-step-missing", scalar(step=None), ValueError, "scalar", match="step is None"),
    Case("scalar-step-too-big", scalar(step=2**63), ValueError, "scalar", match="int64"),
    # tags, scopes and descriptions that are not valid Unicode
    Case(
        "scalar-surrogate-tag", scalar(name="a\ud800"), ValueError, "scalar", "a\ud800", "Unicode"
    ),
    Case("scalar-bytes-tag", scalar(name=b"\xff"), ValueError, "scalar", b"\xff", "UTF-8"),
    Case("scalar-bytes-description", scalar(description=b"x"), TypeError, "scalar", match="str"),
    Case("scalar-surrogate-description", scalar(description="\ud800"), ValueError, "scalar"),
    Case("name-scope-surrogate", scoped_scalar("\udc80"), ValueError, "name_scope", "\udc80"),
    Case("text-surrogate-description", text(description="\ud800"), ValueError, "text"),
    Case("histogram-surrogate-tag", histogram(name="a\ud800"), ValueError, "histogram", "a\ud800"),
    Case("image-bytes-description", image(description=b"x"), TypeError, "image"),
    Case("audio-surrogate-tag", audio(name="\ud800"), ValueError, "audio", "\ud800"),
    Case("pr-curve-surrogate-tag", pr_curve(name="\ud800"), ValueError, "pr_curve", "\ud800"),
    # write
    Case("write-empty-tag", write(tag=""), ValueError, "write", ""),
    Case("write-complex", write(np.ones(3, np.complex64)), TypeError, "write", match="complex"),
    Case("write-ragged", write([[1, 2], [3]]), ValueError, "write", match="ragged"),
    Case("write-bad-metadata", write(metadata=object()), TypeError, "write", match="metadata"),
    Case("write-metadata-corrupt", write(metadata=b"\xff\xff"), ValueError, "write", match="Summ"),
    # image
    Case("image-bool", image(IMAGES > 0), TypeError, "image", match="bool images"),
    Case("image-rank-3", image(IMAGES[0]), ValueError, "image", match=r"rank-4.*data\[None\]"),
    Case("image-rank-2", image(np.zeros((4, 4))), ValueError, "image", match="rank-4"),
    Case("image-5-channels", image(np.zeros((1, 2, 2, 5))), ValueError, "image", match="channels"),
    Case("image-0-channels", image(np.zeros((1, 2, 2, 0))), ValueError, "image", match="channels"),
    Case("image-zero-height", image(np.zeros((1, 0, 2, 3))), ValueError, "image", match="1x1"),
    Case("image-complex", image(IMAGES * 1j), TypeError, "image", match="complex"),
    Case("image-strings", image([[[["a"]]]]), TypeError, "image", match="dtype <U1"),
    Case("image-none", image(None), TypeError, "image", match="None"),
    Case("image-ragged", image([IMAGES[0], IMAGES[0, :2]]), ValueError, "image", match="ragged"),
    Case("image-max-outputs-neg", image(max_outputs=-1), ValueError, "image", match=">= 0"),
    Case("image-max-outputs-float", image(max_outputs=2.5), TypeError, "image", match="int"),
    Case("image-max-outputs-bool", image(max_outputs=True), TypeError, "image", match="bool"),
    Case("image-step-list", image(step=[1]), TypeError, "image", match="step"),
    Case(
        "image-scoped-tag", scoped_image(IMAGES[0]), ValueError, "image", "train/samples", "rank-4"
    ),
    # audio
    Case("audio-rate-zero", audio(sample_rate=0), ValueError, "audio", match="positive"),
    Case("audio-rate-negative", audio(sample_rate=-8000), ValueError, "audio", match="positive"),
    Case("audio-rate-fraction", audio(sample_rate=8000.5), ValueError, "audio", match="whole"),
    Case("audio-rate-nan", audio(sample_rate=math.nan), ValueError, "audio", match="whole"),
    Case("audio-rate-too-big", audio(sample_rate=2**31), ValueError, "audio", match="2\\*\\*31"),
    Case("audio-rate-bool", audio(sample_rate=True), TypeError, "audio", match="bool"),
    Case("audio-rate-str", audio(sample_rate="8000"), TypeError, "audio", match="str"),
    Case("audio-rate-none", audio(sample_rate=None), TypeError, "audio", match="NoneType"),
    Case("audio-rank-2", audio(CLIPS[..., 0]), ValueError, "audio", match=r"rank-3.*None\]"),
    Case("audio-rank-4", audio(CLIPS[None]), ValueError, "audio", match="rank-3"),
    Case("audio-ints", audio(np.zeros((1, 4, 1), np.int16)), TypeError, "audio", match="32768"),
    Case("audio-bool", audio(CLIPS > 0), TypeError, "audio", match="floats"),
    Case("audio-complex", audio(CLIPS * 1j), TypeError, "audio", match="complex"),
    Case("audio-no-frames", audio(np.zeros((1, 0, 1))), ValueError, "audio", match="one frame"),
    Case("audio-encoding-mp3", audio(encoding="mp3"), ValueError, "audio", match="encoding"),
    Case("audio-encoding-array", audio(encoding=np.ones(2)), ValueError, "audio", match="encoding"),
    Case("audio-max-outputs-neg", audio(max_outputs=-2), ValueError, "audio", match=">= 0"),
    Case("audio-none", audio(None), TypeError, "audio", match="None"),
    # histogram, text, pr_curve
    Case("histogram-complex", histogram([1j, 2]), TypeError, "histogram", match="complex"),
    Case("histogram-strings", histogram(["a", "b"]), TypeError, "histogram"),
    Case("histogram-buckets-str", histogram(buckets="10"), TypeError, "histogram"),
    Case(
        "histogram-buckets-huge", histogram(buckets=10**9), ValueError, "histogram", match="65536"
    ),
    Case("text-numbers", text(np.arange(3)), TypeError, "text"),
    Case("text-none", text(None), TypeError, "text"),
    Case("text-empty-tag", text(name=""), ValueError, "text", ""),
    Case("pr-curve-shapes", pr_curve(labels=[True]), ValueError, "pr_curve", match="shape"),
    Case("pr-curve-outside-0-1", pr_curve(predictions=[1.5, 0.1]), ValueError, "pr_curve"),
    Case("pr-curve-complex", pr_curve(predictions=[0.5j, 0.1]), TypeError, "pr_curve"),
    Case("pr-curve-huge", pr_curve(num_thresholds=10**9), ValueError, "pr_curve", match="65536"),
]


def test_there_are_at_least_30_cases_and_their_ids_are_unique():
    ids = [case.id for case in CASES]
    assert len(ids) >= 30 and len(set(ids)) == len(ids)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_bad_input_is_refused_and_leaves_exactly_the_valid_events(logdir, case):
    with summary.create_file_writer(logdir) as writer, writer.as_default():
        assert summary.scalar("before", 1.0, step=0)
        with pytest.raises(case.error) as raised:
            case.call()
        assert summary.scalar("after", 2.0, step=2)
    message = str(raised.value)
    assert f"summary.{case.op}({case.tag!r})" in message, message
    assert type(raised.value) is case.error
    if case.match:
        assert re.search(case.match, message), message
    acc = accumulator(logdir)
    assert sorted(acc.Tags()["tensors"]) == ["after", "before"]
    assert scalar_series(acc, "before") == {0: 1.0}
    assert scalar_series(acc, "after") == {2: 2.0}
    summaries = [e for e in iter_events(logdir) if e.HasField("summary")]
    assert [v.tag for e in summaries for v in e.summary.value] == ["before", "after"]
