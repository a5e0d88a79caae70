"""summary.integrations.clu: clu's MetricWriter interface written by `summary`, on JAX arrays,
read back by TensorBoard's loader and compared with clu's own TF-backed writer (where a
TensorFlow is found) or with the TF encodings documented in docs/data/ (everywhere)."""

from __future__ import annotations

import importlib.util
import io
import os
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

if importlib.util.find_spec("clu") is None or importlib.util.find_spec("jax") is None:
    pytest.skip("needs clu and jax", allow_module_level=True)

import jax.numpy as jnp  # noqa: E402
from PIL import Image  # noqa: E402

from summary.integrations import clu as summary_clu  # noqa: E402
from tests.integrations import jax_calls, tf_encodings  # noqa: E402
from tests.integrations.tensorboard_view import view  # noqa: E402
from tests.tensorboard_loader import accumulator, plugin_of, values  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture(scope="module")
def metric_writers():
    """`clu.metric_writers` with our SummaryWriter in it (this environment has no TensorFlow)."""
    return summary_clu.install()


@pytest.fixture
def writer(metric_writers, tmp_path):
    writer = summary_clu.SummaryWriter(str(tmp_path))
    yield writer
    writer.close()


def test_subclasses_the_installed_clus_metric_writer(metric_writers):
    from clu.metric_writers import interface

    ours = summary_clu.SummaryWriter
    assert issubclass(ours, interface.MetricWriter)
    assert metric_writers.SummaryWriter is ours
    assert ours.__abstractmethods__ == frozenset()
    assert interface.MetricWriter.__abstractmethods__ <= set(vars(ours))


def test_writes_the_documented_tf_encodings(writer):
    jax_calls.clu_calls(writer)
    seen = view(writer.logdir)
    data = jax_calls.clu_inputs()
    assert seen["loss"] == ("scalars", b"", [(1, "float32", (), 0.25), (2, "float32", (), 0.125)])
    assert seen["acc"] == ("scalars", b"", [(1, "float32", (), 0.75)])
    assert seen["count"] == ("scalars", b"", [(1, "float32", (), 3.0)])
    rgb = [tf_encodings.pixels(image) for image in data["rgb"]]
    assert seen["rgb"] == ("images", b"", [(2, "object", (4,), (["5", "4"], rgb))])
    gray = [tf_encodings.pixels(data["gray"])]
    assert seen["gray"] == ("images", b"", [(2, "object", (3,), (["5", "4"], gray))])
    clips = [tf_encodings.wav(clip, 8000) for clip in data["clip"]]
    assert seen["clip"] == ("audio", b"\x10\x0b", [(3, "object", (2,), (clips, [[], []]))])
    assert seen["note"] == ("text", b"", [(4, "object", (), b"**bold** text")])
    assert seen["w"][:2] == ("histograms", b"")
    tf_encodings.check_histogram(seen["w"][2], 5, data["w"], 7)
    tf_encodings.check_histogram(seen["b"][2], 5, np.arange(10.0), 30)
    raw = [(6, "float32", (2, 3), [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]])]
    assert seen["raw"] == ("custom_plugin", b"\x01\x02", raw)
    flat = {"lr": 0.1, "model.depth": 3, "model.name": "mlp", "layers.0": 8, "layers.1": 4}
    flat["unset"] = ""  # clu's flattening writes None as ""
    tf_encodings.check_hparams(seen, flat)


def test_matches_clus_own_tensorflow_writer(writer, tf_reference):
    jax_calls.clu_calls(writer)
    assert view(writer.logdir) == view(os.path.join(tf_reference, "clu"))


def test_videos_are_animated_gifs(writer):
    video = np.zeros((2, 3, 4, 5, 3), dtype=np.uint8)  # [N, T, H, W, C]
    video[1, :, :, :, 0] = np.arange(3, dtype=np.uint8)[:, None, None] * 100
    writer.write_videos(7, {"clips": jnp.asarray(video), "one": jnp.ones((2, 4, 5, 1))})
    writer.flush()
    acc = accumulator(writer.logdir)
    assert plugin_of(acc, "clips") == "images"
    ((step, _, clips),) = values(acc, "clips")
    assert step == 7 and clips[:2].tolist() == [b"10", b"4"]  # two clips side by side
    gif = Image.open(io.BytesIO(clips[2]))
    assert gif.format == "GIF"
    frames = []
    for index in range(gif.n_frames):
        gif.seek(index)
        frames.append(np.asarray(gif.convert("RGB")))
    assert [frame[0, 5, 0] for frame in frames] == [0, 100, 200]  # the second clip's red
    assert all(frame[:, :5].max() == 0 for frame in frames)  # the first clip is black
    assert values(acc, "one")[0][2][:2].tolist() == [b"5", b"4"]


