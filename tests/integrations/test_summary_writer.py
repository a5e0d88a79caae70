"""summary.SummaryWriter as torch / tensorboardX users construct and call it."""

from __future__ import annotations

import io
import os
import re
import socket
import subprocess
import sys
import wave

import numpy as np
import pytest
from PIL import Image

import summary
from summary import SummaryWriter, WriterClosedError
from summary.proto.plugins import hparams_pb2
from tests.tensorboard_loader import accumulator, multiplexer, plugin_of, scalar_series, values


def _event_files(path):
    return [name for name in os.listdir(path) if "tfevents" in name]


# -- construction ----------------------------------------------------------------------------


def test_default_log_dir_is_torchs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with SummaryWriter(comment="_lr0.1") as writer:
        writer.add_scalar("x", 1.0)
    pattern = rf"runs{re.escape(os.sep)}[A-Z][a-z]{{2}}\d\d_\d\d-\d\d-\d\d_"
    assert re.fullmatch(pattern + re.escape(socket.gethostname() + "_lr0.1"), writer.log_dir)
    assert writer.get_logdir() == writer.logdir == writer.log_dir
    assert _event_files(tmp_path / writer.log_dir)


def test_positional_arguments_are_torchs(tmp_path):
    with SummaryWriter(tmp_path, "ignored comment", None, 10, 2, ".mine") as writer:
        writer.add_scalar("x", 1.0)
    assert writer.log_dir == str(tmp_path)  # a given log_dir ignores comment, as torch
    (name,) = _event_files(tmp_path)
    assert name.endswith(".mine")


def test_tf_style_positional_options_are_refused_with_a_hint(tmp_path):
    with pytest.raises(TypeError, match=r"comment.*keyword"):
        SummaryWriter(tmp_path, 10, 1000)


def test_create_file_writer_keeps_tf_arguments(tmp_path):
    writer = summary.create_file_writer(tmp_path, 5, 200, ".x", "named")
    assert isinstance(writer, SummaryWriter) and writer.name == "named"
    writer.add_scalar("x", 1.0, 3)
    writer.close()
    (name,) = _event_files(tmp_path)
    assert name.endswith(".x")
    assert scalar_series(accumulator(tmp_path), "x") == {3: 1.0}


def test_logdir_spellings_and_flush_options(tmp_path):
    with SummaryWriter(logdir=tmp_path) as writer:
        assert writer.log_dir == str(tmp_path)
    with pytest.raises(ValueError, match="both"):
        SummaryWriter(tmp_path / "a", logdir=tmp_path / "b")
    with pytest.raises(ValueError, match="flush_secs or flush_millis"):
        SummaryWriter(tmp_path, flush_secs=1, flush_millis=1000)
    with pytest.raises(ValueError, match="flush_secs"):
        SummaryWriter(tmp_path, flush_secs=0)


def test_purge_step_hides_older_data_from_that_step(tmp_path):
    with SummaryWriter(tmp_path) as first:
        for step in range(10):
            first.add_scalar("loss", 1.0, step)
    with SummaryWriter(tmp_path, purge_step=5) as resumed:  # a restart from step 5
        for step in range(5, 8):
            resumed.add_scalar("loss", 2.0, step)
    # TensorBoard drops the first run's steps >= 5 when it sees the SessionLog START at step 5
    expected = {**dict.fromkeys(range(5), 1.0), **dict.fromkeys(range(5, 8), 2.0)}
    assert scalar_series(accumulator(tmp_path), "loss") == expected


@pytest.mark.parametrize(
    "purge_step, error", [("x", TypeError), (2**70, ValueError), (1.5, ValueError)]
)
def test_a_bad_purge_step_is_refused_before_the_run_directory_is_made(tmp_path, purge_step, error):
    with pytest.raises(error, match=r"^summary\.SummaryWriter: step "):
        SummaryWriter(tmp_path / "run", purge_step=purge_step)
    assert not (tmp_path / "run").exists()


