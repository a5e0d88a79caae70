"""Every declared op is deferred inside `summary.v1.Graph()`: its data may be placeholders fed at
`sess.run` or zero-argument callables read then, and the run writes what TensorBoard reads.

The table below must name every op of `summary.ops.__all__`: a new op without an entry fails here.
"""

from __future__ import annotations

import numpy as np
import pytest

import summary
from summary import hparams as hp
from summary import ops, v1
from summary.ops.declare import REGISTRY
from summary.proto import graph_pb2, node_def_pb2, summary_pb2
from tests.tensorboard_loader import accumulator, plugin_of

_GRAPH = graph_pb2.GraphDef(node=[node_def_pb2.NodeDef(name="a", op="Const")])
_METADATA = summary_pb2.SummaryMetadata(
    plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name="custom")
)

# op name -> (arguments with "P" where a placeholder goes, the value fed to it, expected plugin)
# Other array arguments are given as callables, read only at run time.
SAMPLES = {
    "scalar": (("loss", "P"), 0.25, "scalars"),
    "histogram": (("w", lambda: np.arange(10.0), "P"), 3, "histograms"),
    "image": (("img", "P"), np.zeros((1, 4, 4, 3), np.uint8), "images"),
    "audio": (("clip", lambda: np.zeros((1, 80, 1), np.float32), "P"), 8000, "audio"),
    "text": (("note", "P"), "hello", "text"),
    "pr_curve": (("pr", lambda: np.array([True, False]), "P"), np.array([0.9, 0.2]), "pr_curves"),
    "write": (("raw", "P"), np.arange(3.0), "custom"),
    "graph": (("P",), _GRAPH, "graphs"),
    "hparams": (("P",), {"lr": 0.1}, "hparams"),
    "hparams_config": (("P",), [hp.HParam("lr", hp.RealInterval(0.0, 1.0))], "hparams"),
    "custom_scalars": (("P",), {"c": {"t": ["Multiline", ["loss"]]}}, "custom_scalars"),
    "mesh": (("m", "P"), np.zeros((1, 3, 3), np.float32), "mesh"),
}
_TAGS = {  # the tag an op writes, where it is not its first argument
    "hparams": "_hparams_/session_start_info",
    "hparams_config": "_hparams_/experiment",
    "custom_scalars": "custom_scalars__config__",
    "mesh": "m_VERTEX",
}
_EXTRA = {  # keyword arguments beyond the sample's positional ones
    "audio": {"step": 1},
    "write": {"metadata": _METADATA},
}


def test_every_public_op_is_declared_and_has_a_sample():
    public = [name for name in ops.__all__ if callable(getattr(ops, name)) and name.islower()]
    assert sorted(public) == sorted(REGISTRY), "every public op is declared with @summary_op"
    assert sorted(SAMPLES) == sorted(REGISTRY), "add a deferral sample for each new op"


@pytest.mark.parametrize("op_name", sorted(REGISTRY))
def test_op_is_deferred_with_placeholders_and_callables(logdir, op_name):
    arguments, fed, plugin = SAMPLES[op_name]
    op = REGISTRY[op_name]
    writer = summary.create_file_writer(logdir)
    graph = v1.Graph()
    with graph.as_default(), writer.as_default(step=1):
        placeholder = v1.placeholder("input")
        args = [placeholder if item == "P" else item for item in arguments]
        assert op(*args, **_EXTRA.get(op_name, {})) is False  # recorded, not run
        deferred = v1.all_v2_summary_ops()
    assert [node.op_type for node in deferred] == [f"summary.{op_name}"]
    writer.flush()
    assert not accumulator(logdir).Tags()["tensors"]  # nothing written at build time
    with v1.Session(graph) as sess:
        assert sess.run(deferred, feed_dict={placeholder: fed}) == [True]
    writer.close()
    acc = accumulator(logdir)
    if op_name == "graph":
        assert acc.Graph().node[0].name == "a"
    else:
        tag = _TAGS.get(op_name, arguments[0])
        assert plugin_of(acc, tag) == plugin
