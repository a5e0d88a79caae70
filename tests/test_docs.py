"""The examples of the getting-started, per-data-type and TF 2.x migration pages run as written,
and TensorBoard's loader finds what they promise."""

import importlib.util

import numpy as np
import pytest

from tests.doc_examples import run_examples
from tests.tensorboard_loader import accumulator, plugin_of, scalar_series, values


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def test_getting_started(tmp_path, capsys):
    run_examples("getting-started.md")
    acc = accumulator(tmp_path / "runs" / "exp1" / "train")
    assert scalar_series(acc, "loss") == {s: float(np.float32(1 / (s + 1))) for s in range(1000)}
    assert capsys.readouterr().out.splitlines()[:2] == ["0 loss", "1 loss"]


def test_migrating_from_tf_summary(tmp_path):
    run_examples("migrating-from-tf-summary.md")
    acc = accumulator(tmp_path / "runs" / "exp1" / "train")
    assert sorted(scalar_series(acc, "loss")) == list(range(100))
    assert plugin_of(acc, "weights") == "histograms"
    assert [value.shape for _, _, value in values(acc, "weights")] == [(30, 3)] * 100


def test_scalar_page(tmp_path):
    run_examples("data/scalar.md")
    acc = accumulator(tmp_path / "logs" / "run1" / "train")
    assert acc.SummaryMetadata("loss").summary_description.startswith("cross-entropy")
    assert len(scalar_series(acc, "loss")) == 1000


def test_histogram_page(tmp_path):
    run_examples("data/histogram.md")
    acc = accumulator(tmp_path / "logs" / "run1")
    kernels = values(acc, "dense/kernel")
    assert len(kernels) == 100 and kernels[0][2].shape == (30, 3)
    assert all(value[:, 2].sum() == 256 * 128 for _, _, value in kernels)
    spread = [value[-1, 1] - value[0, 0] for _, _, value in kernels]
    assert spread[-1] < spread[0]  # the weights sharpen
    assert values(acc, "dense/bias")[0][2].shape == (10, 3)


def test_pr_curve_page(tmp_path):
    run_examples("data/pr_curve.md")
    acc = accumulator(tmp_path / "logs" / "run1" / "eval")
    assert plugin_of(acc, "pr") == "pr_curves"
    curves = [value for _, _, value in values(acc, "pr")]
    assert len(curves) == 10 and curves[0].shape == (6, 101)
    tp, fp, tn, fn = (curves[-1][row, 50] for row in range(4))
    assert tp + fp + tn + fn == 1000


def test_text_page(tmp_path):
    run_examples("data/text.md")
    acc = accumulator(tmp_path / "logs" / "run1")
    assert values(acc, "notes")[0][2].shape == ()
    table = values(acc, "hyperparameters")[0][2]
    assert table.tolist() == [[b"learning_rate", b"0.1"], [b"batch_size", b"64"]]


def test_graph_page(tmp_path):
    run_examples("data/graph.md")
    acc = accumulator(tmp_path / "logs" / "run1")
    assert [node.name for node in acc.Graph().node] == ["x", "w", "y"]


def test_video_page(tmp_path):
    import io

    from PIL import Image

    run_examples("data/video.md")
    ((_, _, blob),) = values(accumulator(tmp_path / "logs" / "video"), "rollout")
    gif = Image.open(io.BytesIO(blob[2]))
    assert gif.n_frames == 8
    gif.seek(2)
    assert np.asarray(gif.convert("RGB"))[0, 9].tolist() == [255, 0, 0]  # the bar at x 8..11


def test_tensor_page(tmp_path):
    run_examples("data/tensor.md")
    acc = accumulator(tmp_path / "logs" / "tensors")
    ((_, _, value),) = values(acc, "embedding/mean")
    assert value.dtype == np.float16 and value.shape == (2, 3)


def test_image_page_boxes(tmp_path):
    run_examples("data/image.md")
    acc = accumulator(tmp_path / "logs" / "boxes")
    assert plugin_of(acc, "detections") == "images"


def test_hparams_page(tmp_path):
    run_examples("data/hparams.md")
    root = tmp_path / "logs" / "hparam_tuning"
    assert "_hparams_/experiment" in accumulator(root).Tags()["tensors"]
    for trial in range(8):
        acc = accumulator(root / f"run-{trial}")
        assert "_hparams_/session_start_info" in acc.Tags()["tensors"]
        assert list(scalar_series(acc, "accuracy")) == [1]


def test_custom_scalars_page(tmp_path):
    run_examples("data/custom_scalars.md")
    acc = accumulator(tmp_path / "logs" / "custom")
    assert plugin_of(acc, "custom_scalars__config__") == "custom_scalars"
    assert len(scalar_series(acc, "acc/high")) == 10


def test_mesh_page(tmp_path):
    run_examples("data/mesh.md")
    tags = accumulator(tmp_path / "logs" / "mesh").Tags()["tensors"]
    assert sorted(tags) == [
        "points_COLOR",
        "points_VERTEX",
        "tetrahedron_COLOR",
        "tetrahedron_FACE",
        "tetrahedron_VERTEX",
    ]


def test_embedding_page(tmp_path):
    from google.protobuf import text_format
    from tensorboard.plugins.projector.projector_config_pb2 import ProjectorConfig

    run_examples("data/embedding.md")
    config = text_format.Parse(
        (tmp_path / "logs" / "run1" / "projector_config.pbtxt").read_text(), ProjectorConfig()
    )
    assert [e.tensor_name for e in config.embeddings] == ["words:00003"]
    assert (tmp_path / "logs" / "run1" / "00003" / "words" / "sprite.png").exists()
    header = (tmp_path / "logs" / "run2" / "00000" / "words" / "metadata.tsv").read_text()
    assert header.splitlines()[0] == "word\tcount"


def test_jax_page(tmp_path):
    pytest.importorskip("jax")
    run_examples("jax.md")
    flax_run = accumulator(tmp_path / "runs" / "flax")
    assert sorted(scalar_series(flax_run, "loss")) == list(range(10))
    assert plugin_of(flax_run, "sample") == "images"
    if importlib.util.find_spec("clu") is not None:
        train = accumulator(tmp_path / "runs" / "mlp" / "train")
        losses = scalar_series(train, "loss")
        assert sorted(losses) == list(range(100)) and losses[99] < losses[0]
        assert plugin_of(train, "w") == "histograms"