def test_import_summary_keras_needs_no_keras():
    code = "import sys, summary; summary.keras; print('keras' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# -- semantics shared by the add_* methods ---------------------------------------------------


def test_add_methods_ignore_record_if_and_name_scope_and_default_step(tmp_path):
    writer = SummaryWriter(tmp_path)
    with summary.record_if(False), summary.name_scope("outer"), writer.as_default(step=9):
        writer.add_scalar("explicit", 1.0)
        assert not summary.scalar("implicit", 1.0)  # the ops do follow record_if
    with summary.name_scope("outer"), writer.as_default(step=9):
        summary.scalar("implicit", 2.0)
    writer.close()
    acc = accumulator(tmp_path)
    assert scalar_series(acc, "explicit") == {0: 1.0}  # global_step=None is step 0
    assert scalar_series(acc, "outer/implicit") == {9: 2.0}


def test_walltime_is_kept(tmp_path):
    with SummaryWriter(tmp_path) as writer:
        writer.add_scalar("x", 1.0, 1, walltime=1_600_000_000.5)
        writer.add_text("t", "hi", 1, walltime=1_600_000_001.5)
        with pytest.raises(ValueError, match="finite"):
            writer.add_scalar("x", 1.0, 2, walltime=float("nan"))
    acc = accumulator(tmp_path)
    assert [wall for _, wall, _ in values(acc, "x")] == [1_600_000_000.5]
    assert [wall for _, wall, _ in values(acc, "t/text_summary")] == [1_600_000_001.5]


def test_close_closes_scalars_runs_and_refuses_later_writes(tmp_path):
    writer = SummaryWriter(tmp_path)
    writer.add_scalars("loss", {"train": 1.0, "val": 2.0}, 1)
    writer.flush()
    assert scalar_series(accumulator(tmp_path / "loss_val"), "loss") == {1: 2.0}
    writer.close()
    writer.close()  # idempotent
    with pytest.raises(WriterClosedError):
        writer.add_scalar("x", 1.0)
    with pytest.raises(WriterClosedError):
        writer.add_scalars("loss", {"train": 1.0}, 2)


def test_scalar_errors_name_the_tag(tmp_path):
    with SummaryWriter(tmp_path) as writer:
        with pytest.raises(ValueError, match="double_precision"):
            writer.add_scalar("x", 1.0, double_precision=True)
        with pytest.raises(TypeError, match="'x'"):
            writer.add_scalar("x", "not a number")


# -- images ----------------------------------------------------------------------------------


def _decoded(logdir, tag):
    ((_, _, value),) = values(accumulator(logdir), tag)
    return np.asarray(Image.open(io.BytesIO(value[2])))


def test_image_pixels_follow_torch(tmp_path):
    hw = np.array([[0.0, 0.5, 1.0, 1.2], [-0.1, 0.999, 0.2, np.nan]])
    with SummaryWriter(tmp_path) as writer:
        writer.add_image("gray", hw, 1, dataformats="HW")
        writer.add_image("hwc", np.stack([hw, hw, 1 - hw], axis=-1), 1, dataformats="HWC")
    # torch: x * 255, clipped to [0, 255], truncated toward zero (NaN shown black)
    expected = np.array([[0, 127, 255, 255], [0, 254, 51, 0]], dtype=np.uint8)
    np.testing.assert_array_equal(_decoded(tmp_path, "gray"), expected)
    inverse = np.trunc(np.clip((1 - np.nan_to_num(hw, nan=1.0)) * 255, 0, 255))
    np.testing.assert_array_equal(_decoded(tmp_path, "hwc")[..., 2], inverse)


def test_images_tile_into_rows_of_eight(tmp_path):
    shades = np.arange(10, dtype=np.uint8) * 20 + 10  # 10 one-colour 2x3 images
    batch = np.broadcast_to(shades[:, None, None, None], (10, 1, 2, 3))
    with SummaryWriter(tmp_path) as writer:
        writer.add_images("grid", batch, 1)  # NCHW
    grid = _decoded(tmp_path, "grid")
    assert grid.shape == (2 * 2, 8 * 3)
    for index in range(16):
        row, column = divmod(index, 8)
        cell = grid[row * 2 : row * 2 + 2, column * 3 : column * 3 + 3]
        assert (cell == (shades[index] if index < 10 else 0)).all()


