"""summary.text: DT_STRING tensors of UTF-8 bytes, any rank, read back with TensorBoard's loader."""

from __future__ import annotations

import numpy as np
import pytest

import summary
from summary.ops.text import to_text_array
from tests.ops.rejections import assert_rejected
from tests.tensorboard_loader import accumulator, plugin_of, values

text_plugin = pytest.importorskip("tensorboard.plugins.text.text_plugin")


def utf8(array_like):
    """Expected tensor: the same shape, every element as UTF-8 bytes (TF strings are bytes)."""
    array = np.array(array_like, dtype=object)
    out = np.empty(array.shape, dtype=object)
    for index in np.ndindex(array.shape):
        item = array[index]
        out[index] = item if isinstance(item, bytes) else str(item).encode("utf-8")
    return out


CASES = {
    "str": "hello **world**",
    "bytes": b"raw \xff bytes",
    "unicode": "héllo ✓ 日本語 🙂",
    "rank1": ["a", "b", "c"],
    "rank2": [["name", "value"], ["lr", "0.1"], ["batch", "64"]],
    "rank3": np.array([[["a", "b"], ["c", "d"]], [["e", "f"], ["g", "h"]]]),
    "numpy_bytes": np.array([b"x", b"yz"]),
    "mixed": np.array(["text", b"bytes"], dtype=object),
    "empty": np.array([], dtype=str),
    "numpy_str_scalar": np.str_("scalar"),
}


def test_every_shape_is_written_as_tensorboard_reads_it(logdir):
    with summary.create_file_writer(logdir):
        for tag, data in CASES.items():
            assert summary.text(tag, data, step=3)
        assert summary.text("described", "x", step=0, description="A *note*")
    acc = accumulator(logdir)
    for tag, data in CASES.items():
        assert plugin_of(acc, tag) == "text"
        assert acc.SummaryMetadata(tag).plugin_data.content == b""
        ((step, _, tensor),) = values(acc, tag)
        expected = utf8(data)
        assert step == 3 and tensor.shape == expected.shape, tag
        assert tensor.tolist() == expected.tolist(), tag
    assert acc.SummaryMetadata("described").summary_description == "A *note*"


def test_tensorboard_renders_rank_two_as_a_table(logdir):
    with summary.create_file_writer(logdir):
        summary.text("table", CASES["rank2"], step=0)
    ((_, _, tensor),) = values(accumulator(logdir), "table")
    html = text_plugin.text_array_to_html(tensor, enable_markdown=True)
    assert html.startswith("<table>") and "<td><p>batch</p></td>" in html


def test_to_text_array_copies_and_encodes():
    source = np.array([["a", "é"]])
    array = to_text_array("text", "t", source)
    source[0, 0] = "changed"
    assert array.dtype == object and array.shape == (1, 2)
    assert array.tolist() == [[b"a", "é".encode()]]
    assert to_text_array("text", "t", "x").shape == ()


def test_data_is_snapshotted_and_recording_respected(logdir):
    data = np.array(["before", "also before"])
    with summary.create_file_writer(logdir):
        summary.text("snap", data, step=0)
        data[:] = "after"
        with summary.record_if(False):
            assert not summary.text("skipped", "x", step=0)
    assert not summary.text("no_writer", "x", step=0)
    acc = accumulator(logdir)
    assert acc.Tags()["tensors"] == ["snap"]
    ((_, _, tensor),) = values(acc, "snap")
    assert tensor.tolist() == [b"before", b"also before"]


def text(data, step=0):
    return lambda: summary.text("bad", data, step=step)


BAD_INPUTS = [
    ("int", text(3), TypeError),
    ("float_array", text(np.arange(3.0)), TypeError),
    ("list_of_ints", text([1, 2]), TypeError),
    ("mixed_list", text([1, "a"]), TypeError),
    ("none_element", text(np.array(["a", None], dtype=object)), TypeError),
    ("ragged", text([["a"], ["b", "c"]]), TypeError),
    ("none", text(None), TypeError),
    ("lone_surrogate", text("bad \ud800 text"), ValueError),
    ("no_step", text("x", step=None), ValueError),
]


@pytest.mark.parametrize("call, error", [c[1:] for c in BAD_INPUTS], ids=[c[0] for c in BAD_INPUTS])
def test_bad_input_is_rejected_and_nothing_is_written(logdir, call, error):
    assert_rejected(logdir, call, error, "summary.text('bad')")
