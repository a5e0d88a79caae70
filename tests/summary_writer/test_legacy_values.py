"""add_video, add_image_with_boxes, add_histogram_raw, add_pr_curve_raw and add_tensor, read back
with TensorBoard's loader and compared with torch's writer where torch can run."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from summary import SummaryWriter
from tests.tensorboard_loader import accumulator, plugin_of, values

RNG = np.random.default_rng(3)
RED = [255, 0, 0]


def _read(logdir):
    return accumulator(logdir)


def _gif_frames(blob: bytes) -> list[np.ndarray]:
    gif = Image.open(io.BytesIO(blob))
    assert gif.format == "GIF"
    frames = []
    for index in range(gif.n_frames):
        gif.seek(index)
        frames.append(np.asarray(gif.convert("RGB")))
    return frames


def _torch_writer(logdir):
    tensorboard = pytest.importorskip("torch.utils.tensorboard")
    return tensorboard.SummaryWriter(logdir)


# add_video ------------------------------------------------------------------------------


def test_video_uint8_frames_exact(logdir):
    video = RNG.integers(0, 256, size=(1, 6, 3, 9, 11), dtype=np.uint8)
    with SummaryWriter(logdir) as writer:
        writer.add_video("clip", video, 3, fps=5)
    acc = _read(logdir)
    assert plugin_of(acc, "clip") == "images"
    ((step, _, blob),) = values(acc, "clip")
    assert step == 3 and blob[0] == b"11" and blob[1] == b"9"
    frames = _gif_frames(blob[2])
    assert len(frames) == 6
    for frame, expected in zip(frames, video[0].transpose(0, 2, 3, 1), strict=True):
        np.testing.assert_array_equal(frame, expected)
    assert Image.open(io.BytesIO(blob[2])).info["duration"] == 200  # 1000 / fps ms


def test_video_batch_tiled_as_torch_documents(logdir):
    # torch: N padded to a power of two, 2**((N.bit_length() - 1) // 2) rows of clips.
    video = RNG.random((3, 2, 1, 4, 5)).astype(np.float32)
    with SummaryWriter(logdir) as writer:
        writer.add_video("batch", video)
    ((_, _, blob),) = values(_read(logdir), "batch")
    frames = _gif_frames(blob[2])
    assert (blob[0], blob[1]) == (b"20", b"4")  # 1 row of 4 clips (3 + 1 black)
    expected = (video * 255).clip(0, 255).astype(np.uint8)
    for t, frame in enumerate(frames):
        for clip in range(3):
            np.testing.assert_array_equal(
                frame[:, clip * 5 : (clip + 1) * 5, 0], expected[clip, t, 0]
            )
        assert (frame[:, 15:] == 0).all()


def test_video_summary_layout_as_torch(logdir):
    """torch writes Summary.Image{height, width, colorspace, GIF}; with moviepy, compare."""
    from tensorboard.backend.event_processing import event_accumulator

    video = RNG.integers(0, 256, size=(4, 3, 3, 6, 7), dtype=np.uint8)
    with SummaryWriter(logdir) as writer:
        writer.add_video("v", video)
    acc = event_accumulator.EventAccumulator(logdir, size_guidance={"images": 0})
    acc.Reload()
    (image,) = acc.Images("v")
    assert (image.height, image.width) == (12, 14)  # 2 x 2 clips
    assert image.encoded_image_string[:6] == b"GIF89a"


def test_video_like_torch_with_moviepy(logdir, tmp_path):
    """Where torch can write a video (moviepy 1.x installed): same tag, plugin, size, frames."""
    pytest.importorskip("moviepy.editor")
    torch = pytest.importorskip("torch")
    levels = np.array([0, 64, 128, 255], dtype=np.uint8)  # few colours: GIF keeps them exactly
    video = levels[RNG.integers(0, 4, size=(2, 4, 3, 8, 6))]
    with SummaryWriter(logdir) as ours:
        ours.add_video("v", video, 1)
    theirs = _torch_writer(str(tmp_path / "torch"))
    theirs.add_video("v", torch.from_numpy(video), 1)
    theirs.close()
    mine, reference = _read(logdir), _read(str(tmp_path / "torch"))
    assert plugin_of(mine, "v") == plugin_of(reference, "v") == "images"
    ((step, _, ours_blob),) = values(mine, "v")
    ((torch_step, _, torch_blob),) = values(reference, "v")
    assert step == torch_step == 1 and list(ours_blob[:2]) == list(torch_blob[:2])
    ours_frames, torch_frames = _gif_frames(ours_blob[2]), _gif_frames(torch_blob[2])
    assert len(ours_frames) == len(torch_frames) == 4
    for frame, expected in zip(ours_frames, torch_frames, strict=True):
        np.testing.assert_array_equal(frame, expected)


@pytest.mark.parametrize(
    "video, fps, match",
    [
        (np.zeros((2, 3, 4, 5)), 4, r"shape \[N, T, C, H, W\]"),
        (np.zeros((1, 2, 2, 4, 5)), 4, "1 or 3 channels"),
        (np.zeros((1, 0, 3, 4, 5)), 4, "empty"),
        (np.zeros((1, 2, 3, 4, 5)), 0, "fps must be a positive"),
    ],
)
def test_video_bad_input(logdir, video, fps, match):
    with SummaryWriter(logdir) as writer:
        with pytest.raises(ValueError, match=r"SummaryWriter\.add_video\('bad'\): .*" + match):
            writer.add_video("bad", video, fps=fps)
    assert "bad" not in _read(logdir).Tags()["tensors"]


# add_image_with_boxes -------------------------------------------------------------------

IMAGE = np.full((3, 40, 60), 0.5, dtype=np.float32)
BOXES = np.array([[5, 6, 30, 25], [35, 10, 55, 35]])


def test_boxes_drawn_in_red(logdir):
    with SummaryWriter(logdir) as writer:
        writer.add_image_with_boxes("boxes", IMAGE, BOXES, 1)
    acc = _read(logdir)
    assert plugin_of(acc, "boxes") == "images"
    ((_, _, blob),) = values(acc, "boxes")
    pixels = np.asarray(Image.open(io.BytesIO(blob[2])))
    assert pixels.shape == (40, 60, 3)
    for left, top, right, bottom in BOXES:
        assert (pixels[top, left + 2 : right - 1] == RED).all()  # top edge
        assert (pixels[top + 2 : bottom - 1, left] == RED).all()  # left edge
        assert (pixels[bottom, left + 2 : right - 1] == RED).all()
    assert (pixels[15, 15] == [127, 127, 127]).all()  # inside: untouched (0.5 × 255)


def test_boxes_match_torch(logdir, tmp_path):
    torch = pytest.importorskip("torch")
    labels = ["cat", "dog"]
    image = RNG.integers(0, 256, size=(32, 48, 3), dtype=np.uint8)
    with SummaryWriter(logdir) as ours:
        ours.add_image_with_boxes("b", image, BOXES // 2 + 1, 2, dataformats="HWC", labels=labels)
        ours.add_image_with_boxes("scaled", IMAGE, BOXES, 2, rescale=0.5)
    theirs = _torch_writer(str(tmp_path / "torch"))
    theirs.add_image_with_boxes(
        "b",
        torch.from_numpy(image),
        torch.from_numpy(BOXES // 2 + 1),
        2,
        dataformats="HWC",
        labels=labels,
    )
    theirs.add_image_with_boxes("scaled", IMAGE, BOXES, 2, rescale=0.5)
    theirs.close()
    mine, reference = _read(logdir), _read(str(tmp_path / "torch"))
    for tag in ("b", "scaled"):
        assert plugin_of(mine, tag) == plugin_of(reference, tag) == "images"
        ((step, _, ours_blob),) = values(mine, tag)
        ((torch_step, _, torch_blob),) = values(reference, tag)
        assert step == torch_step == 2
        assert list(ours_blob[:2]) == list(torch_blob[:2])
        np.testing.assert_array_equal(
            np.asarray(Image.open(io.BytesIO(ours_blob[2]))),
            np.asarray(Image.open(io.BytesIO(torch_blob[2]))),
        )


@pytest.mark.parametrize(
    "boxes, labels, kwargs, match",
    [
        (np.zeros((2, 3)), None, {}, r"shape \[N, 4\]"),
        (np.array([[0, 0, np.nan, 1]]), None, {}, "finite"),
        (BOXES, ["one"], {}, "1 labels for 2 boxes"),
        (BOXES, None, {"rescale": 0.0}, "empty"),
        (BOXES, None, {"dataformats": "NCHW"}, "one image"),
    ],
)
def test_boxes_bad_input(logdir, boxes, labels, kwargs, match):
    with SummaryWriter(logdir) as writer:
        with pytest.raises(ValueError, match=r"add_image_with_boxes\('bad'\): .*" + match):
            writer.add_image_with_boxes("bad", IMAGE, boxes, labels=labels, **kwargs)
    assert "bad" not in _read(logdir).Tags()["tensors"]


# add_histogram_raw, add_pr_curve_raw, add_tensor ----------------------------------------

HIST_VALUES = np.repeat(np.arange(10) + 0.5, np.arange(1, 11)).astype(np.float64)
COUNTS, EDGES = np.histogram(HIST_VALUES, bins=np.arange(11))
HIST_ARGS = dict(
    min=HIST_VALUES.min(),
    max=HIST_VALUES.max(),
    num=len(HIST_VALUES),
    sum=HIST_VALUES.sum(),
    sum_squares=HIST_VALUES.dot(HIST_VALUES),
    bucket_limits=EDGES[1:].tolist(),
    bucket_counts=COUNTS.tolist(),
)
PR = [np.float32(RNG.random(9)) for _ in range(6)]


def _log_raw(writer):
    writer.add_histogram_raw("raw_hist", global_step=4, **HIST_ARGS)
    writer.add_pr_curve_raw("raw_pr", *PR, 5, num_thresholds=9)
    writer.add_tensor("t_float", np.arange(6, dtype=np.float32).reshape(2, 3), 1)
    writer.add_tensor("t_int", np.array([1, -2, 3], dtype=np.int64), 2)
    writer.add_tensor("t_bool", np.array([True, False]), 3)


def test_raw_values_match_torch(logdir, tmp_path):
    torch = pytest.importorskip("torch")
    with SummaryWriter(logdir) as ours:
        _log_raw(ours)
    theirs = _torch_writer(str(tmp_path / "torch"))
    theirs.add_histogram_raw("raw_hist", global_step=4, **HIST_ARGS)
    theirs.add_pr_curve_raw("raw_pr", *PR, 5, num_thresholds=9)
    theirs.add_tensor("t_float", torch.arange(6, dtype=torch.float32).reshape(2, 3), 1)
    theirs.add_tensor("t_int", torch.tensor([1, -2, 3]), 2)
    theirs.add_tensor("t_bool", torch.tensor([True, False]), 3)
    theirs.close()
    mine, reference = _read(logdir), _read(str(tmp_path / "torch"))
    for tag in ("raw_hist", "raw_pr", "t_float", "t_int", "t_bool"):
        assert plugin_of(mine, tag) == plugin_of(reference, tag)
        ((step, _, ours_value),) = values(mine, tag)
        ((torch_step, _, torch_value),) = values(reference, tag)
        assert step == torch_step
        assert ours_value.dtype == torch_value.dtype
        np.testing.assert_array_equal(ours_value, torch_value)
    # bucket i of the histograms plugin: (limit[i-1] or min, limit[i], count[i]), the last
    # right edge clamped to max
    hist = values(mine, "raw_hist")[0][2]
    np.testing.assert_array_equal(hist[:, 2], COUNTS)
    np.testing.assert_array_equal(hist[1:-1, 1], EDGES[2:-1])
    assert hist[-1, 1] == HIST_VALUES.max()


def test_tensor_half_and_bfloat16_decode(logdir):
    torch = pytest.importorskip("torch")
    with SummaryWriter(logdir) as writer:
        writer.add_tensor("half", torch.tensor([0.5, -1.25, 3.0], dtype=torch.float16))
        writer.add_tensor("bf16", torch.tensor([0.5, -1.25, 3.0], dtype=torch.bfloat16))
        writer.add_tensor("u8", np.array([0, 200, 255], dtype=np.uint8))
    acc = _read(logdir)
    half = values(acc, "half")[0][2]
    assert half.dtype == np.float16 and half.tolist() == [0.5, -1.25, 3.0]
    bf16 = values(acc, "bf16")[0][2]
    assert bf16.dtype == np.float32 and bf16.tolist() == [0.5, -1.25, 3.0]
    assert values(acc, "u8")[0][2].tolist() == [0, 200, 255]
    assert plugin_of(acc, "half") == "tensor"


@pytest.mark.parametrize(
    "change, match",
    [
        ({"bucket_counts": [1, 2]}, r"len\(bucket_limits\) == len\(bucket_counts\)"),
        ({"bucket_limits": [], "bucket_counts": []}, "at least one bucket"),
        ({"bucket_limits": [3, 2, 1], "bucket_counts": [1, 1, 1]}, "non-decreasing"),
        ({"bucket_counts": [-1, 1, 1], "bucket_limits": [1, 2, 3]}, "non-negative"),
        ({"min": float("nan")}, "min must be finite"),
    ],
)
def test_histogram_raw_bad_input(logdir, change, match):
    with SummaryWriter(logdir) as writer:
        with pytest.raises(ValueError, match=r"add_histogram_raw\('bad'\): .*" + match):
            writer.add_histogram_raw("bad", **{**HIST_ARGS, **change})
    assert "bad" not in _read(logdir).Tags()["tensors"]


def test_pr_curve_raw_and_tensor_bad_input(logdir):
    with SummaryWriter(logdir) as writer:
        with pytest.raises(ValueError, match=r"add_pr_curve_raw\('bad'\): recall has 3"):
            writer.add_pr_curve_raw("bad", *PR[:5], [1, 2, 3])
        with pytest.raises(ValueError, match=r"add_pr_curve_raw\('bad'\): num_thresholds"):
            writer.add_pr_curve_raw("bad", *PR, num_thresholds=1)
        with pytest.raises(TypeError, match=r"add_tensor\('bad'\)"):
            writer.add_tensor("bad", np.array([1 + 2j]))
    assert "bad" not in _read(logdir).Tags()["tensors"]