@pytest.mark.parametrize(
    ("data", "dataformats", "message"),
    [
        (np.zeros((3, 4)), "CHW", "rank-3"),
        (np.zeros((3, 4, 5)), "CHWX", "dataformats"),
        (np.zeros((3, 4, 5)), "CCW", "dataformats"),
    ],
)
def test_bad_dataformats_are_named(tmp_path, data, dataformats, message):
    with SummaryWriter(tmp_path) as writer:
        with pytest.raises(ValueError, match=rf"add_image\('x'\).*{message}"):
            writer.add_image("x", data, dataformats=dataformats)


# -- histograms, audio, text, hparams ----------------------------------------------------------


def test_histogram_bins(tmp_path):
    data = np.random.default_rng(3).normal(size=500)
    edges = np.array([-4.0, -1.0, 0.0, 0.5, 4.0])
    with SummaryWriter(tmp_path) as writer:
        writer.add_histogram("default", data, 1)
        writer.add_histogram("capped", data, 1, max_bins=10)
        writer.add_histogram("count", data, 1, bins=12)
        writer.add_histogram("edges", data, 1, bins=edges)
        writer.add_histogram("auto", data, 1, bins="auto")
    acc = accumulator(tmp_path)
    rows = {tag: values(acc, tag)[0][2] for tag in ("default", "capped", "count", "edges", "auto")}
    assert [len(rows[tag]) for tag in ("default", "capped", "count")] == [30, 10, 12]
    counts, _ = np.histogram(data, bins=edges)
    np.testing.assert_array_equal(rows["edges"][:, 2], counts)
    np.testing.assert_array_equal(rows["edges"][:, 0], edges[:-1])
    auto_counts, auto_edges = np.histogram(data, bins="auto")
    np.testing.assert_array_equal(rows["auto"][:, 2], auto_counts)
    np.testing.assert_allclose(rows["auto"][:, 1], auto_edges[1:])
    assert all(plugin_of(acc, tag) == "histograms" for tag in rows)


@pytest.mark.parametrize(
    "dtype, pcm",
    [
        (np.int16, [0, 16384, -32768, 32767]),
        (np.int8, [0, 64, -128, 127]),
        (np.uint8, [128, 192, 0, 255]),
        (np.int32, [0, 2**30, -(2**31), 2**31 - 1]),
    ],
)
def test_add_audio_scales_integer_pcm_by_its_full_scale(tmp_path, dtype, pcm):
    # A WAV sample s of b bits is the value s / 2**(b-1) (unsigned 8-bit: (s - 128) / 128); the
    # 16-bit WAV we write holds that value x 32768, rounded and saturated at 32767.
    with SummaryWriter(tmp_path) as writer:
        writer.add_audio("pcm", np.array(pcm, dtype), 1, sample_rate=8000)
    ((_, _, value),) = values(accumulator(tmp_path), "pcm")
    with wave.open(io.BytesIO(value.flat[0])) as clip:
        samples = np.frombuffer(clip.readframes(clip.getnframes()), "<i2")
    offset, full = (128, 128) if dtype == np.uint8 else (0, 2 ** (np.iinfo(dtype).bits - 1))
    expected = np.clip(np.round((np.array(pcm, float) - offset) / full * 32768), -32768, 32767)
    np.testing.assert_array_equal(samples, expected)


def test_add_audio_refuses_integer_dtypes_that_are_not_pcm(tmp_path):
    with SummaryWriter(tmp_path) as writer:
        with pytest.raises(TypeError, match=r"add_audio\('a'\): audio of dtype int64 is ambig"):
            writer.add_audio("a", np.array([0, 1], np.int64))


