"""Embeddings: what the real TensorBoard projector serves, torch parity, safe names, refusals."""

from __future__ import annotations

import io
import math
import os

import numpy as np
import pytest
from google.protobuf import text_format

import summary
from summary.writer.naming import directory_name
from tests.tensorboard_server import LOADER_IDS, LOADER_PARAMS, running_tensorboard

N, D = 10, 4
RNG = np.random.default_rng(14)
POINTS = RNG.standard_normal((N, D)).astype(np.float32)
LABELS = [f"word{i}" for i in range(N)]
IMAGES = np.zeros((N, 3, 2, 2), dtype=np.uint8)
IMAGES[:, 0] = np.arange(N, dtype=np.uint8)[:, None, None] * 20  # red channel = 20 * index
# torch scales every label_img by 255 (uint8 too); floats exact in binary, so both truncate alike
FLOAT_IMAGES = np.zeros((N, 1, 3, 3), dtype=np.float32) + np.arange(N)[:, None, None, None] / 16


def _files(root) -> set[str]:
    return {
        os.path.relpath(os.path.join(folder, name), root)
        for folder, _, names in os.walk(root)
        for name in names
        if not name.startswith("events.out.tfevents.")
    }


@pytest.fixture(scope="module")
def logdir(tmp_path_factory):
    root = tmp_path_factory.mktemp("projector")
    with summary.SummaryWriter(str(root / "run")) as writer:
        writer.add_embedding(POINTS, metadata=LABELS, label_img=IMAGES, tag="words", global_step=7)
        writer.add_embedding(
            POINTS * 2,
            metadata=[[label, i % 2] for i, label in enumerate(LABELS)],
            metadata_header=["word", "parity"],
            tag="a/b",
        )
    return root


@pytest.fixture(scope="module", params=LOADER_PARAMS, ids=LOADER_IDS)
def server(request, logdir, tmp_path_factory):
    with running_tensorboard(str(logdir), request.param, str(tmp_path_factory.mktemp("log"))) as s:
        yield s


def test_the_projector_serves_the_embeddings(server):
    import json

    runs = server.poll_json("/data/plugin/projector/runs", lambda body: "run" in body)
    assert runs == ["run"]
    info = json.loads(server.get("/data/plugin/projector/info", run="run"))
    by_name = {e["tensorName"]: e for e in info["embeddings"]}
    assert set(by_name) == {"words:00007", "a/b:00000"}
    assert by_name["words:00007"]["tensorShape"] == [N, D]
    assert by_name["words:00007"]["sprite"]["singleImageDim"] == [2, 2]

    for name, expected in (("words:00007", POINTS), ("a/b:00000", POINTS * 2)):
        data = server.get("/data/plugin/projector/tensor", run="run", name=name)
        np.testing.assert_array_equal(np.frombuffer(data, np.float32).reshape(N, D), expected)

    labels = server.get("/data/plugin/projector/metadata", run="run", name="words:00007")
    assert labels.decode().splitlines() == LABELS
    table = server.get("/data/plugin/projector/metadata", run="run", name="a/b:00000")
    rows = [line.split("\t") for line in table.decode().splitlines()]
    assert rows == [["word", "parity"]] + [[w, str(i % 2)] for i, w in enumerate(LABELS)]

    from PIL import Image

    png = server.get("/data/plugin/projector/sprite_image", run="run", name="words:00007")
    sprite = np.asarray(Image.open(io.BytesIO(png)))
    per_row = math.ceil(math.sqrt(N))  # 4 tiles of 2x2 per row, 4 rows: an 8x8 RGB canvas
    assert sprite.shape == (per_row * 2, per_row * 2, 3)
    for index in range(per_row * per_row):
        y, x = divmod(index, per_row)
        tile = sprite[y * 2 : y * 2 + 2, x * 2 : x * 2 + 2]
        red = 20 * index if index < N else 0
        assert (tile[..., 0] == red).all() and (tile[..., 1:] == 0).all()


def test_parity_with_torch(tmp_path):
    torch = pytest.importorskip("torch")
    from torch.utils.tensorboard import SummaryWriter as TorchWriter

    calls = [
        dict(mat=POINTS, metadata=LABELS, label_img=FLOAT_IMAGES, tag="words", global_step=7),
        dict(mat=POINTS, metadata=[[w, 1] for w in LABELS], metadata_header=["w", "n"]),
        dict(mat=POINTS[:3], tag="x/y\\z%", global_step=12),
    ]
    for writer_class, where in ((TorchWriter, "torch"), (summary.SummaryWriter, "ours")):
        writer = writer_class(str(tmp_path / where))
        for call in calls:
            call = dict(call)
            if writer_class is TorchWriter:
                call["mat"] = torch.from_numpy(call["mat"])
                if "label_img" in call:
                    call["label_img"] = torch.from_numpy(call["label_img"])
            writer.add_embedding(**call)
        writer.close()
    torch_root, our_root = tmp_path / "torch", tmp_path / "ours"
    assert _files(our_root) == _files(torch_root)

    from tensorboard.plugins.projector.projector_config_pb2 import ProjectorConfig

    configs = [
        text_format.Parse((root / "projector_config.pbtxt").read_text(), ProjectorConfig())
        for root in (torch_root, our_root)
    ]
    assert configs[0] == configs[1]
    for name in _files(torch_root):
        ours, theirs = (root / name for root in (our_root, torch_root))
        if name.endswith("tensors.tsv"):
            read = [
                np.loadtxt(path, delimiter="\t", dtype=np.float32, ndmin=2)
                for path in (ours, theirs)
            ]
            np.testing.assert_array_equal(*read)
        elif name.endswith(".tsv"):
            assert ours.read_text() == theirs.read_text()
        elif name.endswith(".png"):
            from PIL import Image

            np.testing.assert_array_equal(
                np.asarray(Image.open(ours)), np.asarray(Image.open(theirs))
            )


