"""add_onnx_graph: a tiny ONNX model (built with onnx.helper) on TensorBoard's graph loader,
compared with torch's add_onnx_graph."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from summary import SummaryWriter
from tests.tensorboard_loader import accumulator

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402


def _model_file(tmp_path) -> str:
    weights = numpy_helper.from_array(np.ones((4, 2), dtype=np.float32), name="W")
    graph = helper.make_graph(
        [
            helper.make_node("MatMul", ["X", "W"], ["h"]),
            helper.make_node("LeakyRelu", ["h"], ["Y"], alpha=0.1),
        ],
        "tiny",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, [1, 4])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [1, 2])],
        [weights],
    )
    path = str(tmp_path / "tiny.onnx")
    onnx.save(helper.make_model(graph), path)
    return path


def _nodes(logdir):
    return {node.name: node for node in accumulator(logdir).Graph().node}


def test_onnx_graph_nodes(tmp_path):
    path = _model_file(tmp_path)
    with SummaryWriter(tmp_path / "ours") as writer:
        writer.add_onnx_graph(path)
    nodes = _nodes(tmp_path / "ours")
    assert {name: node.op for name, node in nodes.items()} == {
        "X": "Variable",
        "W": "Variable",
        "h": "MatMul",
        "Y": "LeakyRelu",
        "output/Y": "Output",
    }
    assert list(nodes["h"].input) == ["X", "W"] and list(nodes["output/Y"].input) == ["Y"]
    assert [d.size for d in nodes["X"].attr["shape"].shape.dim] == [1, 4]
    assert nodes["X"].attr["dtype"].type == 1  # DT_FLOAT
    assert b"alpha = 0.1" in nodes["Y"].attr["parameters"].s


def test_onnx_graph_like_torch(tmp_path):
    tensorboard = pytest.importorskip("torch.utils.tensorboard")
    path = _model_file(tmp_path)
    with SummaryWriter(tmp_path / "ours") as writer:
        writer.add_onnx_graph(path)
    theirs = tensorboard.SummaryWriter(str(tmp_path / "torch"))
    theirs.add_onnx_graph(path)
    theirs.close()
    ours, reference = _nodes(tmp_path / "ours"), _nodes(tmp_path / "torch")
    for name in ("X", "h", "Y"):  # the inputs and the ONNX nodes, as torch names them
        assert ours[name].op == reference[name].op
        assert list(ours[name].input) == list(reference[name].input)
    assert ours["X"].attr["shape"] == reference["X"].attr["shape"]


def test_onnx_missing_names_the_extra(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)
    with SummaryWriter(tmp_path) as writer:
        with pytest.raises(ImportError, match=r"pip install summary\[onnx\]"):
            writer.add_onnx_graph("model.onnx")


def test_onnx_bad_argument(tmp_path):
    with SummaryWriter(tmp_path) as writer:
        with pytest.raises(TypeError, match=r"SummaryWriter\.add_onnx_graph: expected a path"):
            writer.add_onnx_graph(3)
    assert not accumulator(tmp_path).Tags()["graph"]


@pytest.mark.parametrize("data", [b"", bytearray()])
def test_onnx_bytes_holding_no_graph_are_refused(tmp_path, data):
    """Empty bytes parse as an empty ModelProto: refused, not drawn as an empty graph."""
    with SummaryWriter(tmp_path) as writer:
        with pytest.raises(ValueError, match=r"SummaryWriter\.add_onnx_graph: .*no graph"):
            writer.add_onnx_graph(data)
    assert not accumulator(tmp_path).Tags()["graph"]
