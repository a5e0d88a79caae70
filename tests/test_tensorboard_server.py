"""The real `tensorboard` server over a demo logdir: each dashboard's HTTP endpoint serves what we
logged. Runs with the Python loader (`--load_fast=false`) and with RustBoard when installed."""

from __future__ import annotations

import io
import re
import wave

import numpy as np
import pytest
from PIL import Image

import summary
from summary.cli.demo import EPOCHS, rollout_video, write_demo
from tests.tensorboard_server import LOADER_IDS, LOADER_PARAMS, running_tensorboard

pytest.importorskip("tensorboard")
pytestmark = pytest.mark.timeout(240)

DEMO_STEPS = 100
PROBE_IMAGE = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(1, 2, 3, 3) * 14
PROBE_VIDEO = np.arange(3 * 3 * 4 * 5, dtype=np.uint8).reshape(1, 3, 3, 4, 5) * 2  # [N,T,C,H,W]
PROBE_AUDIO = np.array([0, 0.5, -0.5, 1, -1, 0.25, 0, 0], dtype=np.float32).reshape(1, 8, 1)


def write_probe(logdir: str) -> None:
    """A run of exactly known values, one per dashboard."""
    with summary.create_file_writer(logdir) as writer:
        writer.add_video("video", PROBE_VIDEO, 0, fps=10)
        for step in range(5):
            summary.scalar("loss", 0.5**step, step=step)
        summary.histogram("hist", [0, 1, 1, 2, 2, 2, 3, 3, 3, 3], step=0, buckets=3)
        summary.image("image", PROBE_IMAGE, step=0)
        summary.audio("audio", PROBE_AUDIO, 8000, step=0)
        summary.text("table", [["a", "b"], ["c", "d"]], step=0)
        summary.pr_curve(
            "pr", [True, False, True, False], np.float32([0.9, 0.1, 0.6, 0.4]), 0, num_thresholds=3
        )


@pytest.fixture(scope="module")
def demo_logdir(tmp_path_factory):
    logdir = tmp_path_factory.mktemp("tensorboard_server")
    write_demo(str(logdir), steps=DEMO_STEPS)
    write_probe(str(logdir / "probe"))
    return logdir


@pytest.fixture(scope="module", params=LOADER_PARAMS, ids=LOADER_IDS)
def server(request, demo_logdir, tmp_path_factory):
    log_dir = str(tmp_path_factory.mktemp("tensorboard_log"))
    with running_tensorboard(str(demo_logdir), request.param, log_dir) as server:
        yield server


def test_runs(server):
    runs = server.poll_json("/data/runs", lambda runs: {"train", "eval", "probe"} <= set(runs))
    assert set(runs) == {"train", "eval", "probe"}


def test_scalars(server):
    points = server.poll_json(
        "/data/plugin/scalars/scalars", lambda body: len(body) == 5, run="probe", tag="loss"
    )
    assert [(step, value) for _, step, value in points] == [(s, 0.5**s) for s in range(5)]
    loss = server.poll_json(
        "/data/plugin/scalars/scalars", lambda b: len(b) == DEMO_STEPS, run="train", tag="loss"
    )
    assert loss[0][1:] == [0, 2.5]  # 2.5 * exp(0) + 0.05 * sin(0)
    assert loss[-1][2] < loss[0][2] / 10  # the demo loss falls


def test_histograms(server):
    (entry,) = server.poll_json(
        "/data/plugin/histograms/histograms", lambda body: len(body) == 1, run="probe", tag="hist"
    )
    # Width (3 - 0) / 3 = 1; floor(x) clamped to bucket 2: counts 1, 2, 3 + 4.
    assert entry[1] == 0 and entry[2] == [[0, 1, 1], [1, 2, 2], [2, 3, 7]]
    weights = server.poll_json(
        "/data/plugin/histograms/histograms",
        lambda body: len(body) == EPOCHS,
        run="train",
        tag="weights/dense",
    )
    first, last = (np.array(buckets) for _, _, buckets in (weights[0], weights[-1]))
    assert first[:, 2].sum() == last[:, 2].sum() == 2000
    assert _mean_spread(last) < _mean_spread(first)  # the demo's weights sharpen


def _mean_spread(buckets: np.ndarray) -> float:
    """Mean distance of the bucket centres from ±0.5, weighted by count."""
    centres = (buckets[:, 0] + buckets[:, 1]) / 2
    return float(np.average(np.abs(np.abs(centres) - 0.5), weights=buckets[:, 2]))


def test_images(server):
    (entry,) = server.poll_json(
        "/data/plugin/images/images", lambda body: len(body) == 1, run="probe", tag="image"
    )
    png = server.get("/data/plugin/images/individualImage?" + entry["query"])
    np.testing.assert_array_equal(np.asarray(Image.open(io.BytesIO(png))), PROBE_IMAGE[0])
    samples = server.poll_json(
        "/data/plugin/images/images",
        lambda body: len(body) == EPOCHS,
        run="train",
        tag="samples",
        sample=2,  # the third image of each batch
    )
    png = server.get("/data/plugin/images/individualImage?" + samples[-1]["query"])
    image = Image.open(io.BytesIO(png))
    assert image.size == (32, 32) and image.mode == "RGB"


