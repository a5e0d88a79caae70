"""An ONNX model as a GraphDef for TensorBoard's Graphs dashboard (`add_onnx_graph`).

As torch's `add_onnx_graph`: each graph input is a `Variable` node with its dtype and shape,
each ONNX node is named by its first output and keeps its op type, inputs and attributes (as
one "parameters" string). Unlike torch, initializers (weights) get `Variable` nodes too and
graph outputs are `Output` nodes `output/<name>`, so every edge ends at a node and no two nodes
share a name. `onnx` is imported only here (the `onnx` extra).
"""

from __future__ import annotations

import os
from typing import Any

from google.protobuf.message import DecodeError

from summary.proto import attr_value_pb2, graph_pb2, node_def_pb2, tensor_shape_pb2, types_pb2
from summary.writer.errors import op_error, op_type_error

# ONNX TensorProto.DataType (FLOAT=1 … BFLOAT16=16) → TF DataType (the enum TensorBoard's graph
# view names)
_TF_DTYPES: dict[int, types_pb2.DataType] = {
    1: types_pb2.DT_FLOAT,
    2: types_pb2.DT_UINT8,
    3: types_pb2.DT_INT8,
    4: types_pb2.DT_UINT16,
    5: types_pb2.DT_INT16,
    6: types_pb2.DT_INT32,
    7: types_pb2.DT_INT64,
    8: types_pb2.DT_STRING,
    9: types_pb2.DT_BOOL,
    10: types_pb2.DT_HALF,
    11: types_pb2.DT_DOUBLE,
    12: types_pb2.DT_UINT32,
    13: types_pb2.DT_UINT64,
    14: types_pb2.DT_COMPLEX64,
    15: types_pb2.DT_COMPLEX128,
    16: types_pb2.DT_BFLOAT16,
}
_PRODUCER = 22  # GraphDef.versions.producer, as torch writes it


def onnx_graph_def(caller: str, model: Any) -> graph_pb2.GraphDef:
    """`model` (a path to an .onnx file, its bytes, or an onnx.ModelProto) as a GraphDef."""
    try:
        import onnx
    except ImportError:
        raise ImportError(
            f"summary.{caller} needs the onnx package: pip install summary[onnx]"
        ) from None
    if isinstance(model, (str, os.PathLike, bytes, bytearray)):
        try:
            if isinstance(model, (bytes, bytearray)):
                model = onnx.load_model_from_string(bytes(model))
            else:
                model = onnx.load(os.fspath(model))
        except (OSError, DecodeError) as error:
            raise op_error(caller, None, f"cannot load the ONNX model: {error}") from None
    elif not isinstance(model, onnx.ModelProto):
        raise op_type_error(
            caller,
            None,
            f"expected a path to an .onnx file, its bytes or an onnx.ModelProto, got "
            f"{type(model).__name__}",
        )
    if not model.HasField("graph"):
        raise op_error(caller, None, "the ONNX model has no graph (empty or not a model)")
    graph = model.graph
    nodes = [_variable(value.name, value.type.tensor_type) for value in graph.input]
    named = {value.name for value in graph.input}
    for tensor in graph.initializer:
        if tensor.name not in named:
            nodes.append(_constant(tensor))
    for node in graph.node:
        parameters = ", ".join(
            f"{a.name} = {onnx.helper.get_attribute_value(a)}" for a in node.attribute
        )
        nodes.append(
            node_def_pb2.NodeDef(
                name=node.output[0] if node.output else node.name,
                op=node.op_type,
                input=[name for name in node.input if name],
                attr={"parameters": attr_value_pb2.AttrValue(s=parameters.encode("utf-8"))},
            )
        )
    for value in graph.output:
        output = _variable(f"output/{value.name}", value.type.tensor_type)
        output.op = "Output"
        output.input.append(value.name)
        nodes.append(output)
    return graph_pb2.GraphDef(node=nodes, versions={"producer": _PRODUCER})


def _variable(name: str, tensor_type: Any) -> node_def_pb2.NodeDef:
    dims = [tensor_shape_pb2.TensorShapeProto.Dim(size=d.dim_value) for d in tensor_type.shape.dim]
    return _typed_node(name, tensor_type.elem_type, dims)


def _constant(tensor: Any) -> node_def_pb2.NodeDef:
    dims = [tensor_shape_pb2.TensorShapeProto.Dim(size=size) for size in tensor.dims]
    return _typed_node(tensor.name, tensor.data_type, dims)


def _typed_node(name: str, onnx_dtype: int, dims: list[Any]) -> node_def_pb2.NodeDef:
    attr = {"shape": attr_value_pb2.AttrValue(shape=tensor_shape_pb2.TensorShapeProto(dim=dims))}
    if onnx_dtype in _TF_DTYPES:
        attr["dtype"] = attr_value_pb2.AttrValue(type=_TF_DTYPES[onnx_dtype])
    return node_def_pb2.NodeDef(name=name, op="Variable", attr=attr)
