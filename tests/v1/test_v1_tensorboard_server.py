"""A FileWriter run of every legacy type served by the real `tensorboard` (Python loader and
RustBoard): each dashboard shows what TF 1.x's summaries showed, also for the values after the
first, which carry no metadata."""

import io
import re
import wave

import numpy as np
import pytest
from PIL import Image

from summary import v1
from tests.tensorboard_server import LOADER_IDS, LOADER_PARAMS, running_tensorboard
from tests.v1.tf1_reference import (
    tensorboard_histogram_rows,
    tf1_histogram,
    tf1_image_pixels,
    tf1_wav_sample,
)

pytestmark = pytest.mark.timeout(240)
STEPS = 3
WEIGHTS = [0.5, -1.0, 3.0, 3.0, 0.0]
IMAGE = np.linspace(-1, 2, 2 * 3 * 3, dtype=np.float32).reshape(1, 2, 3, 3)
CLIP = np.array([[0.0, 0.5, -0.5, 1.0, -1.0, 0.25]], dtype=np.float32)


@pytest.fixture(scope="module")
def logdir(tmp_path_factory):
    logdir = tmp_path_factory.mktemp("v1_server")
    with v1.FileWriter(str(logdir / "tf1")) as writer:
        for step in range(STEPS):
            merged = v1.merge(
                [
                    v1.scalar_pb("loss", 0.5**step),
                    v1.histogram_pb("weights", WEIGHTS),
                    v1.image_pb("image", IMAGE, max_outputs=1),
                    v1.audio_pb("audio", CLIP, 8000, max_outputs=1),
                    v1.text_pb("notes", f"step {step}"),
                    v1.pr_curve_pb("pr", [True, False], [0.9, 0.2], num_thresholds=3),
                ]
            )
            writer.add_summary(merged, global_step=step)
    return logdir


@pytest.fixture(scope="module", params=LOADER_PARAMS, ids=LOADER_IDS)
def server(request, logdir, tmp_path_factory):
    log_dir = str(tmp_path_factory.mktemp("tensorboard_log"))
    with running_tensorboard(str(logdir), request.param, log_dir) as server:
        yield server, request.param == "true"


def series(server, plugin, route, **params):
    return server.poll_json(
        f"/data/plugin/{plugin}/{route}", lambda body: len(body) == STEPS, run="tf1", **params
    )


def test_every_dashboard_shows_every_step(server):
    server, rust = server
    loss = series(server, "scalars", "scalars", tag="loss")
    assert [(step, value) for _, step, value in loss] == [(s, 0.5**s) for s in range(STEPS)]

    histo = tf1_histogram(WEIGHTS)
    if rust:  # every bucket; the outer edges replaced by min and max
        edges = histo["bucket_limit"][:-1]
        expected = list(
            zip([histo["min"], *edges], [*edges, histo["max"]], histo["bucket"], strict=True)
        )
    else:  # empty buckets at both ends dropped first
        expected = tensorboard_histogram_rows(histo)
    for _, step, buckets in series(server, "histograms", "histograms", tag="weights"):
        assert np.allclose(buckets, expected, rtol=1e-6), step

    images = series(server, "images", "images", tag="image/image")
    png = server.get("/data/plugin/images/individualImage?" + images[-1]["query"])
    pixels = np.asarray(Image.open(io.BytesIO(png))).tolist()
    assert pixels == tf1_image_pixels(IMAGE[0].tolist(), "float32")

    clips = series(server, "audio", "audio", tag="audio/audio")
    assert {clip["contentType"] for clip in clips} == {"audio/wav"}
    data = server.get("/data/plugin/audio/individualAudio?" + clips[-1]["query"])
    with wave.open(io.BytesIO(data)) as clip:
        samples = np.frombuffer(clip.readframes(clip.getnframes()), "<i2").tolist()
    assert samples == [tf1_wav_sample(x) for x in CLIP[0].tolist()]

    notes = series(server, "text", "text", tag="notes")
    assert [re.sub(r"<[^>]+>", "", entry["text"]) for entry in notes] == [
        f"step {s}" for s in range(STEPS)
    ]

    body = server.poll_json(
        "/data/plugin/pr_curves/pr_curves",
        lambda body: len(body.get("tf1", ())) == STEPS,
        run="tf1",
        tag="pr/pr_curves",
    )
    # Thresholds 0, 0.5, 1: buckets floor(2p) = [1, 0]; TP = [1, 1, 0], FP = [1, 0, 0].
    assert {(tuple(e["true_positives"]), tuple(e["false_positives"])) for e in body["tf1"]} == {
        ((1, 1), (1, 0))
    }
