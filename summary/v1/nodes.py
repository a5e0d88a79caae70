"""What a Graph holds and Session.run evaluates: placeholders and deferred ops."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from summary.v1.graph_mode import Graph
    from summary.v1.session import Run


class Node:
    """A graph element Session.run can fetch; `evaluate` runs once per `run` (results cached)."""

    graph: Graph
    name: str
    op_type = ""
    inputs: tuple[Any, ...] = ()

    def evaluate(self, run: Run) -> Any:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<summary.v1 {self.op_type} {self.name!r}>"


class Placeholder(Node):
    """A value fed at run time: `sess.run(fetches, feed_dict={placeholder: value})`.

    With `dtype` the fed value is converted to it; with `shape` (None for any size on an axis)
    a fed value of another shape is refused, as TF does.
    """

    op_type = "Placeholder"

    def __init__(self, graph: Graph, name: str, dtype: Any = None, shape: Any = None) -> None:
        self.graph, self.name, self.dtype = graph, name, dtype
        self.shape = None if shape is None else tuple(shape)

    def evaluate(self, run: Run) -> Any:
        return run.fed(self)


class SummaryOp(Node):
    """A deferred v1 summary op: `build(op, tag, *inputs, **options)` → Summary, run by Session.

    Inputs may be placeholders (fed), zero-arg callables (called) or values (read at run time).
    Evaluates to the serialized Summary, as a TF 1.x summary op does.
    """

    def __init__(
        self,
        graph: Graph,
        name: str,
        op: str,
        op_type: str,
        tag: str,
        build: Callable[..., Any],
        inputs: tuple[Any, ...],
        options: dict[str, Any] | None = None,
    ) -> None:
        self.graph, self.name, self.op, self.op_type, self.tag = graph, name, op, op_type, tag
        self.build, self.inputs, self.options = build, inputs, options or {}

    def evaluate(self, run: Run) -> bytes:
        values = [run.input(item, self) for item in self.inputs]
        return self.build(self.op, self.tag, *values, **self.options).SerializeToString()

    def __repr__(self) -> str:
        return f"<summary.{self.op} {self.tag!r}>"
