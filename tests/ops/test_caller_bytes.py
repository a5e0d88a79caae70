"""Bytes the caller gives (metadata, a serialized graph) are parsed on the caller's thread: bad ones
are refused at the call, and the file still loads in TensorBoard with exactly the good records."""

import pytest

import summary
from summary.proto import graph_pb2, summary_pb2
from tests.tensorboard_loader import accumulator, values

NOT_A_MESSAGE = [b"\xff\xff", b"\x0a\x05ab", b"\x12\x02\xff\xfe"]  # corrupt, truncated, bad UTF-8


@pytest.mark.parametrize("metadata", NOT_A_MESSAGE)
def test_write_refuses_metadata_bytes_that_are_not_a_summary_metadata(logdir, metadata):
    with summary.create_file_writer(logdir) as writer, writer.as_default():
        assert summary.write("good", 1.0, step=1)
        with pytest.raises(
            ValueError, match=r"summary\.write\('bad'\): metadata .* not a serialized Summ"
        ):
            summary.write("bad", 2.0, step=1, metadata=metadata)
    acc = accumulator(logdir)
    assert acc.Tags()["tensors"] == ["good"]
    assert [step for step, _, _ in values(acc, "good")] == [1]


@pytest.mark.parametrize("metadata", [3, "plugin", summary_pb2.Summary()])
def test_write_refuses_metadata_that_is_not_a_summary_metadata(logdir, metadata):
    with summary.create_file_writer(logdir) as writer, writer.as_default():
        with pytest.raises(TypeError, match=r"summary\.write\('bad'\): metadata must be a"):
            summary.write("bad", 2.0, step=1, metadata=metadata)


def test_write_keeps_good_metadata_bytes(logdir):
    md = summary_pb2.SummaryMetadata(display_name="shown")
    md.plugin_data.plugin_name = "custom"
    with summary.create_file_writer(logdir) as writer, writer.as_default():
        assert summary.write("x", 1.0, step=1, metadata=md.SerializeToString())
    assert accumulator(logdir).SummaryMetadata("x").SerializeToString() == md.SerializeToString()


def test_graph_refuses_bytes_that_are_not_a_graph_def(logdir):
    good = graph_pb2.GraphDef()
    good.node.add(name="a", op="Const")
    with summary.create_file_writer(logdir) as writer, writer.as_default():
        with pytest.raises(ValueError, match=r"summary\.graph: .* not a serialized GraphDef"):
            summary.graph(b"\xff\xff")
        assert summary.graph(good.SerializeToString())
    acc = accumulator(logdir)
    assert [node.name for node in acc.Graph().node] == ["a"]
