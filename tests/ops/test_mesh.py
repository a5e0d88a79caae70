"""summary.mesh and SummaryWriter.add_mesh: the components as the real TensorBoard server's mesh
plugin serves them, the same values as torch's add_mesh, and refused calls writing nothing."""

from __future__ import annotations

import json

import numpy as np
import pytest

import summary
from summary.proto.plugins import mesh_pb2
from summary.reader import iter_events
from tests.ops.rejections import assert_rejected
from tests.tensorboard_loader import accumulator
from tests.tensorboard_server import LOADER_IDS, LOADER_PARAMS, running_tensorboard

tensor_util = pytest.importorskip("tensorboard.util.tensor_util")

VERTICES = np.array([[[1, 1, 1], [-1, -1, 1], [1, -1, -1], [-1, 1, -1]]], dtype=np.float32)
COLORS = np.array([[[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 0, 255]]], dtype=np.uint8)
FACES = np.array([[[0, 2, 3], [0, 3, 1], [0, 1, 2], [1, 3, 2]]], dtype=np.int32)
CONFIG = {"camera": {"cls": "PerspectiveCamera", "fov": 75}}
ALL = 0b1110  # 1 << VERTEX | 1 << FACE | 1 << COLOR


def components(logdir, tag):
    acc = accumulator(str(logdir))
    out = {}
    for kind in ("VERTEX", "FACE", "COLOR"):
        instance = f"{tag}_{kind}"
        if instance not in acc.Tags()["tensors"]:
            continue
        content = acc.SummaryMetadata(instance).plugin_data
        assert content.plugin_name == "mesh"
        data = mesh_pb2.MeshPluginData.FromString(content.content)
        (event,) = acc.Tensors(instance)
        out[kind] = (data, event.step, tensor_util.make_ndarray(event.tensor_proto))
    return out


def test_tensorboards_encoding(tmp_path):
    with summary.create_file_writer(str(tmp_path)):
        assert summary.mesh("cube", VERTICES, FACES, COLORS, CONFIG, step=3, description="d")
    found = components(tmp_path, "cube")
    for kind, expected, dtype in (
        ("VERTEX", VERTICES, np.float32),
        ("FACE", FACES, np.int32),
        ("COLOR", COLORS, np.uint8),
    ):
        data, step, array = found[kind]
        assert step == 3 and array.dtype == dtype
        np.testing.assert_array_equal(array, expected)
        assert data.name == "cube" and list(data.shape) == [1, 4, 3]
        assert data.content_type == mesh_pb2.MeshPluginData.ContentType.Value(kind)
        assert data.components == ALL
        assert data.json_config == json.dumps(CONFIG, sort_keys=True)


def test_point_cloud_has_only_vertices(tmp_path):
    with summary.create_file_writer(str(tmp_path)):
        assert summary.mesh("points", VERTICES.tolist(), step=0)
    found = components(tmp_path, "points")
    assert list(found) == ["VERTEX"]
    assert found["VERTEX"][0].components == 0b10 and found["VERTEX"][0].json_config == "{}"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"colors": COLORS, "faces": FACES, "config_dict": CONFIG},
        {"faces": FACES},
        {},
    ],
)
def test_same_values_as_torch(tmp_path, kwargs):
    torch = pytest.importorskip("torch")
    torch_tensorboard = pytest.importorskip("torch.utils.tensorboard")
    as_torch = {
        key: torch.as_tensor(value) if isinstance(value, np.ndarray) else value
        for key, value in kwargs.items()
    }
    with summary.SummaryWriter(str(tmp_path / "ours")) as ours:
        ours.add_mesh("m", torch.as_tensor(VERTICES), global_step=2, **as_torch)
    with torch_tensorboard.SummaryWriter(str(tmp_path / "torch")) as theirs:
        theirs.add_mesh("m", torch.as_tensor(VERTICES), global_step=2, **as_torch)
    mine, torchs = components(tmp_path / "ours", "m"), components(tmp_path / "torch", "m")
    assert list(mine) == list(torchs)
    for kind in mine:
        assert mine[kind][0] == torchs[kind][0]  # the same MeshPluginData
        assert mine[kind][1] == torchs[kind][1] == 2
        np.testing.assert_array_equal(mine[kind][2], torchs[kind][2])  # torch writes floats


@pytest.fixture(scope="module", params=LOADER_PARAMS, ids=LOADER_IDS)
def server(request, tmp_path_factory):
    logdir = tmp_path_factory.mktemp("mesh")
    with summary.create_file_writer(str(logdir / "run")):
        summary.mesh("cube", VERTICES, FACES, COLORS, CONFIG, step=0)
    with running_tensorboard(str(logdir), request.param, str(tmp_path_factory.mktemp("log"))) as s:
        yield s


@pytest.mark.timeout(240)
def test_server_serves_the_mesh(server):
    tags = server.poll_json("/data/plugin/mesh/tags", lambda body: bool(body.get("run")))
    assert tags == {"run": {"cube": {"samples": 1}}}
    meshes = json.loads(server.get("/data/plugin/mesh/meshes", run="run", tag="cube", sample=0))
    assert sorted(m["content_type"] for m in meshes) == [1, 2, 3]
    for entry in meshes:
        assert entry["components"] == ALL and entry["data_shape"] == [1, 4, 3]
        assert entry["config"] == json.dumps(CONFIG, sort_keys=True) and entry["step"] == 0
    for kind, expected in (("VERTEX", VERTICES), ("FACE", FACES), ("COLOR", COLORS)):
        body = server.get(
            "/data/plugin/mesh/data", run="run", tag="cube", sample=0, content_type=kind
        )
        np.testing.assert_array_equal(np.frombuffer(body, dtype=expected.dtype), expected.ravel())


BAD = [
    ({"vertices": VERTICES[0]}, ValueError, "[B, N, 3]"),
    ({"vertices": VERTICES, "faces": FACES.astype(np.float32)}, TypeError, "faces must be int"),
    ({"vertices": VERTICES, "faces": FACES + 4}, ValueError, "index the 4 vertices"),
    ({"vertices": VERTICES, "colors": COLORS[:, :2]}, ValueError, "the vertices' shape"),
    ({"vertices": VERTICES, "colors": COLORS.astype(np.int32) + 1}, ValueError, "0 to 255"),
    ({"vertices": VERTICES, "config_dict": {"f": object()}}, TypeError, "JSON"),
    ({"vertices": "abc"}, TypeError, "real numbers"),
]


@pytest.mark.parametrize(("kwargs", "error", "detail"), BAD)
def test_bad_mesh_is_refused_and_writes_nothing(tmp_path, kwargs, error, detail):
    err = assert_rejected(
        str(tmp_path), lambda: summary.mesh("bad", step=0, **kwargs), error, "summary.mesh('bad')"
    )
    assert detail in str(err)


@pytest.mark.parametrize(("kwargs", "error", "detail"), BAD)
def test_bad_add_mesh_writes_nothing(tmp_path, kwargs, error, detail):
    writer = summary.SummaryWriter(str(tmp_path))
    with pytest.raises(error, match=r"summary\.SummaryWriter\.add_mesh\('bad'\)") as info:
        writer.add_mesh("bad", **kwargs)
    writer.close()
    assert detail in str(info.value)
    assert [event.WhichOneof("what") for event in iter_events(str(tmp_path))] == ["file_version"]
