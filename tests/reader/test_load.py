"""load(): every kind of value, from writers other than ours, read as TensorBoard reads it."""

from __future__ import annotations

import io
import os

import numpy as np
import pytest
from PIL import Image

import summary
from summary.reader import Audio, load
from tests.reader.tb_reference import (
    Summary,
    SummaryMetadata,
    loader_plugins,
    loader_values,
    value_event,
    write_events,
)

tensorboardX = pytest.importorskip("tensorboardX")


def only_file(run_dir: str) -> str:
    (name,) = [n for n in os.listdir(run_dir) if "tfevents" in n]
    return os.path.join(run_dir, name)


def assert_same_as_tensorboard(series, reference, plugin):
    """Steps, wall times and the stored tensors match TensorBoard's loader, value by value."""
    assert series.plugin == plugin
    assert list(series.steps) == [step for step, _, _ in reference]
    assert list(series.wall_times) == [wall for _, wall, _ in reference]
    for raw, (_, _, expected) in zip(series.raw, reference, strict=True):
        np.testing.assert_array_equal(np.asarray(raw), expected)


@pytest.fixture
def tbx_run(logdir):
    """Every kind tensorboardX writes, three steps each, with known inputs."""
    rng = np.random.default_rng(7)
    inputs = {"images": [], "hist": []}
    run_dir = os.path.join(logdir, "tbx")
    writer = tensorboardX.SummaryWriter(run_dir)
    for step in range(3):
        writer.add_scalar("loss", 1.0 / (step + 1), step)
        data = rng.normal(size=200) + step
        inputs["hist"].append(data)
        writer.add_histogram("weights", data, step)
        pixels = rng.integers(0, 256, size=(3, 6, 5), dtype=np.uint8)  # CHW
        inputs["images"].append(pixels.transpose(1, 2, 0))
        writer.add_image("sample", pixels, step)
        writer.add_text("note", f"step **{step}**", step)
        writer.add_pr_curve("pr", np.array([1, 0, 1, 1]), np.array([0.9, 0.2, 0.6, 0.3]), step)
    writer.close()
    return run_dir, inputs


def test_tensorboardx_every_kind_matches_tensorboard(tbx_run, logdir):
    run_dir, inputs = tbx_run
    path = only_file(run_dir)
    reference = loader_values(path)
    plugins = loader_plugins(path)
    run = load(logdir)["tbx"]
    assert set(run) == set(reference)
    for tag, series in run.items():
        assert_same_as_tensorboard(series, reference[tag], plugins[tag])
    # decoded values, against what went in
    np.testing.assert_array_equal(run["loss"].values, np.float32([1.0, 0.5, 1 / 3]))
    assert run["loss"].values.dtype == np.float64
    for decoded, pixels in zip(run["sample"].values, inputs["images"], strict=True):
        (image,) = decoded
        np.testing.assert_array_equal(image, pixels)
    for buckets, data in zip(run["weights"].values, inputs["hist"], strict=True):
        assert buckets.shape[1] == 3 and buckets[:, 2].sum() == len(data)
        assert buckets[0, 0] == np.float32(data.min()) and buckets[-1, 1] == np.float32(data.max())
    texts = run["note/text_summary"].values
    assert [list(t) for t in texts] == [["step **0**"], ["step **1**"], ["step **2**"]]
    curve = run["pr"].values[0]
    assert set(curve) == {"thresholds", "true_positives", "false_positives", "true_negatives"} | {
        "false_negatives",
        "precision",
        "recall",
    }
    # threshold 0 counts every example as positive: 3 true and 1 false positive
    assert (curve["true_positives"][0], curve["false_positives"][0]) == (3, 1)
    assert curve["thresholds"][0] == 0.0 and curve["thresholds"][-1] == 1.0