@pytest.mark.parametrize(
    "tag", ["../../x", "..", ".", "/abs/path", "a\x00b", "..\\x", "C:evil", "...", "%2e%2e"]
)
def test_a_tag_never_leaves_the_run_directory(tmp_path, tag):
    run = tmp_path / "logs" / "run"
    with summary.SummaryWriter(str(run)) as writer:
        writer.add_embedding(POINTS, tag=tag)
    assert sorted(os.listdir(tmp_path)) == ["logs"]
    assert os.listdir(tmp_path / "logs") == ["run"]
    step_dir = run / "00000"
    assert os.listdir(step_dir) == [directory_name(tag)]
    assert os.listdir(step_dir / directory_name(tag)) == ["tensors.tsv"]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(mat=np.zeros(3)), "2-D"),
        (dict(mat=np.zeros((2, 0))), "2-D"),
        (dict(mat=[["a"]]), "real numbers"),
        (dict(metadata=["x"]), "1 entries for 10 points"),
        (dict(metadata=[[1]] * N, metadata_header=["a", "b"]), "1 values for 2 header"),
        (dict(metadata_header=["a"]), "without metadata"),
        (dict(metadata=["a\tb"] * N), "tabs or newlines"),
        (dict(label_img=np.zeros((N, 3, 2))), "[N, C, H, W]"),
        (dict(label_img=np.zeros((N, 2, 2, 2))), "[N, C, H, W]"),
        (dict(label_img=np.zeros((3, 3, 2, 2))), "3 images for 10 points"),
    ],
)
def test_a_refused_call_writes_nothing(tmp_path, kwargs, message):
    kwargs.setdefault("mat", POINTS)
    run = tmp_path / "run"
    with summary.SummaryWriter(str(run)) as writer:
        with pytest.raises(
            (TypeError, ValueError), match=r"SummaryWriter\.add_embedding\('t'\)"
        ) as error:
            writer.add_embedding(tag="t", **kwargs)
        assert message in str(error.value)
    assert _files(run) == set()


def test_summary_embedding_uses_name_scopes_and_the_default_writer(tmp_path):
    assert summary.embedding("none", POINTS, step=0) is False
    with summary.create_file_writer(str(tmp_path)).as_default():
        with summary.name_scope("outer"):
            assert summary.embedding("inner", POINTS, metadata=LABELS, step=3) is True
            with pytest.raises(ValueError, match=r"summary\.embedding\('outer/bad'\)"):
                summary.embedding("bad", POINTS, metadata=["x"], step=3)
        summary.flush()
    assert _files(tmp_path) == {
        "projector_config.pbtxt",
        "00003/outer%2finner/tensors.tsv",
        "00003/outer%2finner/metadata.tsv",
    }


def test_visualize_embeddings(tmp_path):
    config = summary.projector.ProjectorConfig()
    info = config.embeddings.add()
    info.tensor_name, info.tensor_path = "t", "t.tsv"
    info.sprite.single_image_dim.extend([8, 8])
    summary.projector.visualize_embeddings(str(tmp_path), config)
    from tensorboard.plugins.projector.projector_config_pb2 import ProjectorConfig

    read = text_format.Parse((tmp_path / "projector_config.pbtxt").read_text(), ProjectorConfig())
    assert read.embeddings[0].tensor_name == "t" and list(
        read.embeddings[0].sprite.single_image_dim
    ) == [8, 8]


def test_fsspec_url(tmp_path):
    fsspec = pytest.importorskip("fsspec")
    url = "memory://p14c-embedding/run"
    with summary.SummaryWriter(url) as writer:
        writer.add_embedding(POINTS, metadata=LABELS, tag="m")
    fs = fsspec.filesystem("memory")
    tsv = fs.cat_file("/p14c-embedding/run/00000/m/tensors.tsv").decode()
    read = np.array([[float(v) for v in line.split("\t")] for line in tsv.splitlines()], np.float32)
    np.testing.assert_array_equal(read, POINTS)
    assert fs.exists("/p14c-embedding/run/projector_config.pbtxt")


def test_visualize_embeddings_then_add_embedding_keeps_both(tmp_path):
    config = summary.projector.ProjectorConfig()
    config.embeddings.add(tensor_name="mine", tensor_path="mine.tsv")
    summary.projector.visualize_embeddings(str(tmp_path), config)
    with summary.SummaryWriter(str(tmp_path)) as writer:
        writer.add_embedding(POINTS, tag="later")
    from tensorboard.plugins.projector.projector_config_pb2 import ProjectorConfig

    read = text_format.Parse((tmp_path / "projector_config.pbtxt").read_text(), ProjectorConfig())
    assert [e.tensor_name for e in read.embeddings] == ["mine", "later:00000"]


def test_signatures():
    import inspect

    torch_tensorboard = pytest.importorskip("torch.utils.tensorboard")
    ours = inspect.signature(summary.SummaryWriter.add_embedding).parameters
    theirs = inspect.signature(torch_tensorboard.SummaryWriter.add_embedding).parameters
    assert [(p.name, p.default) for p in ours.values()] == [
        (p.name, p.default) for p in theirs.values()
    ]
    assert str(inspect.signature(summary.embedding)) == (
        "(name: 'str', tensor: 'Any', metadata: 'Any' = None, metadata_header: 'Any' = None, "
        "label_img: 'Any' = None, step: 'Any' = None) -> 'bool'"
    )
