"""v2 ops inside `Graph.as_default()`: their calls are recorded and run by `Session.run`.

`summary.writer.context.capturing` hands us the frame of the op that asked for a writer; its
arguments are read from the frame (the op has not touched them yet) and the op returns False.
At run time the call is replayed with placeholders replaced by their fed values, under the
writer, default step, name scopes and record_if conditions that were current when it was made.
"""

from __future__ import annotations

import inspect
from types import FrameType
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
        self,
        graph: Graph,
        function: Any,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        state: Any,
    ) -> None:
        self.graph, self.function, self.args, self.kwargs, self.state = (
            graph,
            function,
            args,
            kwargs,
            state,
        )
        self.op_type = f"summary.{function.__name__}"
        label = args[0] if args and isinstance(args[0], str) else function.__name__
        self.name = graph.unique_node_name(context.scoped_tag(label))
        self.inputs = tuple(item for item in (*args, *kwargs.values()) if isinstance(item, Node))

    def evaluate(self, run: Run) -> bool:
        args = [_fed(run, item, self) for item in self.args]
        kwargs = {key: _fed(run, item, self) for key, item in self.kwargs.items()}
        with context.replaying(self.state):
            return bool(self.function(*args, **kwargs))

    def __repr__(self) -> str:
        return f"<deferred {self.op_type} {self.name!r}>"


def _fed(run: Run, item: Any, op: V2Op) -> Any:
    return run.input(item, op, call=False) if isinstance(item, Node) else item


def capture_op_call(graph: Graph, frame: FrameType) -> None:
    """Record the call whose frame this is as a V2Op in `graph` (collection `_SUMMARY_V2`)."""
    function = _function_of(frame)
    args, kwargs = _arguments(frame)
    node = V2Op(graph, function, args, kwargs, context.captured_state())
    graph.add_node(node)
    graph.add_to_collection(V2_SUMMARIES, node)


def _function_of(frame: FrameType) -> Any:
    """The module-level function (possibly decorated) whose code runs in `frame`."""
    code = frame.f_code
    function = frame.f_globals.get(code.co_name)
    if function is None or getattr(inspect.unwrap(function), "__code__", None) is not code:
        raise RuntimeError(
            f"summary.v1: {code.co_name}() asked for the default writer inside "
            "Graph.as_default() but is not a module-level op, so it cannot be deferred; "
            "call it outside the graph context"
        )
    return function


def _arguments(frame: FrameType) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """The op's arguments as (positional, keyword), read before the op changed any of them."""
    code = frame.f_code
    values = dict(frame.f_locals)
    names = code.co_varnames
    positional = [values[name] for name in names[: code.co_argcount]]
    index = code.co_argcount + code.co_kwonlyargcount
    keywords = {name: values[name] for name in names[code.co_argcount : index]}
    if code.co_flags & inspect.CO_VARARGS:
        positional.extend(values[names[index]])
        index += 1
    if code.co_flags & inspect.CO_VARKEYWORDS:
        keywords.update(values[names[index]])
    return tuple(positional), keywords
