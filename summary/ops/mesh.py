"""summary.mesh: a batch of 3D meshes or point clouds for the Mesh dashboard (Three.js).

Up to three values, one per component, tagged `<tag>_VERTEX`, `<tag>_FACE`, `<tag>_COLOR`, each
with `MeshPluginData` metadata (content type, components bitmask, shape, the scene config as
sorted-keys JSON), as TensorBoard's `mesh` writes them: vertices float32, faces int32, colors
uint8, all `[B, N, 3]`. The whole call is checked before any of them is queued."""

from __future__ import annotations

import functools
import json
import time
from typing import Any

import numpy as np

from summary.ops.declare import summary_op
from summary.ops.inputs import to_numeric_array
from summary.ops.metadata import description_metadata
from summary.proto.plugins import mesh_pb2
from summary.wire.tensors import tensor_bytes
from summary.writer import context
from summary.writer.entries import TensorEntry
from summary.writer.errors import op_error, op_type_error
from summary.writer.target import SummaryTarget

PLUGIN_NAME = "mesh"
_DATA = mesh_pb2.MeshPluginData


def _batch(op: str, tag: str, what: str, data: Any, integral: bool) -> np.ndarray:
    """`data` as a [B, N, 3] array; `integral` components must hold integers."""
    array = to_numeric_array(op, tag, data, allow_bool=False)
    if array.ndim != 3 or array.shape[2] != 3:
        raise op_error(op, tag, f"{what} must have shape [B, N, 3], got {list(array.shape)}")
    if integral and array.dtype.kind == "f":
        raise op_type_error(op, tag, f"{what} must be integers, got an array of {array.dtype}")
    return array


def _json_config(op: str, tag: str, config_dict: Any) -> str:
    if config_dict is None:
        return "{}"
    if not isinstance(config_dict, dict):
        raise op_type_error(
            op, tag, f"config_dict must be a dict or None, got {type(config_dict).__name__}"
        )
    try:
        return json.dumps(config_dict, sort_keys=True)
    except (TypeError, ValueError) as error:
        raise op_type_error(op, tag, f"config_dict is not JSON-serializable: {error}") from None


def mesh_components(
    op: str, tag: str, vertices: Any, faces: Any, colors: Any
) -> list[tuple[mesh_pb2.MeshPluginData.ContentType, np.ndarray]]:
    """The checked components as (content type, array of the dtype TensorBoard writes)."""
    points = _batch(op, tag, "vertices", vertices, integral=False)
    batch, count = points.shape[:2]
    components: list[tuple[mesh_pb2.MeshPluginData.ContentType, np.ndarray]] = [
        (_DATA.VERTEX, points.astype(np.float32))
    ]
    if faces is not None:
        indices = _batch(op, tag, "faces", faces, integral=True)
        if indices.shape[0] != batch:
            raise op_error(op, tag, f"faces hold {indices.shape[0]} meshes, vertices {batch}")
        if indices.size and (indices.min() < 0 or indices.max() >= count):
            raise op_error(op, tag, f"faces must index the {count} vertices: 0 to {count - 1}")
        components.append((_DATA.FACE, indices.astype(np.int32)))
    if colors is not None:
        rgb = _batch(op, tag, "colors", colors, integral=True)
        if rgb.shape != points.shape:
            raise op_error(
                op, tag, f"colors must have the vertices' shape {list(points.shape)}, got "
                f"{list(rgb.shape)}"
            )  # fmt: skip
        if rgb.size and (rgb.min() < 0 or rgb.max() > 255):
            raise op_error(op, tag, "colors must be RGB values from 0 to 255")
        components.append((_DATA.COLOR, rgb.astype(np.uint8)))
    return components


@summary_op("mesh")
def mesh(
    target: SummaryTarget,
    tag: str,
    vertices: Any,
    faces: Any = None,
    colors: Any = None,
    config_dict: dict[str, Any] | None = None,
    step: int | None = None,
    description: str | None = None,
) -> None:
    """Meshes of `vertices` [B, N, 3] (point clouds without `faces` [B, F, 3] vertex indices),
    optional per-vertex `colors` [B, N, 3] 0-255 and a Three.js `config_dict` for the scene."""
    components = mesh_components("mesh", tag, vertices, faces, colors)
    json_config = _json_config("mesh", tag, config_dict)
    step = context.resolve_step("mesh", tag, step)
    mask = 0
    for content_type, _ in components:
        mask |= 1 << content_type
    records = []
    for content_type, array in components:
        content = _DATA(
            version=0,
            name=tag,
            content_type=content_type,
            json_config=json_config,
            shape=array.shape,
            components=mask,
        ).SerializeToString()
        metadata = description_metadata("mesh", tag, PLUGIN_NAME, content, description)
        records.append((f"{tag}_{_DATA.ContentType.Name(content_type)}", array, metadata))
    wall_time = time.time()
    for instance_tag, array, metadata in records:
        target.enqueue_tensor(
            TensorEntry(
                instance_tag,
                step,
                wall_time,
                functools.partial(tensor_bytes, array),
                metadata,
                array.nbytes,
            )
        )