def test_pointclouds_are_meshes(writer):
    points = np.arange(12, dtype=np.float32).reshape(1, 4, 3)
    colors = np.full((1, 4, 3), 200, dtype=np.uint8)
    write_pointcloud = writer.write_pointcloud  # declared by newer clu versions
    write_pointcloud(8, {"cloud": jnp.asarray(points)}, point_colors={"cloud": colors})
    writer.flush()
    seen = view(writer.logdir)
    assert seen["cloud_VERTEX"][0] == "mesh"
    assert seen["cloud_VERTEX"][2] == [(8, "float32", (1, 4, 3), points.tolist())]
    assert seen["cloud_COLOR"][2] == [(8, "uint8", (1, 4, 3), colors.tolist())]


def test_composes_with_async_and_multi_writers(metric_writers, tmp_path):
    async_run, multi_run = str(tmp_path / "async"), str(tmp_path / "multi")
    asynchronous = metric_writers.AsyncWriter(summary_clu.SummaryWriter(async_run))
    multi = metric_writers.MultiWriter(
        [metric_writers.LoggingWriter(), summary_clu.SummaryWriter(multi_run)]
    )
    for step in range(3):
        asynchronous.write_scalars(step, {"loss": jnp.float32(step / 2)})
        multi.write_scalars(step, {"loss": jnp.float32(step / 4)})
    asynchronous.close()
    multi.close()
    assert view(async_run)["loss"][2] == [(s, "float32", (), s / 2) for s in range(3)]
    assert view(multi_run)["loss"][2] == [(s, "float32", (), s / 4) for s in range(3)]


@pytest.mark.parametrize("asynchronous", [True, False])
def test_create_default_writer_writes_through_ours(metric_writers, tmp_path, asynchronous):
    writer = metric_writers.create_default_writer(
        str(tmp_path), asynchronous=asynchronous, collection="train"
    )
    metric_writers.write_values(writer, 4, {"loss": jnp.float32(0.5)})
    writer.write_images(4, {"image": jnp.zeros((2, 3, 3))})
    writer.close()
    seen = view(str(tmp_path / "train"))
    assert seen["loss"] == ("scalars", b"", [(4, "float32", (), 0.5)])
    assert seen["image"][0] == "images"


BAD_CALLS = {
    "write_scalars": lambda w: w.write_scalars(1, {"ok": 1.0, "bad": "high"}),
    "write_images": lambda w: w.write_images(1, {"ok": np.zeros((2, 2, 3)), "bad": np.zeros(4)}),
    "write_videos": lambda w: w.write_videos(1, {"ok": np.zeros((2, 2, 2, 3)), "bad": np.zeros(3)}),
    "write_audios": lambda w: w.write_audios(
        1, {"ok": np.zeros((1, 8, 1)), "bad": np.zeros(8)}, sample_rate=8000
    ),
    "write_texts": lambda w: w.write_texts(1, {"ok": "fine", "bad": 3.5}),
    "write_histograms": lambda w: w.write_histograms(1, {"ok": np.ones(3), "bad": np.ones(3) * 1j}),
    "write_summaries": lambda w: w.write_summaries(
        1, {"ok": np.ones(2), "bad": np.ones(2)}, metadata={"bad": 42}
    ),
    "write_pointcloud": lambda w: w.write_pointcloud(
        1, {"ok": np.zeros((1, 2, 3)), "bad": np.zeros((2, 3))}
    ),
}


@pytest.mark.parametrize("method", sorted(BAD_CALLS))
def test_bad_input_names_the_method_and_the_key_and_writes_nothing(writer, method):
    with pytest.raises((TypeError, ValueError), match=rf"clu\.SummaryWriter\.{method}\('bad'\)"):
        BAD_CALLS[method](writer)
    writer.flush()
    assert view(writer.logdir) == {}


def test_a_bad_step_or_key_is_refused(writer):
    with pytest.raises(TypeError, match=r"write_scalars.*step"):
        writer.write_scalars("one", {"loss": 1.0})
    with pytest.raises(ValueError, match=r"write_scalars"):
        writer.write_scalars(1, {"": 1.0})
    writer.flush()
    assert view(writer.logdir) == {}


