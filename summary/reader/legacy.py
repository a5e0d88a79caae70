"""TF 1.x value forms (`simple_value`, `histo`, `image`, `audio`) turned into the tensors and
plugin metadata TensorBoard's Python `data_compat` turns them into, so old and new files read alike;
and the value with no value field (tensorboardX's and torch's hparams), which `dataclass_compat`
reads as the hparams plugin's null tensor.
"""

from __future__ import annotations

import numpy as np

from summary.proto import summary_pb2
from summary.proto.plugins import audio_pb2, image_pb2

PLUGINS = {"simple_value": "scalars", "histo": "histograms", "image": "images", "audio": "audio"}
NULL_TENSOR = "null_tensor"  # the kind a value with no value field is read as, when it is read
_NULL_TENSOR_PLUGIN = "hparams"  # the one plugin TensorBoard gives a null tensor
_CONTENT = {
    "scalars": b"",
    "histograms": b"",
    "images": image_pb2.ImagePluginData(converted_to_tensor=True).SerializeToString(),
    "audio": audio_pb2.AudioPluginData(
        encoding=audio_pb2.AudioPluginData.WAV, converted_to_tensor=True
    ).SerializeToString(),
}


def metadata(
    kind: str, tag: str, stored: summary_pb2.SummaryMetadata | None
) -> summary_pb2.SummaryMetadata:
    """The metadata TensorBoard gives a legacy value: its plugin, display name and description."""
    plugin = PLUGINS[kind]
    result = summary_pb2.SummaryMetadata(
        display_name=(stored.display_name if stored else "") or tag,
        summary_description=stored.summary_description if stored else "",
    )
    result.plugin_data.plugin_name = plugin
    result.plugin_data.content = _CONTENT[plugin]
    return result


def reads_null_tensor(metadata: summary_pb2.SummaryMetadata | None) -> bool:
    """Whether TensorBoard reads a value that sets no value field, under its tag's first metadata:
    only for the hparams plugin, and only when no data class is set (a set one is taken as
    final); any other such value it skips."""
    return (
        metadata is not None
        and metadata.plugin_data.plugin_name == _NULL_TENSOR_PLUGIN
        and metadata.data_class == summary_pb2.DATA_CLASS_UNKNOWN
    )


def convert(value: summary_pb2.Summary.Value, kind: str) -> float | np.ndarray:
    """The tensor value TensorBoard reads in place of a legacy value (a float for scalars)."""
    if kind == NULL_TENSOR:
        return np.zeros(0, dtype=np.float32)  # DT_FLOAT, shape [0]
    if kind == "simple_value":
        return value.simple_value
    if kind == "histo":
        return histogram(value.histo)
    if kind == "image":
        image = value.image
        blobs = [str(image.width).encode(), str(image.height).encode(), image.encoded_image_string]
        return _objects(blobs, (3,))
    return _objects([value.audio.encoded_audio_string, b""], (1, 2))


def histogram(histo: summary_pb2.HistogramProto) -> np.ndarray:
    """[k, 3] float32 rows (left, right, count): empty buckets at both ends are dropped, `min`
    is the first left edge and `max` the last right edge (bucket_limit holds right edges)."""
    counts = list(histo.bucket)
    nonempty = [i for i, count in enumerate(counts) if count > 0]
    if not nonempty:
        return np.zeros((0, 3), dtype=np.float32)
    first, last = nonempty[0], nonempty[-1]
    inner = list(histo.bucket_limit[first:last])
    lefts = [histo.min, *inner]
    rights = [*inner, histo.max]
    return np.array([lefts, rights, counts[first : last + 1]], dtype=np.float32).T.copy()


def _objects(items: list[bytes], shape: tuple[int, ...]) -> np.ndarray:
    array = np.empty(len(items), dtype=object)
    array[:] = items
    return array.reshape(shape)