def test_video(server):
    """add_video's GIF, served by the images plugin, decodes to the frames given."""
    (entry,) = server.poll_json(
        "/data/plugin/images/images", lambda body: len(body) == 1, run="probe", tag="video"
    )
    gif = Image.open(
        io.BytesIO(server.get("/data/plugin/images/individualImage?" + entry["query"]))
    )
    assert gif.format == "GIF" and gif.n_frames == 3
    for index in range(3):
        gif.seek(index)
        expected = PROBE_VIDEO[0, index].transpose(1, 2, 0)
        np.testing.assert_array_equal(np.asarray(gif.convert("RGB")), expected)
    rollouts = server.poll_json(
        "/data/plugin/images/images", lambda body: len(body) == EPOCHS, run="train", tag="rollout"
    )
    last = Image.open(
        io.BytesIO(server.get("/data/plugin/images/individualImage?" + rollouts[-1]["query"]))
    )
    progress = rollouts[-1]["step"] / (DEMO_STEPS - 1)
    assert last.format == "GIF" and last.n_frames == 8
    last.seek(7)
    expected = rollout_video(progress)[0, 7].transpose(1, 2, 0)
    np.testing.assert_array_equal(np.asarray(last.convert("RGB")), expected)


def test_audio(server):
    (entry,) = server.poll_json(
        "/data/plugin/audio/audio", lambda body: len(body) == 1, run="probe", tag="audio"
    )
    assert entry["contentType"] == "audio/wav"
    clip = server.get("/data/plugin/audio/individualAudio?" + entry["query"])
    with wave.open(io.BytesIO(clip)) as wav:
        assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (8000, 1, 2)
        samples = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
    # TF: int16 = clamp(round(x * 32768), -32768, 32767) (FORMAT.md §6)
    assert samples.tolist() == [0, 16384, -16384, 32767, -32768, 8192, 0, 0]
    tones = server.poll_json(
        "/data/plugin/audio/audio", lambda body: len(body) == EPOCHS, run="train", tag="tone"
    )
    assert {entry["contentType"] for entry in tones} == {"audio/wav"}


def test_text(server):
    (entry,) = server.poll_json(
        "/data/plugin/text/text", lambda body: len(body) == 1, run="probe", tag="table"
    )
    cells = re.findall(r"<td><p>(\w)</p></td>", entry["text"])
    assert entry["text"].startswith("<table>") and cells == ["a", "b", "c", "d"]
    (hyperparameters,) = server.poll_json(
        "/data/plugin/text/text", lambda body: len(body) == 1, run="train", tag="hyperparameters"
    )
    assert "<td><p>batch_size</p></td>" in hyperparameters["text"]


def test_pr_curves(server):
    body = server.poll_json(
        "/data/plugin/pr_curves/pr_curves", lambda body: len(body.get("probe", ())) == 1,
        run="probe", tag="pr",
    )  # fmt: skip
    (entry,) = body["probe"]
    # Thresholds 0, 0.5, 1; buckets floor(2p) = [1, 0, 1, 0]; the plugin trims the last column,
    # where TP + FP == 0.
    assert entry["true_positives"] == [2, 2] and entry["false_positives"] == [2, 0]
    assert entry["true_negatives"] == [0, 2] and entry["false_negatives"] == [0, 0]
    assert entry["precision"] == [0.5, 1.0] and entry["recall"] == [1.0, 1.0]
    assert entry["thresholds"] == [0.0, 0.5]
    curves = server.poll_json(
        "/data/plugin/pr_curves/pr_curves", lambda body: len(body.get("eval", ())) == EPOCHS,
        run="eval", tag="pr_curve",
    )["eval"]  # fmt: skip
    assert _best_f1(curves[-1]) > _best_f1(curves[0]) + 0.2  # the classifier improves


def _best_f1(entry: dict) -> float:
    recall, precision = np.array(entry["recall"]), np.array(entry["precision"])
    return float(np.max(2 * precision * recall / np.maximum(precision + recall, 1e-7)))


def test_graph(server):
    info = server.poll_json(
        "/data/plugin/graphs/info", lambda body: body.get("train", {}).get("run_graph")
    )
    assert not info.get("eval", {}).get("run_graph")
    graph = server.get("/data/plugin/graphs/graph", run="train").decode()
    assert 'name: "softmax"' in graph and 'op: "MatMul"' in graph


def test_demo_hparams_mesh_and_custom_scalars(server):
    experiment = server.poll_json(
        "/data/plugin/hparams/experiment",
        lambda body: bool(body.get("hparamInfos")),
        request='{"experimentName": ""}',
    )
    assert {info["name"] for info in experiment["hparamInfos"]} == {
        "optimizer",
        "learning_rate",
        "hidden_units",
    }
    tags = server.poll_json("/data/plugin/mesh/tags", lambda body: bool(body.get("train")))
    assert tags["train"] == {"spiral": {"samples": 1}}
    layout = server.poll_json("/data/plugin/custom_scalars/layout", bool)
    assert [category["title"] for category in layout["category"]] == ["training"]


def test_demo_embedding_in_the_projector(server):
    import json

    server.poll_json("/data/plugin/projector/runs", lambda runs: "train" in runs)
    info = json.loads(server.get("/data/plugin/projector/info", run="train"))
    (embedding,) = info["embeddings"]
    assert embedding["tensorShape"] == [60, 16]
    assert embedding["sprite"]["singleImageDim"] == [8, 8]
    name = embedding["tensorName"]
    tensor = server.get("/data/plugin/projector/tensor", run="train", name=name)
    assert len(tensor) == 60 * 16 * 4
    table = server.get("/data/plugin/projector/metadata", run="train", name=name).decode()
    assert table.splitlines()[0] == "name\tcluster" and len(table.splitlines()) == 61
