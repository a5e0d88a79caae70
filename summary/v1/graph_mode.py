"""The TF 1.x graph shim: a Graph of deferred summary ops, placeholders and collections.

Ops built inside `Graph.as_default()` (or in the process-wide default graph) are recorded, not
run; `Session.run` evaluates them with the values fed for the placeholders. v2 ops called inside
`as_default()` are captured through the writer context and run by `Session.run` as well.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Iterator
from typing import Any

from summary.proto import graph_pb2
from summary.v1.capture import V2_SUMMARIES, capture_op_call
from summary.v1.nodes import Node, Placeholder
from summary.writer import context

_INVALID_TAG_CHARACTERS = re.compile(r"[^-/\w.]")


class GraphKeys:
    """Collection names, as `tf.compat.v1.GraphKeys`."""

    SUMMARIES = "summaries"
    _SUMMARY_COLLECTION = V2_SUMMARIES  # v2 ops built in a graph (TF's private key)


class Graph:
    """A container of deferred summary ops, placeholders and named collections (as tf.Graph)."""

    def __init__(self) -> None:
        self._collections: dict[str, list[Any]] = {}
        self._node_names: dict[str, int] = {}
        self._tags: dict[str, int] = {}
        self._nodes: list[Node] = []
        self._lock = threading.RLock()

    @contextlib.contextmanager
    def as_default(self) -> Iterator[Graph]:
        """Make this the default graph of this thread; v2 ops called inside are deferred."""
        stack = _defaults.stack
        stack.append(self)
        try:
            with context.capturing(self._capture):
                yield self
        finally:
            stack.pop()

    def _capture(self, op: Any, args: tuple[Any, ...]) -> bool:
        return capture_op_call(self, op, args)

    def add_to_collection(self, name: str, value: Any) -> None:
        with self._lock:
            self._collections.setdefault(name, []).append(value)

    def add_to_collections(self, names: Any, value: Any) -> None:
        for name in [names] if isinstance(names, str) else names:
            self.add_to_collection(name, value)

    def get_collection(self, name: str, scope: str | None = None) -> list[Any]:
        """A copy of the collection; with `scope`, only items whose name matches it (re.match)."""
        with self._lock:
            items = list(self._collections.get(name, ()))
        if scope is None:
            return items
        pattern = re.compile(scope)
        return [item for item in items if pattern.match(getattr(item, "name", "") or "")]

    def get_collection_ref(self, name: str) -> list[Any]:
        with self._lock:
            return self._collections.setdefault(name, [])

    def clear_collection(self, name: str) -> None:
        with self._lock:
            self._collections.pop(name, None)

    def get_all_collection_keys(self) -> list[str]:
        with self._lock:
            return list(self._collections)

    def placeholders(self) -> list[Placeholder]:
        with self._lock:
            return [node for node in self._nodes if isinstance(node, Placeholder)]

    def add_node(self, node: Node) -> None:
        with self._lock:
            self._nodes.append(node)

    def unique_node_name(self, name: str) -> str:
        """`name`, or `name_1`, `name_2` … if taken, as tf.Graph.unique_name (case-insensitive)."""
        return _unique(self._node_names, name, self._lock)

    def unique_tag(self, name: str) -> str:
        """Summary tags are made unique the same way, among this graph's summary ops only."""
        return _unique(self._tags, name, self._lock)

    def placeholder(self, name: str | None, dtype: Any, shape: Any) -> Placeholder:
        """A new placeholder named (uniquely, under the current name scopes) `name`."""
        unique = self.unique_node_name(context.scoped_tag(name or "Placeholder"))
        node = Placeholder(self, unique, dtype, shape)
        self.add_node(node)
        return node

    def as_graph_def(self) -> graph_pb2.GraphDef:
        """A GraphDef of the placeholders and summary ops, for TensorBoard's Graphs dashboard."""
        graph_def = graph_pb2.GraphDef()
        with self._lock:
            nodes = list(self._nodes)
        for node in nodes:
            inputs = [item.name for item in node.inputs if isinstance(item, Node)]
            graph_def.node.add(name=node.name, op=node.op_type, input=inputs)
        return graph_def

    def __repr__(self) -> str:
        return f"<summary.v1.Graph with {len(self._nodes)} nodes>"


def _unique(names: dict[str, int], name: str, lock: Any) -> str:
    with lock:
        key = name.lower()
        count = names.get(key, 0)
        names[key] = count + 1
        if count == 0:
            return name
        base = key
        while key in names:
            key = f"{base}_{count}"
            count += 1
        names[key] = 1
        return f"{name}_{count - 1}"


class _Defaults(threading.local):
    def __init__(self) -> None:
        self.stack: list[Graph] = []


_defaults = _Defaults()
_global_default: list[Graph] = [Graph()]


def get_default_graph() -> Graph:
    """This thread's innermost `Graph.as_default()`, else the process-wide default graph."""
    stack = _defaults.stack
    return stack[-1] if stack else _global_default[0]


def reset_default_graph() -> None:
    """Replace the process-wide default graph with a new empty one."""
    _global_default[0] = Graph()


def clean_tag(name: str) -> str:
    """TF 1.x's summary-name cleaning: characters outside [-/\\w.] become `_`, leading `/` go."""
    return _INVALID_TAG_CHARACTERS.sub("_", name).lstrip("/")


def summary_scope(graph: Graph, op: str, name: Any, family: Any) -> tuple[str, str]:
    """(tag, node name) of a v1 summary op, as TF 1.x's summary_scope: with a family the tag is
    `family/<scopes>/family/name`; a name used before in the graph gets `_1`, `_2` …"""
    name = clean_tag(context.check_name(op, name))
    if family is not None:
        family = clean_tag(context.check_name(op, family))
        name = f"{family}/{name}"
    scoped = context.scoped_tag(name)
    tag = graph.unique_tag(scoped)
    if family is not None:
        tag = f"{family}/{tag}"
    return tag, graph.unique_node_name(scoped)
