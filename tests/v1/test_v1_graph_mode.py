"""The graph-mode shim: deferred ops, placeholders, collections, merge_all and Session.run."""

import collections

import numpy as np
import pytest

import summary
from summary import v1
from summary.proto import summary_pb2


def parse(data):
    assert isinstance(data, bytes)
    return summary_pb2.Summary.FromString(data)


def test_the_api_example_runs():
    model_w = np.array([1.0, 2.0, 3.0])
    g = v1.Graph()
    with g.as_default():
        loss = v1.placeholder("loss")
        v1.scalar("loss", loss)
        v1.histogram("w", lambda: model_w)
        merged = v1.merge_all()
    with v1.Session(graph=g) as sess:
        s = sess.run(merged, feed_dict={loss: 0.25})
    summary = parse(s)
    assert [(v.tag, v.WhichOneof("value")) for v in summary.value] == [
        ("loss", "simple_value"),
        ("w", "histo"),
    ]
    assert summary.value[0].simple_value == 0.25
    assert summary.value[1].histo.num == 3


def test_inputs_are_read_at_run_time_each_run():
    weights = np.zeros(4)
    calls = []
    g = v1.Graph()
    with g.as_default():
        step_value = v1.placeholder("v")
        ops = [
            v1.scalar("fed", step_value),
            v1.scalar("called", lambda: calls.append(1) or len(calls)),
            v1.histogram("array", weights),  # a value: its contents when the op runs
        ]
    with v1.Session(g) as sess:
        for i in range(3):
            weights[:] = i
            fed, called, array = (parse(out).value[0] for out in sess.run(ops, {step_value: i}))
            assert fed.simple_value == i
            assert called.simple_value == i + 1
            assert (array.histo.min, array.histo.max) == (i, i)


def test_each_op_runs_once_per_run_however_often_fetched():
    calls = []
    g = v1.Graph()
    with g.as_default():
        op = v1.scalar("x", lambda: calls.append(1) or 1.0)
        merged = v1.merge([op])
    with v1.Session(g) as sess:
        out = sess.run({"a": op, "b": [op, merged]})
    assert len(calls) == 1
    assert out["a"] == out["b"][0]
    assert parse(out["b"][1]).value[0].tag == "x"


def test_fetch_structures_follow_tf1():
    Pair = collections.namedtuple("Pair", "first second")
    g = v1.Graph()
    with g.as_default():
        p = v1.placeholder("p")
        a, b = v1.scalar("a", 1.0), v1.scalar("b", p)
    with v1.Session(g) as sess:
        out = sess.run({"x": [a, (b,)], "pair": Pair(a, p)}, feed_dict={p: 2.0})
    assert isinstance(out["x"], list) and isinstance(out["x"][1], tuple)
    assert parse(out["x"][1][0]).value[0].simple_value == 2.0
    assert isinstance(out["pair"], Pair) and out["pair"].second == 2.0
    with pytest.raises(TypeError, match="cannot fetch None"):
        v1.Session(g).run(None)


def test_missing_feed_names_the_placeholder_and_the_op():
    g = v1.Graph()
    with g.as_default():
        loss = v1.placeholder("loss")
        merged = v1.merge([v1.scalar("train_loss", loss)])
    with pytest.raises(ValueError, match=r"must feed a value for placeholder 'loss'.*train_loss"):
        v1.Session(g).run(merged)


def test_feeds_by_name_and_checks_dtype_and_shape():
    g = v1.Graph()
    with g.as_default():
        images = v1.placeholder("images", dtype="float32", shape=[None, 2, 2, 1])
        op = v1.image("img", images, max_outputs=1)
    with v1.Session(g) as sess:
        out = parse(sess.run(op, {"images:0": np.ones((3, 2, 2, 1), dtype=np.float64)}))
        assert out.value[0].tag == "img/image"
        fed = sess.run(images, {images: [[[[1], [2]], [[3], [4]]]]})
        assert fed.dtype == np.float32 and fed.shape == (1, 2, 2, 1)
        with pytest.raises(ValueError, match=r"shape \(2, 2, 1\) for placeholder 'images'"):
            sess.run(op, {images: np.ones((2, 2, 1))})
        with pytest.raises(ValueError, match="no placeholder named 'other'"):
            sess.run(op, {"other": 1})


