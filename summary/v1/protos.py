"""TF 1.x summary protos built at once: `*_pb` functions return a `Summary` message.

Scalars, histograms, images and audio use the legacy value fields TF 1.x wrote (`simple_value`,
`histo`, `image`, `audio`); text and PR curves are tensors with plugin metadata, as TensorBoard's
v1 summaries wrote them. The `*_summary(op, tag, …)` builders are shared with the graph-mode ops.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
from google.protobuf.message import DecodeError

from summary.ops.inputs import to_float, to_numeric_array
from summary.ops.metadata import metadata_bytes, plugin_metadata
from summary.ops.pr_curve import (
    DEFAULT_NUM_THRESHOLDS,
    check_num_thresholds,
    check_pr_inputs,
    plugin_content,
    pr_curve_tensor,
)
from summary.ops.text import to_text_array
from summary.proto import summary_pb2
from summary.v1 import media
from summary.v1.histogram_proto import histogram_proto
from summary.wire.tensors import string_tensor_bytes, tensor_bytes
from summary.writer import context
from summary.writer.errors import op_error, op_type_error

Summary = summary_pb2.Summary


def scalar_pb(name: str, value: Any, description: str | None = None) -> Summary:
    """A Summary with one `simple_value` (float32), as TF 1.x's scalar summary wrote it."""
    op = "v1.scalar_pb"
    return scalar_summary(op, context.check_name(op, name), value, description)


def histogram_pb(name: str, values: Any) -> Summary:
    """A Summary with one HistogramProto over TF 1.x's default exponential buckets."""
    op = "v1.histogram_pb"
    return histogram_summary(op, context.check_name(op, name), values)


def image_pb(name: str, images: Any, max_outputs: int = 3) -> Summary:
    """PNG `Summary.Image` values `name/image/0`, … for a [k, h, w, c] batch (c in 1, 3, 4)."""
    op = "v1.image_pb"
    return _summary(media.image_values(op, context.check_name(op, name), images, max_outputs))


def audio_pb(name: str, audio: Any, sample_rate: Any, max_outputs: int = 3) -> Summary:
    """WAV `Summary.Audio` values `name/audio/0`, … for a [k, t] or [k, t, c] float batch."""
    op = "v1.audio_pb"
    tag = context.check_name(op, name)
    return _summary(media.audio_values(op, tag, audio, sample_rate, max_outputs))


def text_pb(name: str, text: Any) -> Summary:
    """A Summary with a DT_STRING tensor for the Text dashboard (tag `name`, as tf.summary.text)."""
    op = "v1.text_pb"
    return text_summary(op, context.check_name(op, name), text)


def pr_curve_pb(
    name: str,
    labels: Any,
    predictions: Any,
    num_thresholds: int = DEFAULT_NUM_THRESHOLDS,
    weights: Any = None,
) -> Summary:
    """A PR-curve Summary tagged `name/pr_curves`, as TensorBoard's v1 `pr_curve.pb` wrote it.

    Predictions are clamped to [0, 1] first, as TF 1.x's PR-curve op does.
    """
    op = "v1.pr_curve_pb"
    tag = context.check_name(op, name)
    return pr_curve_summary(op, tag, labels, predictions, num_thresholds, weights)


def scalar_summary(op: str, tag: str, value: Any, description: str | None = None) -> Summary:
    """The scalar Summary under `tag`, errors naming `op` (shared with graph mode)."""
    with np.errstate(over="ignore"):  # beyond float32's range: ±inf, as a float cast does
        number = float(np.float32(to_float(op, tag, value)))
    summary = _summary([Summary.Value(tag=tag, simple_value=number)])
    if description:
        summary.value[0].metadata.ParseFromString(plugin_metadata("scalars", b"", description))
    return summary


def histogram_summary(op: str, tag: str, values: Any) -> Summary:
    """The histogram Summary under `tag`; NaN and ±inf are refused, as TF 1.x did."""
    array = to_numeric_array(op, tag, values, allow_bool=False)
    if array.dtype.kind == "f" and array.size and not np.isfinite(array).all():
        kind = "NaN" if np.isnan(array).any() else "±inf"
        raise op_error(op, tag, f"{kind} in the values; TF 1.x histograms take finite values only")
    value = Summary.Value(tag=tag)
    value.histo.CopyFrom(histogram_proto(array))
    return _summary([value])


def text_summary(op: str, tag: str, text: Any) -> Summary:
    """The text Summary under `tag` (strings of any shape)."""
    tensor = string_tensor_bytes(to_text_array(op, tag, text))
    return tensor_summary_pb(op, tag, tensor, plugin_metadata("text"))


def pr_curve_summary(
    op: str, tag: str, labels: Any, predictions: Any, num_thresholds: Any, weights: Any
) -> Summary:
    """The PR-curve Summary, tag `<tag>/pr_curves`, predictions clamped to [0, 1]."""
    n = check_num_thresholds(op, tag, num_thresholds)
    predictions = to_numeric_array(op, tag, predictions)
    if predictions.dtype.kind in "iuf":
        predictions = np.clip(predictions, 0, 1)  # keeps NaN, which the check refuses
    labels, predictions, weights = check_pr_inputs(op, tag, labels, predictions, weights)
    tensor = tensor_bytes(pr_curve_tensor(labels, predictions, n, weights))
    metadata = plugin_metadata("pr_curves", plugin_content(n), None, tag)
    return tensor_summary_pb(op, f"{tag}/pr_curves", tensor, metadata)


def tensor_summary_pb(op: str, tag: str, tensor: bytes, metadata: Any = None) -> Summary:
    """A Summary with one tensor value (serialized TensorProto) and its metadata."""
    value = Summary.Value(tag=tag)
    value.tensor.ParseFromString(tensor)
    metadata = metadata_bytes(op, tag, metadata)
    if metadata is not None:
        value.metadata.ParseFromString(metadata)
    return _summary([value])


def _summary(values: list[Summary.Value]) -> Summary:
    summary = Summary()
    summary.value.extend(values)
    return summary


def merge_summaries(op: str, inputs: Iterable[Any]) -> Summary:
    """One Summary with the values of every input (Summary messages of any package, or bytes).

    A non-empty tag seen twice is refused, as TF 1.x's MergeSummary kernel refuses it.
    """
    merged = Summary()
    tags: set[str] = set()
    for index, item in enumerate(inputs):
        summary = as_summary(op, item, f"input {index}")
        for value in summary.value:
            if value.tag and value.tag in tags:
                raise op_error(
                    op, None, f"InvalidArgument: Duplicate tag {value.tag} found in summary inputs"
                )
            tags.add(value.tag)
        merged.value.extend(summary.value)
    return merged


def as_summary(op: str, item: Any, what: str = "summary") -> Summary:
    """`item` (a Summary message of any package, or its serialized bytes) as our Summary."""
    if isinstance(item, Summary):
        return item
    if isinstance(item, (bytes, bytearray, memoryview)):
        data = bytes(item)
    elif hasattr(item, "SerializeToString") and hasattr(item, "DESCRIPTOR"):
        if item.DESCRIPTOR.name != "Summary":
            raise op_type_error(
                op, None, f"{what} must be a Summary, got a {item.DESCRIPTOR.full_name}"
            )
        data = item.SerializeToString()
    else:
        raise op_type_error(
            op,
            None,
            f"{what} must be a Summary message or serialized bytes, got {type(item).__name__}",
        )
    try:
        return Summary.FromString(data)
    except DecodeError as error:
        raise op_error(op, None, f"{what} is not a serialized Summary: {error}") from None