def test_torch_audio_is_decoded_to_samples(logdir):
    pytest.importorskip("torch")
    from torch.utils.tensorboard import SummaryWriter

    clip = (0.5 * np.sin(np.arange(800) / 7.0)).astype(np.float32)
    writer = SummaryWriter(logdir)
    writer.add_audio("voice", clip, 4, sample_rate=8000)
    writer.close()
    series = load(logdir)["."]["voice"]
    assert series.plugin == "audio" and list(series.steps) == [4]
    (decoded,) = series.values[0]
    assert isinstance(decoded, Audio) and decoded.sample_rate == 8000
    assert decoded.samples.shape == (800, 1)
    # torch writes int16(clip * 32767) (truncated); we read int16 / 32768
    expected = np.trunc(clip * 32767).astype(np.int16) / 32768
    np.testing.assert_allclose(decoded.samples[:, 0], expected, atol=1e-7)


def test_tensorboard_writer_plugins_match_tensorboard(logdir):
    from tensorboard.plugins.histogram import summary_v2 as histogram_v2
    from tensorboard.plugins.scalar import summary_v2 as scalar_v2
    from tensorboard.plugins.text import summary_v2 as text_v2

    events = []
    for step in range(4):
        for pb in (
            scalar_v2.scalar_pb("acc", 0.25 * step),
            histogram_v2.histogram_pb("dist", np.arange(10.0) * step, buckets=5),
            text_v2.text_pb("table", np.array([["a", "b"], ["c", str(step)]])),
        ):
            events.append(value_event(step, pb.value[0], wall_time=1.6e9 + step))
    path = write_events(logdir, events)
    reference = loader_values(path)
    run = load(logdir)["."]
    for tag, plugin in (("acc", "scalars"), ("dist", "histograms"), ("table", "text")):
        assert_same_as_tensorboard(run[tag], reference[tag], plugin)
    assert list(run["acc"].values) == [0.0, 0.25, 0.5, 0.75]
    np.testing.assert_array_equal(run["dist"].values[2], reference["dist"][2][2])
    assert run["table"].values[3].tolist() == [["a", "b"], ["c", "3"]]


def test_our_writer_round_trip(logdir):
    pixels = np.arange(2 * 4 * 3 * 3, dtype=np.uint8).reshape(2, 4, 3, 3)
    metadata = SummaryMetadata()
    metadata.plugin_data.plugin_name = "my_plugin"
    with summary.create_file_writer(os.path.join(logdir, "ours")) as writer:
        for step in range(5):
            summary.scalar("loss", step / 4, step=step)
            summary.write("custom", np.full((2, 2), step, np.int64), step=step, metadata=metadata)
        summary.image("pics", pixels, step=9, max_outputs=2)
    del writer
    path = only_file(os.path.join(logdir, "ours"))
    reference = loader_values(path)
    run = load(logdir)["ours"]
    assert_same_as_tensorboard(run["loss"], reference["loss"], "scalars")
    assert_same_as_tensorboard(run["custom"], reference["custom"], "my_plugin")
    assert_same_as_tensorboard(run["pics"], reference["pics"], "images")
    assert [v.tolist() for v in run["custom"].values][4] == [[4, 4], [4, 4]]
    images = run["pics"].values[0]
    for image, expected in zip(images, pixels, strict=True):
        np.testing.assert_array_equal(image, expected)


def test_legacy_forms_read_like_tensorboard(logdir):
    """simple_value, histo and image written by hand, converted as data_compat converts them."""
    png = io.BytesIO()
    Image.fromarray(np.full((3, 2), 200, np.uint8)).save(png, format="PNG")
    histo = Summary.Value(tag="h")
    histo.histo.min, histo.histo.max, histo.histo.num = -1.0, 3.0, 4
    histo.histo.bucket_limit.extend([-2.0, 0.0, 1.0, 5.0, 9.0])
    histo.histo.bucket.extend([0, 1, 2, 1, 0])
    image = Summary.Value(tag="img")
    image.image.height, image.image.width, image.image.colorspace = 3, 2, 1
    image.image.encoded_image_string = png.getvalue()
    events = [
        value_event(1, Summary.Value(tag="s", simple_value=2.5)),
        value_event(1, histo),
        value_event(1, image),
    ]
    path = write_events(logdir, events)
    reference = loader_values(path)
    run = load(logdir)["."]
    for tag, plugin in (("s", "scalars"), ("h", "histograms"), ("img", "images")):
        assert_same_as_tensorboard(run[tag], reference[tag], plugin)
    # the histo's empty end buckets are dropped; min and max become the outer edges
    np.testing.assert_array_equal(
        run["h"].values[0], np.float32([[-1, 0, 1], [0, 1, 2], [1, 3, 1]])
    )
    np.testing.assert_array_equal(run["img"].values[0][0], np.full((3, 2, 1), 200, np.uint8))