WITHOUT_TENSORFLOW = textwrap.dedent(
    """
    import sys
    sys.modules["tensorflow"] = None  # as if TensorFlow were not installed
    from summary.integrations import clu as summary_clu
    import summary.integrations.flax
    assert "clu" not in sys.modules and "jax" not in sys.modules  # nothing loaded on import
    summary_clu.install()
    from clu import metric_writers
    from tests.integrations import jax_calls
    writer = metric_writers.create_default_writer(sys.argv[1] + "/default")
    jax_calls.clu_calls(writer)
    writer.close()
    ours = summary_clu.SummaryWriter(sys.argv[1] + "/clu")
    jax_calls.clu_calls(ours)
    ours.close()
    flax_writer = summary.integrations.flax.SummaryWriter(sys.argv[1] + "/flax")
    jax_calls.flax_calls(flax_writer)
    flax_writer.close()
    assert sys.modules["tensorflow"] is None
    print("done")
    """
)


def test_runs_to_the_end_without_tensorflow(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_TENSORFLOW, str(tmp_path)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": ROOT},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("done")
    clu_run = view(str(tmp_path / "clu"))
    assert view(str(tmp_path / "default")) == clu_run
    tags = {"loss", "acc", "count", "rgb", "gray", "clip", "note", "w", "b", "raw"}
    assert set(clu_run) == tags | {"_hparams_/session_start_info"}
    assert "_hparams_/session_start_info" in view(str(tmp_path / "flax"))


def test_missing_clu_names_the_extra():
    code = (
        "import sys; sys.modules['clu'] = None\n"
        "from summary.integrations import clu\n"
        "try:\n    clu.install()\nexcept ImportError as error:\n    print(error)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": ROOT},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "pip install clu" in result.stdout, result.stderr


def test_a_jax_scalar_deleted_before_the_writer_reads_it_is_reported(writer):
    from summary.writer.errors import WriterError

    value = jnp.asarray(0.5) * 2  # a fresh device buffer
    writer.write_scalars(1, {"gone": value, "kept": 0.25})
    value.delete()  # as a donated buffer is, perhaps before the writer thread read it
    try:
        writer.flush()
    except WriterError as error:  # it was not read in time: said, and the rest written
        assert "gone" in str(error)
        assert set(view(writer.logdir)) == {"kept"}
    else:  # it was read in time
        assert view(writer.logdir)["gone"] == ("scalars", b"", [(1, "float32", (), 1.0)])


def test_a_deleted_jax_scalar_is_skipped_and_reported_and_the_calls_other_values_land(writer):
    from summary.writer.errors import WriterError

    gone = jnp.asarray(0.5) * 2
    gone.delete()  # as a donated buffer: its shape and dtype are kept, its value is not
    writer.write_scalars(1, {"a": jnp.float32(0.25), "gone": gone, "b": 0.75})  # not read here
    with pytest.raises(WriterError, match=r"could not encode 'gone' at step 1.*deleted"):
        writer.flush()
    writer.write_scalars(2, {"gone": jnp.float32(2.0)})
    writer.flush()
    assert view(writer.logdir) == {
        "a": ("scalars", b"", [(1, "float32", (), 0.25)]),
        "b": ("scalars", b"", [(1, "float32", (), 0.75)]),
        "gone": ("scalars", b"", [(2, "float32", (), 2.0)]),  # metadata on its first value
    }


def test_scalars_carry_the_wall_time_of_the_call(writer):
    before = time.time()
    writer.write_scalars(3, {"loss": jnp.float32(0.5), "lr": 0.1, "n": np.int64(4)})
    after = time.time()
    time.sleep(0.05)  # the writer thread reads the values later than this
    writer.flush()
    acc = accumulator(writer.logdir)
    wall_times = {wall for tag in ("loss", "lr", "n") for _, wall, _ in values(acc, tag)}
    assert len(wall_times) == 1 and before <= wall_times.pop() <= after


WITH_TENSORFLOW = textwrap.dedent(
    """
    import sys
    import jax.numpy as jnp
    from clu import metric_writers  # TensorFlow is installed: clu imports as usual
    from summary.integrations import clu as summary_clu

    assert metric_writers.SummaryWriter.__module__.startswith("clu.")
    summary_clu.install()
    assert metric_writers.SummaryWriter is summary_clu.SummaryWriter
    writer = metric_writers.create_default_writer(sys.argv[1], asynchronous=False)
    writer.write_scalars(1, {"loss": jnp.float32(0.5)})
    writer.close()
    print("done")
    """
)


def test_install_replaces_clus_writer_where_tensorflow_is_installed(tf_run, tmp_path):
    """Needs summary's own dependencies in that Python too (numpy, protobuf, crc32c, Pillow)."""
    tf_run("-c", WITH_TENSORFLOW, str(tmp_path))
    assert view(str(tmp_path))["loss"] == ("scalars", b"", [(1, "float32", (), 0.5)])
