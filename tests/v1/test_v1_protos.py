"""summary.v1 `*_pb` outputs decoded field by field against TF 1.x's rules restated in
tests/v1/tf1_reference.py (PNGs decoded with Pillow, WAVs with `wave`)."""

import io
import math
import sys
import wave

import numpy as np
import pytest
from PIL import Image

from summary import v1
from summary.proto import summary_pb2
from tests.v1.tf1_reference import (
    f32,
    tf1_bucket_limits,
    tf1_histogram,
    tf1_image_pixels,
    tf1_pr_curve,
    tf1_wav_sample,
)

DT_FLOAT, DT_STRING = 1, 7


def only_value(summary):
    assert isinstance(summary, summary_pb2.Summary)
    (value,) = summary.value
    return value


def test_scalar_pb_is_a_float32_simple_value_without_metadata():
    value = only_value(v1.scalar_pb("loss", 0.1))
    assert value.tag == "loss"
    assert value.WhichOneof("value") == "simple_value"
    assert value.simple_value == f32(0.1)
    assert not value.HasField("metadata")


@pytest.mark.parametrize("data", [3, np.float64(2.5), np.array(7, dtype=np.int64), [[4.0]][0][0]])
def test_scalar_pb_accepts_python_and_numpy_numbers(data):
    assert only_value(v1.scalar_pb("x", data)).simple_value == float(np.asarray(data))


def test_scalar_pb_keeps_nan_and_saturates_past_float32():
    assert math.isnan(only_value(v1.scalar_pb("x", float("nan"))).simple_value)
    assert only_value(v1.scalar_pb("x", 1e300)).simple_value == math.inf


def test_scalar_pb_description_goes_into_scalars_metadata():
    value = only_value(v1.scalar_pb("loss", 1.0, description="lower is **better**"))
    assert value.metadata.plugin_data.plugin_name == "scalars"
    assert value.metadata.summary_description == "lower is **better**"


def test_default_bucket_limits_follow_their_definition():
    limits = tf1_bucket_limits()
    assert len(limits) == 1551  # 774 positive limits + DBL_MAX, mirrored, and 0
    assert limits[0] == -sys.float_info.max and limits[-1] == sys.float_info.max
    assert limits[775] == 0.0 and limits[776] == 1e-12
    assert limits[-2] < 1e20 <= limits[-2] * 1.1


@pytest.mark.parametrize(
    "values",
    [
        [0.5, -1.0, 3.0, 3.0, 0.0],
        list(np.random.default_rng(0).normal(size=500) * 1e3),
        [1e-13, -1e-13, 0.0, 1e-12, 1e-12 * 1.1, 5e19, -5e19],
        [sys.float_info.max, -sys.float_info.max],
        [7.0] * 4,
    ],
)
def test_histogram_pb_matches_tf1_buckets_field_by_field(values):
    value = only_value(v1.histogram_pb("w", np.array(values)))
    assert value.tag == "w"
    assert value.WhichOneof("value") == "histo"
    expected = tf1_histogram(values)
    histo = value.histo
    assert histo.min == expected["min"] and histo.max == expected["max"]
    assert histo.num == expected["num"]
    assert histo.sum == pytest.approx(expected["sum"], rel=1e-12)
    assert histo.sum_squares == pytest.approx(expected["sum_squares"], rel=1e-12)
    assert list(histo.bucket_limit) == expected["bucket_limit"]
    assert list(histo.bucket) == expected["bucket"]


def test_histogram_pb_of_nothing_is_tf1s_empty_histogram():
    histo = only_value(v1.histogram_pb("w", [])).histo
    assert (histo.min, histo.max) == (sys.float_info.max, -sys.float_info.max)
    assert (histo.num, histo.sum, histo.sum_squares) == (0, 0, 0)
    assert list(histo.bucket_limit) == [sys.float_info.max] and list(histo.bucket) == [0.0]


def test_histogram_pb_counts_ints_and_float32_exactly():
    ints = only_value(v1.histogram_pb("w", np.arange(-3, 4, dtype=np.int32))).histo
    assert list(ints.bucket) == tf1_histogram([float(x) for x in range(-3, 4)])["bucket"]
    halves = np.array([0.1, 0.2], dtype=np.float32)
    h = only_value(v1.histogram_pb("w", halves)).histo
    assert h.min == float(halves[0])  # float32 values widened exactly, not re-parsed