def test_audio_shapes(tmp_path):
    stereo = np.stack([np.linspace(-1, 1, 50), np.zeros(50)], axis=1)
    with SummaryWriter(tmp_path) as writer:
        writer.add_audio("mono", np.full((1, 40), 0.5), 1, sample_rate=8000)
        writer.add_audio("stereo", stereo, 1, sample_rate=16000)
        with pytest.raises(ValueError, match=r"add_audio\('bad'\)"):
            writer.add_audio("bad", np.zeros((2, 3, 4)))
    acc = accumulator(tmp_path)
    for tag, rate, channels, frames in (("mono", 8000, 1, 40), ("stereo", 16000, 2, 50)):
        ((_, _, value),) = values(acc, tag)
        with wave.open(io.BytesIO(value.flat[0])) as clip:
            assert (clip.getframerate(), clip.getnchannels(), clip.getnframes()) == (
                rate,
                channels,
                frames,
            )


def test_text_tag_and_shape_are_torchs(tmp_path):
    with SummaryWriter(tmp_path) as writer:
        writer.add_text("notes", "héllo", 3)
    acc = accumulator(tmp_path)
    ((step, _, value),) = values(acc, "notes/text_summary")
    assert step == 3 and value.shape == (1,) and value[0].decode() == "héllo"
    assert plugin_of(acc, "notes/text_summary") == "text"


def _hparams(run_dir):
    acc = accumulator(run_dir)
    return acc, {
        tag: hparams_pb2.HParamsPluginData.FromString(acc.SummaryMetadata(tag).plugin_data.content)
        for tag in acc.Tags()["tensors"]
        if plugin_of(acc, tag) == "hparams"
    }


def test_hparams_types_domains_and_run_names(tmp_path):
    with SummaryWriter(tmp_path) as writer:
        writer.add_hparams(
            {"lr": 0.1, "amp": True, "opt": "sgd", "skip": None},
            {"hp/acc": 0.75},
            hparam_domain_discrete={"opt": ["sgd", "adam"]},
            run_name="trial1",
            global_step=4,
        )
        writer.add_hparams({"lr": 0.2}, {"hp/acc": 0.5}, "trial2")  # tensorboardX's order
        with pytest.raises(TypeError, match="'bad'"):
            writer.add_hparams({"bad": object()}, {})
    assert {"trial1", "trial2"} <= set(multiplexer(tmp_path).Runs())
    acc, messages = _hparams(tmp_path / "trial1")
    start = messages["_hparams_/session_start_info"].session_start_info.hparams
    assert start["lr"].number_value == 0.1 and start["amp"].bool_value is True
    assert start["opt"].string_value == "sgd" and "skip" not in start
    infos = {info.name: info for info in messages["_hparams_/experiment"].experiment.hparam_infos}
    assert infos["amp"].type == hparams_pb2.DATA_TYPE_BOOL
    assert [v.string_value for v in infos["opt"].domain_discrete.values] == ["sgd", "adam"]
    metrics = messages["_hparams_/experiment"].experiment.metric_infos
    assert [m.name.tag for m in metrics] == ["hp/acc"]
    assert scalar_series(acc, "hp/acc") == {4: 0.75}
    status = messages["_hparams_/session_end_info"].session_end_info.status
    assert status == hparams_pb2.STATUS_SUCCESS


def test_hparams_are_read_by_tensorboards_hparams_plugin(tmp_path):
    pytest.importorskip("tensorboard")
    from tensorboard.plugins.hparams import metadata

    with SummaryWriter(tmp_path) as writer:
        writer.add_hparams({"lr": 0.1}, {"hp/acc": 0.75}, run_name="trial")
    acc = accumulator(tmp_path / "trial")
    start = metadata.parse_session_start_info_plugin_data(
        acc.SummaryMetadata(metadata.SESSION_START_INFO_TAG).plugin_data.content
    )
    assert start.hparams["lr"].number_value == 0.1


def test_add_graph_needs_an_example_input(tmp_path):
    torch = pytest.importorskip("torch")
    with SummaryWriter(tmp_path) as writer:
        with pytest.raises(ValueError, match="input_to_model"):
            writer.add_graph(torch.nn.Linear(2, 2))
