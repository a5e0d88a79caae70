"""TF 1.x graph-mode summary ops: built once (deferred), evaluated by every `Session.run`.

`scalar(name, tensor)` etc. record an op in the default graph and its collections (default
`GraphKeys.SUMMARIES`) and return it; its inputs may be placeholders, zero-arg callables or
values read at run time. Tags follow TF 1.x's summary_scope (name scopes, `family`, `_1` …).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from summary.ops.inputs import to_array
from summary.ops.metadata import metadata_bytes
from summary.proto import summary_pb2
from summary.v1 import media, protos
from summary.v1.capture import V2_SUMMARIES, V2Op
from summary.v1.graph_mode import GraphKeys, get_default_graph, summary_scope
from summary.v1.nodes import Node, Placeholder, SummaryOp
from summary.v1.protos import merge_summaries
from summary.wire.tensors import tensor_bytes
from summary.writer.errors import op_error, op_type_error


def placeholder(name: str | None = None, dtype: Any = None, shape: Any = None) -> Placeholder:
    """A value fed at run time (`feed_dict={placeholder: value}`), in the default graph.

    Optional `dtype` (NumPy dtype or name) converts the fed value; `shape` (None for any size
    on an axis) refuses values of another shape.
    """
    if dtype is not None:
        dtype = np.dtype(dtype)
    return get_default_graph().placeholder(name, dtype, shape)


def scalar(name: str, tensor: Any, collections: Any = None, family: Any = None) -> SummaryOp:
    """A deferred `simple_value` summary of one real number."""
    return _op(
        "v1.scalar", "ScalarSummary", name, family, collections, protos.scalar_summary, tensor
    )


def histogram(name: str, values: Any, collections: Any = None, family: Any = None) -> SummaryOp:
    """A deferred HistogramProto summary (TF 1.x's exponential buckets) of finite values."""
    return _op(
        "v1.histogram",
        "HistogramSummary",
        name,
        family,
        collections,
        protos.histogram_summary,
        values,
    )


def image(
    name: str, tensor: Any, max_outputs: int = 3, collections: Any = None, family: Any = None
) -> SummaryOp:
    """A deferred image summary: tags `<tag>/image/<i>` (or `<tag>/image` if max_outputs is 1)."""
    return _op(
        "v1.image",
        "ImageSummary",
        name,
        family,
        collections,
        _media_summary(media.image_values),
        tensor,
        max_outputs=max_outputs,
    )


def audio(
    name: str,
    tensor: Any,
    sample_rate: Any,
    max_outputs: int = 3,
    collections: Any = None,
    family: Any = None,
) -> SummaryOp:
    """A deferred audio summary of [k, t] or [k, t, c] floats; `sample_rate` may be fed too."""
    return _op(
        "v1.audio",
        "AudioSummaryV2",
        name,
        family,
        collections,
        _media_summary(media.audio_values),
        tensor,
        sample_rate,
        max_outputs=max_outputs,
    )


def text(name: str, tensor: Any, collections: Any = None, family: Any = None) -> SummaryOp:
    """A deferred text summary (strings of any shape) for the Text dashboard."""
    return _op("v1.text", "TensorSummaryV2", name, family, collections, protos.text_summary, tensor)


def tensor_summary(
    name: str,
    tensor: Any,
    summary_description: str | None = None,
    collections: Any = None,
    summary_metadata: Any = None,
    family: Any = None,
    display_name: str | None = None,
) -> SummaryOp:
    """A deferred summary of any tensor with the given SummaryMetadata (message or bytes)."""
    op = "v1.tensor_summary"
    metadata: bytes | None
    if summary_metadata is None:
        message = summary_pb2.SummaryMetadata(
            display_name=display_name or "", summary_description=summary_description or ""
        )
        metadata = message.SerializeToString()
    else:
        metadata = metadata_bytes(op, str(name), summary_metadata)
    return _op(
        op,
        "TensorSummaryV2",
        name,
        family,
        collections,
        _tensor_summary,
        tensor,
        metadata=metadata,
    )


def merge(inputs: Any, collections: Any = None, name: str | None = None) -> Any:
    """Merge summaries into one: values of every input, a duplicate non-empty tag is an error.

    Summary messages and serialized bytes merge at once into a Summary message; if any input
    is a graph op (or placeholder), the result is a deferred op giving serialized bytes.
    """
    inputs = list(inputs)
    graphs = {id(item.graph): item.graph for item in inputs if isinstance(item, Node)}
    if not graphs:
        return merge_summaries("v1.merge", inputs)
    if len(graphs) > 1:
        raise op_error("v1.merge", None, "the inputs are ops of different graphs")
    (graph,) = graphs.values()  # the inputs' graph, as TF builds the merge op beside them
    node = SummaryOp(
        graph,
        graph.unique_node_name(name or "Merge"),
        "v1.merge",
        "MergeSummary",
        "",
        _merge_inputs,
        tuple(inputs),
    )
    graph.add_node(node)
    _collect(graph, node, collections, [])
    return node


def merge_all(
    key: str = GraphKeys.SUMMARIES, scope: str | None = None, name: str | None = None
) -> Any:
    """A deferred merge of the default graph's collection `key`, or None if it is empty."""
    items = get_default_graph().get_collection(key, scope)
    return merge(items, name=name) if items else None


def all_v2_summary_ops() -> list[V2Op]:
    """The v2 ops (`summary.scalar` …) called inside the default graph's `as_default()`."""
    return get_default_graph().get_collection(V2_SUMMARIES)


def _media_summary(values: Any) -> Any:
    """A builder putting the Summary values of `media.image_values`/`audio_values` in a Summary."""

    def build(op: str, tag: str, *args: Any, **options: Any) -> summary_pb2.Summary:
        summary = summary_pb2.Summary()
        summary.value.extend(values(op, tag, *args, **options))
        return summary

    return build


def _tensor_summary(op: str, tag: str, tensor: Any, metadata: bytes) -> summary_pb2.Summary:
    array = to_array(op, tag, tensor)
    try:
        content = tensor_bytes(array)
    except TypeError as error:
        raise op_type_error(op, tag, f"{error}") from None
    return protos.tensor_summary_pb(op, tag, content, metadata)


def _merge_inputs(op: str, tag: str, *inputs: Any) -> summary_pb2.Summary:
    return merge_summaries(op, inputs)


def _op(
    op: str,
    op_type: str,
    name: Any,
    family: Any,
    collections: Any,
    build: Any,
    *inputs: Any,
    **options: Any,
) -> SummaryOp:
    graph = get_default_graph()
    tag, node_name = summary_scope(graph, op, name, family)
    if "max_outputs" in options:  # static, so checked now, as TF checks the op's attribute
        media.check_max_outputs(op, tag, options["max_outputs"])
    node = SummaryOp(graph, node_name, op, op_type, tag, build, inputs, options)
    graph.add_node(node)
    _collect(graph, node, collections, [GraphKeys.SUMMARIES])
    return node


def _collect(graph: Any, node: Node, collections: Any, default: list[str]) -> None:
    keys = default if collections is None else collections
    graph.add_to_collections([keys] if isinstance(keys, str) else list(keys), node)
