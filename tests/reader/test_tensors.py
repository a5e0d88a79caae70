"""TensorProto decoding agrees with TensorBoard's make_ndarray for every dtype and layout."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("tensorboard")

from tensorboard.util import tensor_util  # noqa: E402

from summary.proto import tensor_pb2  # noqa: E402
from summary.reader.tensors import TensorDecodeError, to_ndarray  # noqa: E402

ARRAYS = [
    np.float32(1.5),
    np.arange(6, dtype=np.float32).reshape(2, 3),
    np.arange(4, dtype=np.float64),
    np.array([-3, 7], dtype=np.int32),
    np.array([[1, 2]], dtype=np.int64),
    np.array([0, 255], dtype=np.uint8),
    np.array([-8, 9], dtype=np.int8),
    np.array([-300, 300], dtype=np.int16),
    np.array([60000], dtype=np.uint16),
    np.array([True, False, True]),
    np.array([0.5, -2.0], dtype=np.float16),
    np.array([1 + 2j, -3j], dtype=np.complex64),
    np.array([[b"a", b"bc"], [b"", "ü".encode()]], dtype=object),
    np.array(b"scalar string", dtype=object),
    np.zeros((0, 3), dtype=np.float32),
]


def ours(tensor) -> np.ndarray:
    return to_ndarray(tensor_pb2.TensorProto.FromString(tensor.SerializeToString()))


@pytest.mark.parametrize("array", ARRAYS, ids=lambda a: f"{a.dtype}{list(a.shape)}")
def test_typed_fields_match_make_ndarray(array):
    tensor = tensor_util.make_tensor_proto(array)
    expected = tensor_util.make_ndarray(tensor)
    got = ours(tensor)
    assert got.dtype == expected.dtype and got.shape == expected.shape
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("array", [a for a in ARRAYS if a.dtype != object], ids=str)
def test_raw_tensor_content_matches_make_ndarray(array):
    tensor = tensor_util.make_tensor_proto(array)
    tensor.ClearField("float_val")
    tensor.ClearField("double_val")
    tensor.ClearField("int_val")
    tensor.ClearField("int64_val")
    tensor.ClearField("bool_val")
    tensor.ClearField("half_val")
    tensor.ClearField("scomplex_val")
    tensor.tensor_content = (
        np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<")).tobytes()
    )
    np.testing.assert_array_equal(ours(tensor), tensor_util.make_ndarray(tensor))


def test_single_value_fills_the_shape():
    tensor = tensor_util.make_tensor_proto(np.float32(2.0))
    tensor.tensor_shape.dim.add(size=3)
    np.testing.assert_array_equal(ours(tensor), np.float32([2, 2, 2]))


def test_bfloat16_is_widened_to_float32():
    tensor = tensor_pb2.TensorProto(dtype=14, half_val=[0x3FC0, 0xC000])  # 1.5, -2.0
    tensor.tensor_shape.dim.add(size=2)
    np.testing.assert_array_equal(to_ndarray(tensor), np.float32([1.5, -2.0]))


def test_mismatched_count_and_unknown_dtype_raise():
    tensor = tensor_pb2.TensorProto(dtype=1, float_val=[1.0, 2.0])
    tensor.tensor_shape.dim.add(size=3)
    with pytest.raises(TensorDecodeError, match="do not fill shape"):
        to_ndarray(tensor)
    with pytest.raises(TensorDecodeError, match="unsupported tensor dtype"):
        to_ndarray(tensor_pb2.TensorProto(dtype=20))