def test_to_pandas(logdir):
    pytest.importorskip("pandas")
    with summary.create_file_writer(os.path.join(logdir, "a")):
        for step in range(3):
            summary.scalar("x", step * 2.0, step=step)
    with summary.create_file_writer(os.path.join(logdir, "b")):
        summary.scalar("y", 7.0, step=10)
    data = load(logdir)
    frame = data.to_pandas()
    assert list(frame.columns) == ["run", "tag", "plugin", "step", "wall_time", "value"]
    assert frame[["run", "tag", "step", "value"]].values.tolist() == [
        ["a", "x", 0, 0.0],
        ["a", "x", 1, 2.0],
        ["a", "x", 2, 4.0],
        ["b", "y", 10, 7.0],
    ]
    assert frame["value"].dtype == np.float64
    series_frame = data["a"]["x"].to_pandas()
    assert series_frame["value"].tolist() == [0.0, 2.0, 4.0]
    assert data["b"].to_pandas()["tag"].tolist() == ["y"]


def test_values_false_keeps_steps_only(logdir):
    with summary.create_file_writer(logdir):
        for step in range(4):
            summary.scalar("x", 1.0, step=step)
    series = load(logdir, values=False)["."]["x"]
    assert list(series.steps) == [0, 1, 2, 3] and series.values is None


def test_missing_logdir_raises(tmp_path):
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "nope")


def test_iter_events_and_to_pandas_on_tensorboardx_files(tbx_run, logdir):
    """iter_events yields exactly the records TensorBoard's raw loader reads; to_pandas has one
    row per value TensorBoard's loader sees."""
    from tensorboard.backend.event_processing.event_file_loader import RawEventFileLoader

    from summary.proto import event_pb2
    from summary.reader import iter_events
    from summary.reader.event_files import iter_event_files

    run_dir, _ = tbx_run
    path = only_file(run_dir)
    assert list(iter_event_files(logdir)) == [("tbx", path)]
    raw = [event_pb2.Event.FromString(record) for record in RawEventFileLoader(path).Load()]
    assert list(iter_events(logdir)) == raw
    pytest.importorskip("pandas")
    frame = load(logdir).to_pandas()
    reference = loader_values(path)
    assert len(frame) == sum(len(values) for values in reference.values())
    loss = frame[frame["tag"] == "loss"]
    assert loss["step"].tolist() == [0, 1, 2]
    assert loss["value"].tolist() == [float(v) for _, _, v in reference["loss"]]


def test_a_file_being_written_reads_as_a_prefix(logdir):
    """Cut anywhere (a writer mid-record): load stops quietly at the partial record."""
    import warnings

    with summary.create_file_writer(os.path.join(logdir, "full")):
        for step in range(6):
            summary.scalar("x", float(step), step=step)
            summary.text("t", f"note {step}", step=step)
    data = open(only_file(os.path.join(logdir, "full")), "rb").read()
    cut_dir = os.path.join(logdir, "cut")
    os.makedirs(cut_dir)
    cut_path = os.path.join(cut_dir, "events.out.tfevents.1.cut")
    previous = 0
    for cut in range(0, len(data), 7):
        with open(cut_path, "wb") as handle:
            handle.write(data[:cut])
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            run = load(cut_dir, index="ignore").get(".")
        steps = list(run["x"].steps) if run and "x" in run else []
        assert steps == list(range(len(steps))) and len(steps) >= previous
        previous = len(steps)
    assert previous == 6


def test_reading_again_sees_what_was_flushed_since(logdir):
    writer = summary.create_file_writer(logdir)
    with writer.as_default():
        summary.scalar("x", 1.0, step=0)
        writer.flush()
        assert list(load(logdir)["."]["x"].steps) == [0]
        summary.scalar("x", 2.0, step=1)
        writer.flush()
        assert list(load(logdir)["."]["x"].values) == [1.0, 2.0]
    writer.close()