def decode_png(data):
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    return image


def test_image_pb_writes_tf1_values_per_image():
    rng = np.random.default_rng(1)
    images = rng.normal(size=(4, 5, 3, 3)).astype(np.float32)  # negatives: centred at 128
    summary = v1.image_pb("samples", images, max_outputs=3)
    assert [v.tag for v in summary.value] == [f"samples/image/{i}" for i in range(3)]
    for i, value in enumerate(summary.value):
        assert value.WhichOneof("value") == "image"
        assert (value.image.height, value.image.width, value.image.colorspace) == (5, 3, 3)
        png = decode_png(value.image.encoded_image_string)
        assert png.mode == "RGB" and png.size == (3, 5)
        assert np.asarray(png).tolist() == tf1_image_pixels(images[i].tolist(), "float32")


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_image_pb_float_normalisation_both_ranges_and_bad_pixels(dtype):
    positive = np.linspace(0, 3, 12).reshape(1, 2, 2, 3)
    mixed = np.linspace(-2, 0.5, 12).reshape(1, 2, 2, 3)
    broken = positive.copy()
    broken[0, 1, 0, 2] = np.nan  # one bad channel: the whole pixel gets bad_color
    broken[0, 0, 1, 0] = np.inf
    for batch in (positive, mixed, broken, np.zeros((1, 2, 2, 3))):
        batch = batch.astype(dtype)
        value = only_value(v1.image_pb("x", batch, max_outputs=1))
        assert value.tag == "x/image"
        pixels = np.asarray(decode_png(value.image.encoded_image_string)).tolist()
        assert pixels == tf1_image_pixels(batch[0].tolist(), dtype)
    assert pixels == [[[0, 0, 0]] * 2] * 2  # all zero: scale 0
    assert tf1_image_pixels(broken[0].tolist(), dtype)[1][0] == [255, 0, 0]


def test_image_pb_passes_uint8_through_and_keeps_gray_and_rgba():
    gray = np.arange(12, dtype=np.uint8).reshape(1, 3, 4, 1) * 20
    value = only_value(v1.image_pb("g", gray, max_outputs=1))
    png = decode_png(value.image.encoded_image_string)
    assert png.mode == "L" and value.image.colorspace == 1
    assert np.array_equal(np.asarray(png), gray[0, :, :, 0])
    rgba = np.full((2, 2, 2, 4), 200, dtype=np.uint8)
    summary = v1.image_pb("c", rgba)
    assert [v.tag for v in summary.value] == ["c/image/0", "c/image/1"]
    assert decode_png(summary.value[1].image.encoded_image_string).mode == "RGBA"


def read_wav(data):
    with wave.open(io.BytesIO(data)) as clip:
        frames = clip.readframes(clip.getnframes())
        return clip.getnchannels(), clip.getframerate(), clip.getsampwidth(), frames


def test_audio_pb_writes_wav_values_with_tf1_fields():
    rng = np.random.default_rng(2)
    clips = rng.uniform(-1.2, 1.2, size=(3, 50, 2)).astype(np.float32)
    summary = v1.audio_pb("speech", clips, 8000.7, max_outputs=2)
    assert [v.tag for v in summary.value] == ["speech/audio/0", "speech/audio/1"]
    for i, value in enumerate(summary.value):
        audio = value.audio
        assert audio.sample_rate == f32(8000.7)  # the float kept, the header rounded
        assert (audio.num_channels, audio.length_frames) == (2, 50)
        assert audio.content_type == "audio/wav"
        # TF 1.x wrote no metadata here; with it RustBoard serves the clip as audio/wav
        plugin = value.metadata.plugin_data
        assert (plugin.plugin_name, plugin.content) == ("audio", b"\x10\x0b\x18\x01")
        assert value.metadata.data_class == summary_pb2.DATA_CLASS_BLOB_SEQUENCE
        channels, rate, width, frames = read_wav(audio.encoded_audio_string)
        assert (channels, rate, width) == (2, 8001, 2)
        samples = np.frombuffer(frames, dtype="<i2").tolist()
        assert samples == [tf1_wav_sample(x) for x in clips[i].reshape(-1).tolist()]


