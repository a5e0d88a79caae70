"""summary.image: read back by TensorBoard's own loader, PNGs decoded and compared pixel by pixel.

Expected pixels come from `tf_to_uint8`, a per-element restatement (plain Python, IEEE rounding
via `struct`) of TF 2.x's `tf.image.convert_image_dtype(x, tf.uint8, saturate=True)`
(tensorflow/python/ops/image_ops_impl.py, `convert_image_dtype`; the clamp is `saturate_cast`
in tensorflow/python/ops/math_ops.py):
- float input: `x * (255 + 0.5)` computed in the input's own dtype, clamped to [0, 255], cast
  (C++ truncation toward zero);
- integer input wider than uint8: floor-divided by (in.max + 1) // 256, then saturated to [0, 255];
- int8: saturated to [0, 127], then multiplied by 256 // 128 = 2.
"""

import io
import math
import struct

import numpy as np
import pytest
from PIL import Image

import summary
from summary.ops.image import check_images, encode_png, to_uint8
from summary.proto import summary_pb2
from summary.reader import iter_events
from tests.doc_examples import run_examples
from tests.tensorboard_loader import accumulator, plugin_of, values

DT_STRING = 7
_ROUND_TO = {np.float16: "e", np.float32: "f"}


def tf_to_uint8(x, dtype):
    """One element converted as TF 2.x converts it (see the module docstring)."""
    dtype = np.dtype(dtype)
    if dtype == np.uint8:
        return int(x)
    if dtype.kind == "f":
        code = _ROUND_TO.get(dtype.type)
        x = _rounded(float(x), code)  # the input in its own precision
        product = _rounded(x * 255.5, code)  # exact in a double, then rounded like TF's multiply
        if math.isnan(product):
            return 0  # NaN -> 0, what TF's float->uint8 cast gives on x86
        return int(min(max(product, 0.0), 255.0))
    bits = dtype.itemsize * 8
    top = (1 << (bits - 1)) - 1 if dtype.kind == "i" else (1 << bits) - 1
    if top < 255:  # int8: saturate, then scale up
        return max(int(x), 0) * (256 // (top + 1))
    return min(max(int(x) // ((top + 1) // 256), 0), 255)


def _rounded(x, code):
    """`x` rounded to float16 ("e") or float32 ("f") with IEEE round-to-nearest-even."""
    if code is None or not math.isfinite(x):
        return x
    try:
        return struct.unpack(code, struct.pack(code, x))[0]
    except OverflowError:
        return math.copysign(math.inf, x)


def expected_pixels(batch):
    flat = [tf_to_uint8(x, batch.dtype) for x in batch.reshape(-1)]
    return np.array(flat, dtype=np.uint8).reshape(batch.shape)


def decode_png(blob):
    image = Image.open(io.BytesIO(blob))
    assert image.format == "PNG"
    return image.mode, np.asarray(image)


def logged(logdir, tag):
    """The single value TensorBoard loaded under `tag`: (width, height, [decoded images])."""
    acc = accumulator(logdir)
    assert plugin_of(acc, tag) == "images"
    assert acc.SummaryMetadata(tag).plugin_data.content == b""
    ((_, _, tensor),) = values(acc, tag)
    assert tensor.ndim == 1 and tensor.dtype == object
    width, height = int(tensor[0]), int(tensor[1])
    return width, height, [decode_png(blob) for blob in tensor[2:]]


def pixels_of(decoded):
    """Decoded PNG pixels as [h, w, c] arrays."""
    return [pixels[..., None] if pixels.ndim == 2 else pixels for _, pixels in decoded]


def log_image(logdir, data, **kwargs):
    with summary.create_file_writer(logdir) as writer, writer.as_default(step=3):
        assert summary.image("im", data, **kwargs) is True


EDGE_FLOATS = [0.0, 0.5, 1.0, 1.5, -0.1, 0.999, 0.003, 0.004, 1 / 255, 254.7 / 255.5]
EDGE_FLOATS += [math.nan, math.inf, -math.inf, -0.0, 2.0**-20]


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_float_pixels_scale_by_255_5_saturate_and_truncate(logdir, dtype):
    rng = np.random.default_rng(1)
    values_ = np.concatenate([EDGE_FLOATS, rng.uniform(-0.2, 1.2, 45)]).astype(dtype)
    batch = values_.reshape(2, 3, 10, 1)
    log_image(logdir, batch)
    width, height, decoded = logged(logdir, "im")
    assert (width, height) == (10, 3)
    assert [mode for mode, _ in decoded] == ["L", "L"]
    np.testing.assert_array_equal(np.stack(pixels_of(decoded)), expected_pixels(batch))


def test_float_known_values():
    # Hand-checked against the TF rule: 0.5 * 255.5 = 127.75 -> 127; 1.0 -> 255.5 -> 255.
    batch = np.array([0.0, 0.5, 1.0, 2.0, -1.0, 0.004, np.nan], np.float32).reshape(1, 1, 7, 1)
    assert to_uint8("image", "t", batch).ravel().tolist() == [0, 127, 255, 255, 0, 1, 0]


def test_float16_product_is_rounded_in_half_precision():
    # Values whose product rounds up to the next integer in float16 but not in float64.
    halves = np.arange(0, 1 << 14, dtype=np.uint16).view(np.float16)  # every half in [0, 2)
    halves = halves[(halves >= 0) & (halves <= 1)]
    in_half = [tf_to_uint8(x, np.float16) for x in halves]
    in_double = [min(int(float(x) * 255.5), 255) for x in halves]
    differing = [i for i, (a, b) in enumerate(zip(in_half, in_double, strict=True)) if a != b]
    assert differing, "expected float16 rounding to matter for some inputs"
    batch = halves[differing].reshape(1, 1, -1, 1)
    assert to_uint8("image", "t", batch).ravel().tolist() == [in_half[i] for i in differing]


INT_CASES = {
    np.int8: [-128, -1, 0, 1, 63, 64, 126, 127],
    np.int16: [-32768, -129, -128, -1, 0, 127, 128, 255, 256, 32767],
    np.uint16: [0, 1, 255, 256, 511, 512, 65279, 65280, 65535],
    np.int32: [-(2**31), -1, 0, 2**23 - 1, 2**23, 2**30, 2**31 - 1],
    np.uint32: [0, 2**24 - 1, 2**24, 2**31, 2**32 - 1],
    np.int64: [-(2**63), -1, 0, 2**55 - 1, 2**55, 2**62, 2**63 - 1],
    np.uint64: [0, 2**56 - 1, 2**56, 2**63, 2**64 - 1],
}


@pytest.mark.parametrize("dtype", list(INT_CASES), ids=lambda d: np.dtype(d).name)
def test_integer_pixels_scale_and_saturate(logdir, dtype):
    info = np.iinfo(dtype)
    rng = np.random.default_rng(2)
    edges = np.array(INT_CASES[dtype], dtype=dtype)
    random = rng.integers(info.min, info.max, 30 - len(edges), dtype=dtype, endpoint=True)
    batch = np.concatenate([edges, random]).reshape(1, 5, 2, 3)
    log_image(logdir, batch)
    width, height, decoded = logged(logdir, "im")
    assert (width, height) == (2, 5)
    np.testing.assert_array_equal(pixels_of(decoded)[0], expected_pixels(batch)[0])


def test_integer_known_values():
    # TF doc example: int16 1000 -> uint8 1000 // 128 = 7; int8 127 -> 254; uint16 65535 -> 255.
    assert to_uint8("image", "t", np.array([1000], np.int16)).tolist() == [7]
    assert to_uint8("image", "t", np.array([127, -5], np.int8)).tolist() == [254, 0]
    assert to_uint8("image", "t", np.array([65535, 255], np.uint16)).tolist() == [255, 0]


@pytest.mark.parametrize(("channels", "mode"), [(1, "L"), (2, "LA"), (3, "RGB"), (4, "RGBA")])
def test_uint8_written_as_is_in_the_png_mode_of_its_channel_count(logdir, channels, mode):
    rng = np.random.default_rng(channels)
    batch = rng.integers(0, 256, (2, 7, 5, channels), dtype=np.uint8)
    log_image(logdir, batch)
    width, height, decoded = logged(logdir, "im")
    assert (width, height) == (5, 7)
    assert [m for m, _ in decoded] == [mode, mode]
    np.testing.assert_array_equal(np.stack(pixels_of(decoded)), batch)


@pytest.mark.parametrize(
    ("k", "max_outputs", "kept"), [(5, 3, 3), (5, 1, 1), (2, 10, 2), (4, 0, 0), (0, 3, 0)]
)
def test_max_outputs_keeps_the_first_images(logdir, k, max_outputs, kept):
    # TF 2.x: images[:max_outputs]; max_outputs must be >= 0; width/height from the batch shape
    # even when no image is kept (tensorboard/plugins/image/summary_v2.py).
    batch = (np.arange(k * 4 * 6 * 3) % 256).astype(np.uint8).reshape(k, 4, 6, 3)
    log_image(logdir, batch, max_outputs=max_outputs)
    width, height, decoded = logged(logdir, "im")
    assert (width, height) == (6, 4)
    assert len(decoded) == kept
    for index, pixels in enumerate(pixels_of(decoded)):
        np.testing.assert_array_equal(pixels, batch[index])


def test_default_max_outputs_is_3_and_numpy_ints_are_accepted(logdir):
    batch = np.zeros((5, 2, 2, 1), np.uint8)
    with summary.create_file_writer(logdir) as writer, writer.as_default(step=0):
        summary.image("default", batch)
        summary.image("numpy_int", batch, max_outputs=np.int64(4))
    assert len(logged(logdir, "default")[2]) == 3
    assert len(logged(logdir, "numpy_int")[2]) == 4


def test_tensor_on_disk_is_rank_1_dt_string_with_metadata(logdir):
    batch = np.full((2, 3, 4, 3), 200, np.uint8)
    with summary.create_file_writer(logdir) as writer, writer.as_default():
        with summary.name_scope("train"):
            summary.image("samples", batch, step=9, description="two *gray* squares")
    (event,) = [e for e in iter_events(logdir) if e.HasField("summary")]
    (value,) = event.summary.value
    assert event.step == 9 and value.tag == "train/samples"
    assert value.metadata.plugin_data.plugin_name == "images"
    assert value.metadata.plugin_data.content == b""
    assert value.metadata.summary_description == "two *gray* squares"
    tensor = value.tensor
    assert tensor.dtype == DT_STRING
    assert [d.size for d in tensor.tensor_shape.dim] == [4]
    assert tensor.string_val[:2] == [b"4", b"3"]
    acc = accumulator(logdir)
    assert acc.SummaryMetadata("train/samples").summary_description == "two *gray* squares"
    assert acc.SummaryMetadata("train/samples").data_class == summary_pb2.DATA_CLASS_BLOB_SEQUENCE


def test_python_lists_convert_as_tf_float32(logdir):
    # TF turns Python floats into float32 before converting; find a value where that matters.
    candidates = [math.nextafter(k / 255.5, 0) for k in range(1, 256)]  # just below a level
    in_float32 = [tf_to_uint8(x, np.float32) for x in candidates]
    in_float64 = [tf_to_uint8(x, np.float64) for x in candidates]
    x = next(c for c, a, b in zip(candidates, in_float32, in_float64, strict=True) if a != b)
    log_image(logdir, [[[[x, 0.5, 1.0]]]])
    _, _, decoded = logged(logdir, "im")
    assert decoded[0][0] == "RGB"
    assert pixels_of(decoded)[0].ravel().tolist() == [tf_to_uint8(x, np.float32), 127, 255]


def test_list_of_images_is_a_batch(logdir):
    first = np.zeros((2, 3, 1), np.uint8)
    second = np.full((2, 3, 1), 255, np.uint8)
    log_image(logdir, [first, second])
    _, _, decoded = logged(logdir, "im")
    np.testing.assert_array_equal(np.stack(pixels_of(decoded)), np.stack([first, second]))


def test_data_changed_after_the_call_does_not_change_what_is_written(logdir):
    batch = np.zeros((1, 4, 4, 3), np.uint8)
    with summary.create_file_writer(logdir) as writer, writer.as_default(step=0):
        summary.image("im", batch)
        batch[:] = 255
    _, _, decoded = logged(logdir, "im")
    assert pixels_of(decoded)[0].max() == 0


def test_nothing_is_written_without_a_writer_or_when_not_recording(logdir):
    batch = np.zeros((1, 2, 2, 1), np.uint8)
    assert summary.image("im", batch, step=0) is False
    with summary.create_file_writer(logdir) as writer, writer.as_default(step=0):
        with summary.record_if(False):
            assert summary.image("im", batch) is False
    assert not any(e.HasField("summary") for e in iter_events(logdir))


def test_shared_encoders_for_v1_and_integrations():
    rng = np.random.default_rng(5)
    for channels, mode in [(1, "L"), (2, "LA"), (3, "RGB"), (4, "RGBA")]:
        pixels = rng.integers(0, 256, (6, 9, channels), dtype=np.uint8)
        got_mode, decoded = decode_png(encode_png(pixels))
        assert got_mode == mode
        np.testing.assert_array_equal(decoded.reshape(pixels.shape), pixels)
    strided = rng.integers(0, 256, (8, 8, 3), dtype=np.uint8)[::2, ::-1]
    np.testing.assert_array_equal(decode_png(encode_png(strided))[1], strided)
    batch = check_images("image", "t", [[[[0.25]]]])
    assert batch.shape == (1, 1, 1, 1) and batch.dtype == np.float32
    assert check_images("v1_image", "t", np.zeros((1, 2, 2, 3)), channels=(1, 3, 4)).ndim == 4
    with pytest.raises(ValueError, match=r"summary\.v1_image\('t'\).*1/3/4 channels"):
        check_images("v1_image", "t", np.zeros((1, 2, 2, 2)), channels=(1, 3, 4))


def test_docs_example_runs_as_written(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run_examples("data/image.md")
    acc = accumulator(tmp_path / "logs" / "run1")
    assert [len(tensor) - 2 for _, _, tensor in values(acc, "samples")] == [4]
    assert [step for step, _, _ in values(acc, "masks")] == [3]