def test_collections_merge_all_and_scope_filter():
    g = v1.Graph()
    with g.as_default():
        assert v1.merge_all() is None  # nothing collected yet
        v1.scalar("a", 1.0)
        with summary.name_scope("eval"):
            v1.scalar("b", 2.0)
        v1.scalar("c", 3.0, collections=["mine"])
        v1.scalar("d", 4.0, collections=[])
        assert [op.tag for op in g.get_collection(v1.GraphKeys.SUMMARIES)] == ["a", "eval/b"]
        everything = v1.merge_all()
        only_eval = v1.merge_all(scope="eval")
        mine = v1.merge_all("mine")
        assert v1.merge_all("nothing here") is None
    with v1.Session(g) as sess:
        tags = [
            [v.tag for v in parse(out).value] for out in sess.run([everything, only_eval, mine])
        ]
    assert tags == [["a", "eval/b"], ["eval/b"], ["c"]]


def test_family_prefixes_tags_as_tf1_summary_scope():
    # TF 1.x summary_op_util.summary_scope: the name scope is `family/name`, and the tag is
    # `family/` + that scope, so family "train" and name "loss" give "train/train/loss".
    g = v1.Graph()
    with g.as_default():
        plain = v1.scalar("loss", 1.0, family="train")
        with summary.name_scope("outer"):
            scoped = v1.histogram("w", [1.0], family="weights")
        images = v1.image("img", np.zeros((2, 1, 1, 1), np.uint8), family="inputs")
    assert plain.tag == "train/train/loss"
    assert scoped.tag == "weights/outer/weights/w"
    with v1.Session(g) as sess:
        assert [v.tag for v in parse(sess.run(images)).value] == [
            "inputs/inputs/img/image/0",
            "inputs/inputs/img/image/1",
        ]


def test_names_are_cleaned_and_made_unique_as_tf1_does():
    g = v1.Graph()
    with g.as_default():
        first, second, third = (v1.scalar("loss", 1.0) for _ in range(3))
        other_case = v1.scalar("Loss", 1.0)
        cleaned = v1.scalar("/bad name:1", 1.0)
    assert [first.tag, second.tag, third.tag] == ["loss", "loss_1", "loss_2"]
    assert other_case.tag == "Loss_3"  # TF compares names case-insensitively
    assert cleaned.tag == "bad_name_1"


def test_placeholder_names_do_not_take_summary_tags():
    g = v1.Graph()
    with g.as_default():
        loss = v1.placeholder("loss")
        op = v1.scalar("loss", loss)
    assert op.tag == "loss"
    names = [node.name for node in g.as_graph_def().node]
    assert len(names) == len(set(names)) == 2  # graph nodes stay unique: "loss", "loss_1"


def test_ops_outside_a_graph_context_go_to_the_default_graph():
    from summary.v1.graph_mode import get_default_graph, reset_default_graph

    reset_default_graph()
    op = v1.scalar("global", 1.0)
    assert get_default_graph().get_collection(v1.GraphKeys.SUMMARIES) == [op]
    with v1.Session() as sess:
        assert parse(sess.run(v1.merge_all())).value[0].tag == "global"
    reset_default_graph()


def test_text_audio_tensor_summary_and_mixed_merge():
    g = v1.Graph()
    with g.as_default():
        rate = v1.placeholder("rate")
        text = v1.text("notes", lambda: ["a", "b"])
        audio = v1.audio("clip", np.zeros((1, 8)), rate, max_outputs=1)
        tensor = v1.tensor_summary("t", np.arange(3, dtype=np.int32), summary_description="d")
        merged = v1.merge([text, audio, tensor, v1.scalar_pb("constant", 1.0)])
    with v1.Session(g) as sess:
        out = parse(sess.run(merged, {rate: 16000}))
    tags = {v.tag: v for v in out.value}
    assert set(tags) == {"notes", "clip/audio", "t", "constant"}
    assert list(tags["notes"].tensor.string_val) == [b"a", b"b"]
    assert tags["clip/audio"].audio.sample_rate == 16000
    assert np.frombuffer(tags["t"].tensor.tensor_content, "<i4").tolist() == [0, 1, 2]
    assert tags["t"].metadata.summary_description == "d"


