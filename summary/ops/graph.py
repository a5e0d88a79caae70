"""Graphs: a GraphDef written into an Event's `graph_def` field, for TensorBoard's Graphs tab.

TensorBoard's readers expose it as the run's graph (tag `__run_graph__`, plugin `graphs`).
"""

from __future__ import annotations

import time
from typing import Any

from google.protobuf.message import DecodeError

from summary.ops.declare import summary_op
from summary.proto import graph_pb2
from summary.wire.encode import event_prefix, length_delimited
from summary.writer.errors import op_error, op_type_error
from summary.writer.target import SummaryTarget


@summary_op("graph", tag=None)
def graph(target: SummaryTarget, graph_data: Any) -> None:
    """Write `graph_data` (a GraphDef message of any package, a tf.Graph, or serialized bytes).

    As TF 2.x's `tf.summary.graph`: no name and no step (the event has step 0); returns False and
    writes nothing when there is no default writer or recording is off.
    """
    payload = graph_def_bytes("graph", graph_data)
    wall_time = time.time()
    target.enqueue_event(
        lambda: event_prefix(wall_time, 0) + length_delimited(b"\x22", payload), len(payload)
    )


def graph_def_bytes(op: str, graph_data: Any) -> bytes:
    """Serialized GraphDef from a message, a tf.Graph (`as_graph_def()`) or bytes; checked."""
    if isinstance(graph_data, (bytes, bytearray, memoryview)):
        payload = bytes(graph_data)
        try:
            graph_pb2.GraphDef.FromString(payload)
        except DecodeError as error:
            raise op_error(
                op, None, f"the bytes given ({len(payload)}) are not a serialized GraphDef: {error}"
            ) from None
        return payload
    if callable(getattr(graph_data, "as_graph_def", None)):
        graph_data = graph_data.as_graph_def()
    descriptor = getattr(graph_data, "DESCRIPTOR", None)
    if getattr(descriptor, "name", None) != "GraphDef" or not hasattr(
        graph_data, "SerializeToString"
    ):
        kind = getattr(descriptor, "full_name", None) or type(graph_data).__name__
        raise op_type_error(
            op,
            None,
            f"expected a GraphDef message, a tf.Graph or serialized GraphDef bytes, got {kind}",
        )
    return graph_data.SerializeToString()
