"""Hand-encoded events equal what protobuf's serializer makes of the same message."""

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from summary.ops.metadata import plugin_metadata
from summary.proto import event_pb2, summary_pb2, tensor_pb2
from summary.wire import encode
from summary.wire.tensors import tensor_bytes

tags = st.text(min_size=1, max_size=40)
steps = st.integers(min_value=-(2**63), max_value=2**63 - 1)
walls = st.floats(min_value=1, max_value=4e9)  # a real wall time is never 0


def scalar_event_message(wall_time, step, tag, value, metadata):
    event = event_pb2.Event(wall_time=wall_time, step=step)
    summary_value = event.summary.value.add(tag=tag)
    summary_value.tensor.dtype = 1
    summary_value.tensor.tensor_shape.SetInParent()
    summary_value.tensor.tensor_content = np.float32(value).tobytes()
    if metadata is not None:
        summary_value.metadata.ParseFromString(metadata)
    return event


@given(walls, steps, tags, st.floats(width=32), st.sampled_from([None, "", "a description"]))
def test_scalar_event_bytes_equal_protobuf(wall_time, step, tag, value, description):
    metadata = None if description is None else plugin_metadata("scalars", b"", description)
    head, tail = encode.scalar_event_parts(tag, metadata)
    ours = encode.event_prefix(wall_time, step) + head + encode.float32_bytes(value) + tail
    expected = scalar_event_message(wall_time, step, tag, value, metadata)
    assert event_pb2.Event.FromString(ours) == expected
    assert ours == expected.SerializeToString()


def test_float32_saturates_like_a_cast():
    assert encode.float32_bytes(1e39) == np.float32(np.inf).tobytes()
    assert encode.float32_bytes(-1e39) == np.float32(-np.inf).tobytes()
    assert np.isnan(np.frombuffer(encode.float32_bytes(math.nan), "<f4")[0])


def test_file_version_event():
    event = event_pb2.Event.FromString(encode.file_version_event(1234.5))
    assert event.file_version == "brain.Event:2" and event.wall_time == 1234.5


@given(
    st.sampled_from(
        [
            "float32",
            "float64",
            "int8",
            "uint8",
            "int16",
            "uint16",
            "int32",
            "uint32",
            "int64",
            "uint64",
            "float16",
            "bool",
        ]
    ),
    st.lists(st.integers(min_value=0, max_value=4), max_size=3),
)
def test_numeric_tensor_bytes_equal_protobuf(dtype, shape):
    array = (np.arange(int(np.prod(shape))) % 3).astype(dtype).reshape(shape)
    proto = tensor_pb2.TensorProto.FromString(tensor_bytes(array))
    assert [dim.size for dim in proto.tensor_shape.dim] == list(shape)
    assert proto.tensor_content == array.astype(array.dtype.newbyteorder("<")).tobytes()
    expected = tensor_pb2.TensorProto(dtype=proto.dtype, tensor_content=proto.tensor_content)
    expected.tensor_shape.SetInParent()
    for size in shape:
        expected.tensor_shape.dim.add(size=size)
    assert tensor_bytes(array) == expected.SerializeToString()


@given(st.lists(st.text(), max_size=5))
def test_string_tensor_bytes(texts):
    proto = tensor_pb2.TensorProto.FromString(tensor_bytes(np.array(texts, dtype=object)))
    assert proto.dtype == 7
    assert [v.decode("utf-8") for v in proto.string_val] == texts


def test_plugin_metadata_equals_protobuf():
    ours = plugin_metadata("pr_curves", b"\x10\xc9\x01", "desc", "shown")
    expected = summary_pb2.SummaryMetadata(display_name="shown", summary_description="desc")
    expected.plugin_data.plugin_name = "pr_curves"
    expected.plugin_data.content = b"\x10\xc9\x01"
    assert ours == expected.SerializeToString()


@given(walls, steps, tags, st.sampled_from([None, plugin_metadata("x", b"\x01", "d")]))
def test_value_event_equals_protobuf(wall_time, step, tag, metadata):
    tensor = tensor_bytes(np.array([1.0, 2.0]))
    ours = encode.value_event(wall_time, step, tag, tensor, metadata)
    parsed = event_pb2.Event.FromString(ours)
    assert parsed.wall_time == wall_time and parsed.step == step
    (value,) = parsed.summary.value
    assert value.tag == tag
    assert value.tensor.SerializeToString() == tensor
    assert value.HasField("metadata") == bool(metadata)