def test_audio_pb_rank_2_is_mono_and_rounds_rate_half_to_even():
    value = only_value(v1.audio_pb("a", [[0.0, 0.5, -1.0, 1.0]], 8000.5, max_outputs=1))
    assert value.tag == "a/audio" and value.audio.num_channels == 1
    channels, rate, _, frames = read_wav(value.audio.encoded_audio_string)
    assert (channels, rate) == (1, 8000)  # lrintf: ties to even
    assert np.frombuffer(frames, dtype="<i2").tolist() == [0, 16384, -32768, 32767]


def test_text_pb_is_a_string_tensor_for_the_text_plugin():
    value = only_value(v1.text_pb("notes", [["a", "b"], ["ç", "d"]]))
    assert value.tag == "notes"
    assert value.metadata.plugin_data.plugin_name == "text"
    tensor = value.tensor
    assert tensor.dtype == DT_STRING
    assert [d.size for d in tensor.tensor_shape.dim] == [2, 2]
    assert list(tensor.string_val) == [b"a", b"b", "ç".encode(), b"d"]
    scalar = only_value(v1.text_pb("one", "hello")).tensor
    assert list(scalar.tensor_shape.dim) == [] and list(scalar.string_val) == [b"hello"]


def test_pr_curve_pb_clamps_predictions_and_uses_the_pr_curves_tag():
    labels = [True, False, True, True, False, False]
    predictions = np.array([0.9, 0.4, -0.3, 1.7, 0.55, 0.1])
    weights = [1.0, 2.0, 0.5, 1.0, 1.0, 3.0]
    value = only_value(
        v1.pr_curve_pb("pr", labels, predictions, num_thresholds=11, weights=weights)
    )
    assert value.tag == "pr/pr_curves"
    metadata = value.metadata
    assert metadata.plugin_data.plugin_name == "pr_curves"
    assert metadata.plugin_data.content == b"\x10\x0b"  # PrCurvePluginData{num_thresholds: 11}
    assert metadata.display_name == "pr"
    tensor = value.tensor
    assert tensor.dtype == DT_FLOAT
    assert [d.size for d in tensor.tensor_shape.dim] == [6, 11]
    got = np.frombuffer(tensor.tensor_content, dtype="<f4").reshape(6, 11).tolist()
    assert got == tf1_pr_curve(labels, predictions.tolist(), 11, weights)


def test_pr_curve_pb_default_has_201_thresholds():
    value = only_value(v1.pr_curve_pb("pr", [True, False], [0.7, 0.2]))
    assert [d.size for d in value.tensor.tensor_shape.dim] == [6, 201]
    assert value.metadata.plugin_data.content == b"\x10\xc9\x01"


def test_merge_takes_messages_and_bytes_in_any_mix():
    a = v1.scalar_pb("a", 1.0)
    b = v1.histogram_pb("b", [1.0, 2.0]).SerializeToString()
    c = v1.text_pb("c", "hi")
    merged = v1.merge([a, b, c])
    assert isinstance(merged, summary_pb2.Summary)
    assert [v.tag for v in merged.value] == ["a", "b", "c"]
    assert merged.value[1].histo == v1.histogram_pb("b", [1.0, 2.0]).value[0].histo
    assert merged.value[2] == c.value[0]
    assert v1.merge([]) == summary_pb2.Summary()


def test_merge_takes_tensorboards_own_summary_messages():
    from tensorboard.compat.proto import summary_pb2 as tb_summary_pb2

    theirs = tb_summary_pb2.Summary()
    theirs.value.add(tag="theirs", simple_value=2.0)
    merged = v1.merge([theirs, v1.scalar_pb("ours", 1.0)])
    assert [(v.tag, v.simple_value) for v in merged.value] == [("theirs", 2.0), ("ours", 1.0)]


def test_merge_refuses_duplicate_tags_as_tf1_but_not_empty_ones():
    with pytest.raises(ValueError, match="Duplicate tag loss found in summary inputs"):
        v1.merge([v1.scalar_pb("loss", 1.0), v1.scalar_pb("loss", 2.0).SerializeToString()])
    untagged = summary_pb2.Summary()
    untagged.value.add(node_name="n", simple_value=1.0)
    assert len(v1.merge([untagged, untagged]).value) == 2


def test_merge_refuses_what_is_not_a_summary():
    with pytest.raises(
        ValueError, match=r"summary\.v1\.merge: input 1 is not a serialized Summary"
    ):
        v1.merge([b"", b"\xff\xff\xff"])
    with pytest.raises(TypeError, match="input 0 must be a Summary message or serialized bytes"):
        v1.merge([3.0])
