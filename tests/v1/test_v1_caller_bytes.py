"""summary.v1 paths that take the caller's serialized messages: each parses them on the caller's
thread, so bad bytes are refused at the call and the file loads with exactly the good records."""

import pytest

from summary import v1
from summary.proto import event_pb2, summary_pb2
from tests.tensorboard_loader import accumulator

BAD = b"\xff\xff"


def good_summary(tag="good"):
    return summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag=tag, simple_value=0.5)])


def assert_only_good(logdir):
    acc = accumulator(logdir)
    assert acc.Tags()["tensors"] == ["good"]
    assert len(acc.Tensors("good")) == 1


def test_add_summary_refuses_bytes_that_are_not_a_summary(logdir):
    with v1.FileWriter(logdir) as writer:
        with pytest.raises(ValueError, match=r"v1\.FileWriter\.add_summary: .* not a serialized"):
            writer.add_summary(BAD, 1)
        writer.add_summary(good_summary().SerializeToString(), 1)
    assert_only_good(logdir)


def test_add_event_refuses_bytes_that_are_not_an_event(logdir):
    with v1.FileWriter(logdir) as writer:
        with pytest.raises(ValueError, match=r"v1\.FileWriter\.add_event: not a serialized Event"):
            writer.add_event(BAD)
        writer.add_event(event_pb2.Event(step=1, summary=good_summary()).SerializeToString())
    assert_only_good(logdir)


def test_add_event_refuses_an_event_whose_graph_def_does_not_parse(logdir):
    with v1.FileWriter(logdir) as writer:
        with pytest.raises(ValueError, match=r"v1\.FileWriter\.add_event: .* GraphDef"):
            writer.add_event(event_pb2.Event(step=1, graph_def=BAD).SerializeToString())
        writer.add_event(event_pb2.Event(step=1, summary=good_summary()))
    assert_only_good(logdir)
    assert not accumulator(logdir).Tags()["graph"]


def test_merge_of_bad_bytes_is_refused_at_the_call(logdir):
    with pytest.raises(ValueError, match=r"summary\.v1\.merge: input 1 is not a serialized"):
        v1.merge([good_summary("other").SerializeToString(), BAD])
    with v1.FileWriter(logdir) as writer:
        writer.add_summary(v1.merge([good_summary().SerializeToString()]), 1)
    assert_only_good(logdir)


def test_tensor_summary_refuses_metadata_bytes_at_the_call():
    with pytest.raises(
        ValueError, match=r"summary\.v1\.tensor_summary\('t'\): metadata .* SummaryMetadata"
    ):
        v1.tensor_summary("t", [1.0], summary_metadata=BAD)
