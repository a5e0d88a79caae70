"""A torch module's graph as a GraphDef for TensorBoard's Graphs dashboard (`add_graph`).

The module is traced with `torch.jit.trace` (in eval mode, as torch does) and every value of the
inlined trace becomes a node named by its module path, `Net/Block[block]/Linear[fc]/input.1`,
so the dashboard folds each submodule into one box. torch is imported only here.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from summary.proto import graph_pb2, node_def_pb2, tensor_shape_pb2
from summary.writer.errors import op_error, op_type_error

_GET_ATTR = "prim::GetAttr"
_CLASS = "ClassType"
_MAX_ATTRIBUTE_CHARS = 200


def traced_graph_def(
    model: Any, example_inputs: Any, verbose: bool = False, strict: bool = True
) -> graph_pb2.GraphDef:
    """Trace `model` on `example_inputs` and describe the trace as a GraphDef."""
    import torch

    if not isinstance(model, torch.nn.Module):
        raise op_type_error(
            "SummaryWriter.add_graph",
            None,
            f"model must be a torch.nn.Module, got {type(model).__name__}",
        )
    if example_inputs is None:
        raise op_error(
            "SummaryWriter.add_graph",
            None,
            "input_to_model is required (torch.jit.trace runs the model on it)",
        )
    with _eval_mode(model):
        traced = torch.jit.trace(model, example_inputs, strict=strict)
    graph = traced.graph
    torch._C._jit_pass_inline(graph)
    if verbose:
        print(graph)
    return graph_pb2.GraphDef(node=_nodes(graph, _module_names(traced)))


@contextlib.contextmanager
def _eval_mode(model: Any) -> Iterator[None]:
    training = getattr(model, "training", None)
    if training is None:  # a scripted function has no mode
        yield
        return
    model.train(False)
    try:
        yield
    finally:
        model.train(training)


def _module_names(traced: Any) -> dict[str, str]:
    """Trace scope aliases (`__module.block.fc`) → display names (`Linear[fc]`), root → `Net`."""
    names = {}
    for alias, module in traced.named_modules(prefix="__module"):
        kind = getattr(module, "original_name", type(module).__name__)
        names[alias] = kind if alias == "__module" else f"{kind}[{alias.rsplit('.', 1)[-1]}]"
    return names


def _nodes(graph: Any, modules: dict[str, str]) -> list[node_def_pb2.NodeDef]:
    root = modules["__module"]
    names: dict[str, str] = {}  # value debugName → node name
    owners: dict[str, str] = {}  # module-valued debugName → its scope alias
    nodes = []
    for value in graph.inputs():
        if value.type().kind() != _CLASS and value.uses():
            names[value.debugName()] = f"input/{value.debugName()}"
            nodes.append(_node(names[value.debugName()], "IO Node", [], value))
    for node in graph.nodes():
        if node.kind() == _GET_ATTR:
            parent = owners.get(node.input().debugName(), "__module")
            alias = f"{parent}.{node.s('name')}"
            if node.output().type().kind() == _CLASS:
                owners[node.output().debugName()] = alias
                continue
            scope = _scope(_alias_chain(parent), modules, root)
        else:
            scope = _scope(node.scopeName(), modules, root)
        inputs = [names[v.debugName()] for v in node.inputs() if v.debugName() in names]
        for output in node.outputs():
            names[output.debugName()] = f"{scope}/{output.debugName()}"
            nodes.append(
                _node(names[output.debugName()], node.kind(), inputs, output, _attributes(node))
            )
    for index, value in enumerate(graph.outputs(), 1):
        nodes.append(_node(f"output/output.{index}", "IO Node", [names[value.debugName()]], value))
    return nodes


def _scope(scope_name: str, modules: dict[str, str], root: str) -> str:
    """`__module.block/__module.block.fc` → `Net/Block[block]/Linear[fc]`."""
    parts = [modules.get(alias, alias.rsplit(".", 1)[-1]) for alias in scope_name.split("/")]
    parts = [part for part in parts if part and part != root]
    return "/".join([root, *parts])


def _alias_chain(alias: str) -> str:
    """`__module.block.fc` → `__module.block/__module.block.fc`, the form trace scopes take."""
    parts = alias.split(".")
    return "/".join(".".join(parts[:end]) for end in range(2, len(parts) + 1))


def _attributes(node: Any) -> str:
    shown = {key: getattr(node, node.kindOf(key))(key) for key in node.attributeNames()}
    text = str(shown).replace("'", " ")
    return text if len(text) <= _MAX_ATTRIBUTE_CHARS else text[:_MAX_ATTRIBUTE_CHARS] + "…"


def _node(
    name: str, op: str, inputs: list[str], value: Any, attributes: str = ""
) -> node_def_pb2.NodeDef:
    node = node_def_pb2.NodeDef(name=name, op=op, input=inputs)
    if attributes:
        node.attr["attr"].s = attributes.encode("utf-8")
    if value.isCompleteTensor():
        shape = tensor_shape_pb2.TensorShapeProto(
            dim=[tensor_shape_pb2.TensorShapeProto.Dim(size=size) for size in value.type().sizes()]
        )
        node.attr["_output_shapes"].list.shape.append(shape)
    return node
