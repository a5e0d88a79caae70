"""v2 ops inside `Graph.as_default()`: their calls are recorded and run by `Session.run`.

A declared op (summary/ops/declare.py) called under `context.capturing` hands us itself and its
bound arguments without reading them, and returns False. At run time the call is replayed with
placeholders replaced by their fed values and zero-argument callables by what they return, under
the writer, default step, name scopes and record_if conditions current when it was made.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from summary.v1.nodes import Node
from summary.writer import context

if TYPE_CHECKING:
    from summary.v1.graph_mode import Graph
    from summary.v1.session import Run

V2_SUMMARIES = "_SUMMARY_V2"  # TF's collection key for v2 summary ops built in a graph


class V2Op(Node):
    """A captured call of a v2 op (`summary.scalar(...)` …); evaluates to the op's bool result."""

    def __init__(
        self, graph: Graph, op: Callable[..., bool], args: tuple[Any, ...], state: Any
    ) -> None:
        self.graph, self.op, self.args, self.state = graph, op, args, state
        op_name = getattr(op, "op_name", op.__name__)
        self.op_type = f"summary.{op_name}"
        label = args[0] if args and isinstance(args[0], str) else op_name
        self.name = graph.unique_node_name(context.scoped_tag(label))
        self.inputs = tuple(item for item in args if isinstance(item, Node))

    def evaluate(self, run: Run) -> bool:
        args = [run.input(item, self) for item in self.args]
        with context.replaying(self.state):
            return bool(self.op(*args))

    def __repr__(self) -> str:
        return f"<deferred {self.op_type} {self.name!r}>"


def capture_op_call(graph: Graph, op: Callable[..., bool], args: tuple[Any, ...]) -> bool:
    """Record the call as a V2Op in `graph` (collection `_SUMMARY_V2`); the op returns False."""
    node = V2Op(graph, op, args, context.captured_state())
    graph.add_node(node)
    graph.add_to_collection(V2_SUMMARIES, node)
    return False
