"""summary.graph: a GraphDef in Event.graph_def, as TF 2.x's tf.summary.graph writes it (step 0)."""

from __future__ import annotations

import pytest

import summary
from summary.ops.graph import graph_def_bytes
from summary.proto import event_pb2, graph_pb2
from summary.reader import iter_events
from tests.ops.rejections import assert_rejected
from tests.tensorboard_loader import accumulator, multiplexer, plugin_of

tb_graph_pb2 = pytest.importorskip("tensorboard.compat.proto.graph_pb2")


def small_graph(module=graph_pb2):
    graph = module.GraphDef()
    graph.node.add(name="x", op="Placeholder")
    graph.node.add(name="w", op="VariableV2")
    graph.node.add(name="y", op="MatMul", input=["x", "w"])
    graph.versions.producer = 27
    return graph


class GraphLike:
    """Stands in for a tf.Graph: TF's graph objects give their GraphDef via as_graph_def()."""

    def as_graph_def(self):
        return small_graph(tb_graph_pb2)


@pytest.mark.parametrize(
    "given",
    [
        small_graph(),
        small_graph(tb_graph_pb2),
        small_graph().SerializeToString(),
        bytearray(small_graph().SerializeToString()),
        GraphLike(),
    ],
    ids=["ours", "tensorboards", "bytes", "bytearray", "as_graph_def"],
)
def test_tensorboard_reads_the_run_graph(logdir, given):
    with summary.create_file_writer(logdir):
        assert summary.graph(given) is True
    acc = accumulator(logdir)
    assert acc.Tags()["graph"]
    assert acc.Graph() == small_graph(tb_graph_pb2)
    assert plugin_of(acc, "__run_graph__") == "graphs"  # FORMAT.md §4 "Graphs"
    events = [event for event in iter_events(logdir) if event.HasField("graph_def")]
    assert len(events) == 1 and events[0].step == 0  # TF: "Graph does not have step. Set to 0."
    assert events[0].graph_def == small_graph().SerializeToString()


def test_graph_beside_other_runs_data(logdir):
    with summary.create_file_writer(logdir + "/train"):
        summary.scalar("loss", 0.5, step=3)
        summary.graph(small_graph())
    mux = multiplexer(logdir)
    assert mux.Runs()["train"]["graph"]
    assert mux.GetAccumulator("train").Graph().node[2].input == ["x", "w"]


def test_returns_false_without_writer_or_recording(logdir):
    assert summary.graph(small_graph()) is False
    with summary.create_file_writer(logdir):
        with summary.record_if(False):
            assert summary.graph(small_graph()) is False
    assert not accumulator(logdir).Tags()["graph"]


def test_graph_def_bytes_for_reuse():
    assert graph_def_bytes("v1.add_graph", small_graph()) == small_graph().SerializeToString()
    assert graph_def_bytes("v1.add_graph", b"") == b""  # an empty GraphDef is valid
    with pytest.raises(TypeError, match=r"summary\.v1\.add_graph: "):
        graph_def_bytes("v1.add_graph", "graph")


BAD_INPUTS = [
    ("str", "node { name: 'x' }", TypeError),
    ("int", 42, TypeError),
    ("none", None, TypeError),
    ("other_message", event_pb2.Event(step=1), TypeError),
    ("garbage_bytes", b"\xff\xff\xff\xff", ValueError),
]


@pytest.mark.parametrize(
    "given, error", [c[1:] for c in BAD_INPUTS], ids=[c[0] for c in BAD_INPUTS]
)
def test_bad_input_is_rejected_and_nothing_is_written(logdir, given, error):
    raised = assert_rejected(logdir, lambda: summary.graph(given), error, "summary.graph: ")
    if isinstance(given, event_pb2.Event):
        assert "Event" in str(raised)