def test_run_time_errors_name_the_op_and_tag():
    g = v1.Graph()
    with g.as_default():
        x = v1.placeholder("x")
        scalar = v1.scalar("loss", x)
        histogram = v1.histogram("w", x)
        image = v1.image("img", x)
    with v1.Session(g) as sess:
        with pytest.raises(ValueError, match=r"summary\.v1\.scalar\('loss'\): .*rank 0"):
            sess.run(scalar, {x: [1.0, 2.0]})
        with pytest.raises(ValueError, match=r"summary\.v1\.histogram\('w'\): NaN"):
            sess.run(histogram, {x: [1.0, float("nan")]})
        with pytest.raises(
            ValueError, match=r"summary\.v1\.image\('img'\): expected 1/3/4 channels"
        ):
            sess.run(image, {x: np.zeros((1, 2, 2, 2))})


def test_build_time_errors_name_the_op():
    with v1.Graph().as_default():
        with pytest.raises(ValueError, match=r"summary\.v1\.scalar\(''\): name"):
            v1.scalar("", 1.0)
        with pytest.raises(TypeError, match="dtype"):
            v1.placeholder("p", dtype="not a dtype")


def test_session_checks_graphs_and_closing():
    g, other = v1.Graph(), v1.Graph()
    with other.as_default():
        foreign = v1.placeholder("p")
        foreign_op = v1.scalar("s", 1.0)
    with g.as_default():
        op = v1.scalar("s", 1.0)
    sess = v1.Session(g)
    with pytest.raises(ValueError, match="belongs to another graph"):
        sess.run(op, {foreign: 1.0})
    with pytest.raises(ValueError, match="belongs to another graph"):
        sess.run(foreign_op)
    sess.close()
    with pytest.raises(RuntimeError, match="closed"):
        sess.run(op)


def test_graph_def_lists_placeholders_and_ops_with_inputs():
    g = v1.Graph()
    with g.as_default():
        x = v1.placeholder("x")
        v1.scalar("loss", x)
        v1.merge_all()
    nodes = [(n.name, n.op, list(n.input)) for n in g.as_graph_def().node]
    assert nodes == [
        ("x", "Placeholder", []),
        ("loss", "ScalarSummary", ["x"]),
        ("Merge", "MergeSummary", ["loss"]),
    ]


def test_merge_goes_into_the_graph_of_its_inputs():
    g, other = v1.Graph(), v1.Graph()
    with g.as_default():
        op = v1.scalar("a", 1.0)
    merged = v1.merge([op, v1.scalar_pb("b", 2.0)])  # built outside g's context
    assert merged.graph is g
    assert [v.tag for v in parse(v1.Session(g).run(merged)).value] == ["a", "b"]
    with other.as_default():
        foreign = v1.scalar("c", 1.0)
    with pytest.raises(ValueError, match="different graphs"):
        v1.merge([op, foreign])


def test_static_arguments_are_checked_when_the_op_is_built():
    with v1.Graph().as_default():
        with pytest.raises(ValueError, match=r"summary\.v1\.image\('img'\): max_outputs"):
            v1.image("img", v1.placeholder("x"), max_outputs=0)


def test_collection_helpers_as_tf_graph():
    g = v1.Graph()
    with g.as_default():
        op = v1.scalar("a", 1.0, collections=["mine", v1.GraphKeys.SUMMARIES])
    assert sorted(g.get_all_collection_keys()) == ["mine", "summaries"]
    g.get_collection_ref("mine").clear()  # the live list, as in TF
    assert g.get_collection("mine") == [] and g.get_collection("summaries") == [op]
    g.clear_collection("summaries")
    with g.as_default():
        assert v1.merge_all() is None
