"""`Session.run`: evaluate deferred ops with fed placeholder values, as TF 1.x's Session did.

Fetches may be one op or placeholder, or lists, tuples (named too) and dicts of them, nested;
the result has the same structure. Each op runs at most once per `run`, however often fetched.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from summary.ops.inputs import to_array
from summary.v1.graph_mode import Graph, get_default_graph
from summary.v1.nodes import Node, Placeholder
from summary.writer.errors import op_error, op_type_error


class Session:
    """Runs the ops of `graph` (default: the default graph). `target`/`config` are ignored."""

    def __init__(self, graph: Graph | None = None, config: Any = None, target: Any = None) -> None:
        if graph is not None and not isinstance(graph, Graph):
            raise op_type_error(
                "v1.Session", None, f"graph must be a summary.v1.Graph, got {type(graph).__name__}"
            )
        self.graph = graph if graph is not None else get_default_graph()
        self._closed = False

    def run(
        self,
        fetches: Any,
        feed_dict: Mapping[Any, Any] | None = None,
        options: Any = None,
        run_metadata: Any = None,
    ) -> Any:
        """Evaluate `fetches`: summary ops give serialized Summary bytes, v2 ops True/False."""
        if self._closed:
            raise RuntimeError("summary.v1.Session.run: the session is closed")
        run = Run(self.graph, feed_dict or {})
        return run.fetch(fetches)

    def close(self) -> None:
        self._closed = True

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()


class Run:
    """One `Session.run`: the feeds, and each op's result once computed."""

    def __init__(self, graph: Graph, feed_dict: Mapping[Any, Any]) -> None:
        self.graph = graph
        self.feeds: dict[int, Any] = {}
        self.results: dict[int, Any] = {}
        by_name = {node.name: node for node in graph.placeholders()}
        for key, value in feed_dict.items():
            placeholder = self._placeholder(key, by_name)
            self.feeds[id(placeholder)] = _check_feed(placeholder, value)

    def _placeholder(self, key: Any, by_name: dict[str, Placeholder]) -> Placeholder:
        if isinstance(key, str):
            found = by_name.get(key[:-2] if key.endswith(":0") else key)
            if found is None:
                raise op_error("v1.Session.run", None, f"no placeholder named {key!r} to feed")
            return found
        if not isinstance(key, Placeholder):
            raise op_type_error(
                "v1.Session.run",
                None,
                f"feed_dict keys must be placeholders (or their names), got {key!r}",
            )
        if key.graph is not self.graph:
            raise op_error(
                "v1.Session.run", None, f"placeholder {key.name!r} belongs to another graph"
            )
        return key

    def fetch(self, fetches: Any) -> Any:
        """The value of each fetch, in the structure given."""
        if isinstance(fetches, Node):
            return self.evaluate(fetches)
        if isinstance(fetches, Mapping):
            mapping: Any = type(fetches)  # a concrete dict-like class, built from pairs
            return mapping((key, self.fetch(value)) for key, value in fetches.items())
        if isinstance(fetches, tuple) and hasattr(fetches, "_fields"):  # a namedtuple
            return type(fetches)(*(self.fetch(item) for item in fetches))
        if isinstance(fetches, (list, tuple)):
            return type(fetches)(self.fetch(item) for item in fetches)
        raise op_type_error(
            "v1.Session.run",
            None,
            f"cannot fetch {fetches!r} ({type(fetches).__name__}); "
            "fetch summary.v1 ops, v2 ops from all_v2_summary_ops(), placeholders, or lists and "
            "dicts of them",
        )

    def evaluate(self, node: Node) -> Any:
        if node.graph is not self.graph:
            raise op_error("v1.Session.run", None, f"{node!r} belongs to another graph")
        key = id(node)
        if key not in self.results:
            self.results[key] = node.evaluate(self)
        return self.results[key]

    def fed(self, placeholder: Placeholder, user: Node | None = None) -> Any:
        try:
            return self.feeds[id(placeholder)]
        except KeyError:
            needed = f", needed by {user!r}" if user is not None else ""
            raise op_error(
                "v1.Session.run",
                None,
                f"you must feed a value for placeholder {placeholder.name!r}{needed}",
            ) from None

    def input(self, item: Any, user: Node) -> Any:
        """An op's input now: a placeholder's fed value, a node's result, a callable's result."""
        if isinstance(item, Placeholder):
            return self.fed(item, user)
        if isinstance(item, Node):
            return self.evaluate(item)
        if callable(item):
            return item()
        return item


def _check_feed(placeholder: Placeholder, value: Any) -> Any:
    """The fed value, converted to the placeholder's dtype and checked against its shape."""
    if placeholder.dtype is None and placeholder.shape is None:
        return value
    op = "v1.Session.run"
    array = to_array(op, placeholder.name, value)
    if placeholder.dtype is not None:
        array = array.astype(np.dtype(placeholder.dtype), copy=False)
    shape = placeholder.shape
    if shape is not None and (
        len(shape) != array.ndim
        or any(
            want is not None and want != got for want, got in zip(shape, array.shape, strict=False)
        )
    ):
        raise op_error(
            op,
            None,
            f"cannot feed a value of shape {array.shape} for placeholder "
            f"{placeholder.name!r}, which has shape {shape}",
        )
    return array
