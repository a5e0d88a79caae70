"""summary.custom_scalars and SummaryWriter.add_custom_scalars*: the layout as the real
TensorBoard server's custom_scalars plugin serves it, and the same records as torch's writer."""

from __future__ import annotations

import pytest

import summary
from summary.proto.plugins import custom_scalar_pb2
from summary.reader import iter_events
from tests.ops.rejections import assert_rejected
from tests.tensorboard_loader import accumulator
from tests.tensorboard_server import LOADER_IDS, LOADER_PARAMS, running_tensorboard

TAG = "custom_scalars__config__"
LAYOUT = {  # torch's layout dict
    "Taiwan": {"twse": ["Multiline", ["twse/0050", "twse/2330"]]},
    "USA": {
        "dow": ["Margin", ["dow/aaa", "dow/bbb", "dow/ccc"]],
        "nasdaq": ["Margin", ["nasdaq/aaa", "nasdaq/bbb", "nasdaq/ccc"]],
    },
}


def _margin(title: str) -> dict:
    series = {"value": f"{title}/aaa", "lower": f"{title}/bbb", "upper": f"{title}/ccc"}
    return {"title": title, "margin": {"series": [series]}}


TWSE = {"title": "twse", "multiline": {"tag": ["twse/0050", "twse/2330"]}}
EXPECTED_JSON = {  # the Layout as TensorBoard's JSON (defaults included), written out from LAYOUT
    "version": 0,
    "category": [
        {"title": "Taiwan", "closed": False, "chart": [TWSE]},
        {"title": "USA", "closed": False, "chart": [_margin("dow"), _margin("nasdaq")]},
    ],
}


def stored_layout(logdir) -> custom_scalar_pb2.Layout:
    acc = accumulator(str(logdir))
    assert acc.Tags()["tensors"] == [TAG]
    assert acc.SummaryMetadata(TAG).plugin_data.plugin_name == "custom_scalars"
    (event,) = acc.Tensors(TAG)
    assert event.step == 0 and event.tensor_proto.tensor_shape.dim == []
    return custom_scalar_pb2.Layout.FromString(event.tensor_proto.string_val[0])


def test_op_writes_a_message_or_a_dict(tmp_path):
    message = custom_scalar_pb2.Layout(
        category=[
            custom_scalar_pb2.Category(
                title="loss",
                chart=[
                    custom_scalar_pb2.Chart(
                        title="all",
                        multiline=custom_scalar_pb2.MultilineChartContent(tag=[r"loss/.*"]),
                    )
                ],
            )
        ]
    )
    with summary.create_file_writer(str(tmp_path / "message")):
        assert summary.custom_scalars(message)
    assert stored_layout(tmp_path / "message") == message
    with summary.create_file_writer(str(tmp_path / "dict")):
        assert summary.custom_scalars({"loss": {"all": ["Multiline", [r"loss/.*"]]}})
    assert stored_layout(tmp_path / "dict") == message
    assert summary.custom_scalars(message) is False  # no default writer


@pytest.mark.parametrize(
    ("method", "args"),
    [
        ("add_custom_scalars", (LAYOUT,)),
        ("add_custom_scalars_multilinechart", (["a/.*", "b"],)),
        ("add_custom_scalars_multilinechart", (["a"], "cat", "chart")),
        ("add_custom_scalars_marginchart", (["v", "lo", "hi"],)),
        ("add_custom_scalars_marginchart", (["v", "lo", "hi"], "cat", "chart")),
    ],
)
def test_same_layout_as_torch(tmp_path, method, args):
    torch_tensorboard = pytest.importorskip("torch.utils.tensorboard")
    with summary.SummaryWriter(str(tmp_path / "ours")) as ours:
        getattr(ours, method)(*args)
    with torch_tensorboard.SummaryWriter(str(tmp_path / "torch")) as theirs:
        getattr(theirs, method)(*args)
    assert stored_layout(tmp_path / "ours") == stored_layout(tmp_path / "torch")


@pytest.fixture(scope="module", params=LOADER_PARAMS, ids=LOADER_IDS)
def server(request, tmp_path_factory):
    logdir = tmp_path_factory.mktemp("custom_scalars")
    with summary.SummaryWriter(str(logdir)) as writer:
        writer.add_custom_scalars(LAYOUT)
        for step in range(3):
            writer.add_scalar("twse/0050", step, step)
    with running_tensorboard(str(logdir), request.param, str(tmp_path_factory.mktemp("log"))) as s:
        yield s


@pytest.mark.timeout(240)
def test_server_serves_the_layout(server):
    body = server.poll_json("/data/plugin/custom_scalars/layout", lambda body: bool(body))
    assert body == EXPECTED_JSON


@pytest.mark.parametrize(
    ("call", "error", "named"),
    [
        (lambda: summary.custom_scalars(["x"]), TypeError, f"summary.custom_scalars({TAG!r})"),
        (lambda: summary.custom_scalars({"c": {"t": ["Margin", ["a"]]}}), ValueError, "3 tags"),
        (lambda: summary.custom_scalars({"c": {"t": ["Line", ["a"]]}}), ValueError, "'Line'"),
        (lambda: summary.custom_scalars({"c": {"t": ["Multiline", "a"]}}), TypeError, "list of"),
    ],
)
def test_bad_layout_is_refused_and_writes_nothing(tmp_path, call, error, named):
    assert_rejected(str(tmp_path), call, error, named)


@pytest.mark.parametrize(
    ("method", "args", "error"),
    [
        ("add_custom_scalars", ({"c": [1]},), TypeError),
        ("add_custom_scalars_multilinechart", ("abc",), TypeError),
        ("add_custom_scalars_marginchart", (["a", "b"],), ValueError),
    ],
)
def test_bad_add_custom_scalars_writes_no_file(tmp_path, method, args, error):
    writer = summary.SummaryWriter(str(tmp_path / "run"))
    with pytest.raises(error, match=rf"summary\.SummaryWriter\.{method}\({TAG!r}\)"):
        getattr(writer, method)(*args)
    writer.close()
    events = list(iter_events(str(tmp_path / "run")))
    assert [event.WhichOneof("what") for event in events] == ["file_version"]
