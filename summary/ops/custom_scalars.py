"""summary.custom_scalars: the Custom Scalars dashboard's layout — charts that gather scalar
tags by regex (multiline) or draw a value between a lower and an upper tag (margin).

One value per run, tag `custom_scalars__config__`, plugin `custom_scalars` with empty content,
a rank-0 DT_STRING tensor holding the serialized `Layout`, as TensorBoard's and torch's
`custom_scalars` write it."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import numpy as np

from summary.ops.declare import summary_op
from summary.ops.metadata import plugin_metadata
from summary.proto.plugins import custom_scalar_pb2
from summary.wire.tensors import string_tensor_bytes
from summary.writer.entries import TensorEntry
from summary.writer.errors import op_error, op_type_error
from summary.writer.target import SummaryTarget

TAG = "custom_scalars__config__"
PLUGIN_NAME = "custom_scalars"
_METADATA = plugin_metadata(PLUGIN_NAME)


def layout_proto(op: str, layout: Any) -> custom_scalar_pb2.Layout:
    """A Layout message as given, or built from torch's dict `{category: {chart title:
    ["Multiline", [tag regex, ...]] | ["Margin", [value, lower, upper]]}}`."""
    if isinstance(layout, custom_scalar_pb2.Layout):
        return layout
    if not isinstance(layout, Mapping):
        raise op_type_error(
            op, TAG, f"layout must be a Layout message or a dict, got {type(layout).__name__}"
        )
    categories = []
    for category, charts in layout.items():
        if not isinstance(category, str) or not isinstance(charts, Mapping):
            raise op_type_error(op, TAG, f"layout[{category!r}] must be a str key to a dict")
        categories.append(
            custom_scalar_pb2.Category(
                title=category,
                chart=[_chart(op, category, title, spec) for title, spec in charts.items()],
            )
        )
    return custom_scalar_pb2.Layout(category=categories)


def one_chart(op: str, kind: str, tags: Any, category: Any, title: Any) -> dict[str, Any]:
    """torch's layout dict of one chart, its category and title checked to be str."""
    for what, text in (("category", category), ("title", title)):
        if not isinstance(text, str):
            raise op_type_error(op, TAG, f"{what} must be a str, got {type(text).__name__}")
    return {category: {title: [kind, tags]}}


def _chart(op: str, category: str, title: Any, spec: Any) -> custom_scalar_pb2.Chart:
    where = f"layout[{category!r}][{title!r}]"
    if not isinstance(title, str) or not isinstance(spec, (list, tuple)) or len(spec) != 2:
        raise op_type_error(op, TAG, f'{where} must be ["Multiline" or "Margin", [tags]]')
    kind, tags = spec
    if isinstance(tags, str) or not isinstance(tags, (list, tuple)):
        raise op_type_error(op, TAG, f"{where}: the tags must be a list of str, got {tags!r}")
    if not all(isinstance(tag, str) for tag in tags):
        raise op_type_error(op, TAG, f"{where}: the tags must be a list of str, got {tags!r}")
    if kind == "Margin":
        if len(tags) != 3:
            raise op_error(op, TAG, f"{where}: a margin chart takes 3 tags, got {len(tags)}")
        series = custom_scalar_pb2.MarginChartContent.Series(
            value=tags[0], lower=tags[1], upper=tags[2]
        )
        margin = custom_scalar_pb2.MarginChartContent(series=[series])
        return custom_scalar_pb2.Chart(title=title, margin=margin)
    if kind == "Multiline":
        multiline = custom_scalar_pb2.MultilineChartContent(tag=tags)
        return custom_scalar_pb2.Chart(title=title, multiline=multiline)
    raise op_error(
        op, TAG, f'{where}: the chart kind must be "Multiline" or "Margin", not {kind!r}'
    )


@summary_op("custom_scalars", tag=None)
def custom_scalars(target: SummaryTarget, layout: Any) -> None:
    """The run's Custom Scalars layout (a `custom_scalar_pb2.Layout` or torch's dict), step 0."""
    try:
        content = layout_proto("custom_scalars", layout).SerializeToString()
    except UnicodeError as error:
        raise op_error(
            "custom_scalars", TAG, f"a title or tag is not valid Unicode: {error}"
        ) from None
    tensor = np.array(content, dtype=object)
    target.enqueue_tensor(
        TensorEntry(
            TAG, 0, time.time(), lambda: string_tensor_bytes(tensor), _METADATA, len(content)
        )
    )
