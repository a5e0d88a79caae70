"""The one conversion helper: every input kind of issue 4 becomes the NumPy array we expect.

Python numbers and lists follow TF 2.x's `tf.constant` inference (documented in `tf.constant` and
`tf.convert_to_tensor`): Python floats become float32, Python ints int32 (int64 when a value does
not fit), bools bool.
"""

import subprocess
import sys

import numpy as np
import pytest

import summary
from summary.ops.inputs import to_array, to_count, to_float, to_numeric_array
from tests.tensorboard_loader import accumulator, values


def convert(data):
    return to_array("op", "tag", data)


@pytest.mark.parametrize(
    ("data", "dtype", "shape"),
    [
        (1.5, np.float32, ()),
        (3, np.int32, ()),
        (True, np.bool_, ()),
        (2**40, np.int64, ()),
        ([1.0, 2.5], np.float32, (2,)),
        ([1, 2], np.int32, (2,)),
        ([1, 2.5], np.float32, (2,)),
        ([[1, 2**35], [3, 4]], np.int64, (2, 2)),
        ([True, False], np.bool_, (2,)),
        (((1.0,), (2.0,)), np.float32, (2, 1)),
        ([], np.float32, (0,)),
        ([[[[0.5]]]], np.float32, (1, 1, 1, 1)),
    ],
)
def test_python_numbers_and_lists_follow_tf_constant(data, dtype, shape):
    array = convert(data)
    assert array.dtype == dtype and array.shape == shape
    np.testing.assert_array_equal(array, np.asarray(data, dtype=dtype))


NUMPY_DTYPES = [
    np.float16, np.float32, np.float64, np.int8, np.int16, np.int32, np.int64,
    np.uint8, np.uint16, np.uint32, np.uint64, np.bool_,
]  # fmt: skip


@pytest.mark.parametrize("dtype", NUMPY_DTYPES, ids=lambda d: np.dtype(d).name)
def test_numpy_arrays_keep_their_dtype_and_are_not_copied(dtype):
    array = np.arange(6).reshape(2, 3).astype(dtype)
    assert convert(array) is array
    scalar = array.reshape(-1)[1]  # a NumPy scalar keeps its dtype too
    assert convert(scalar).dtype == dtype


def test_big_endian_and_long_double():
    big = np.arange(4, dtype=">f4")
    np.testing.assert_array_equal(convert(big), [0, 1, 2, 3])
    wide = np.array([0.25, 1e300], dtype=np.longdouble)
    converted = convert(wide)
    assert converted.dtype == np.float64 and converted.tolist() == [0.25, 1e300]


class WithArray:
    def __init__(self, array):
        self._array = array

    def __array__(self, dtype=None, copy=None):
        return self._array


class WithDlpackOnly:
    def __init__(self, array):
        self._array = array

    def __dlpack__(self, **kwargs):
        return self._array.__dlpack__(**kwargs)

    def __dlpack_device__(self):
        return self._array.__dlpack_device__()


class WithNumpyMethod:
    def __init__(self, array):
        self._array = array

    def numpy(self):
        return self._array


class ArrayRefusingImplicitConversion:
    """Like a CuPy array: `__array__` refuses, `.get()` copies to the host."""

    __cuda_array_interface__ = {}

    def __init__(self, array):
        self._array = array

    def __array__(self, dtype=None, copy=None):
        raise TypeError("Implicit conversion to a NumPy array is not allowed")

    def get(self):
        return self._array


@pytest.mark.parametrize(
    "wrapper", [WithArray, WithDlpackOnly, WithNumpyMethod, ArrayRefusingImplicitConversion]
)
def test_array_objects_by_protocol(wrapper):
    array = np.arange(12, dtype=np.float32).reshape(3, 4)
    converted = convert(wrapper(array))
    assert converted.dtype == np.float32
    np.testing.assert_array_equal(converted, array)


def test_buffer_objects_and_lists_of_array_objects():
    np.testing.assert_array_equal(convert(memoryview(np.arange(3.0))), [0.0, 1.0, 2.0])
    stacked = convert([WithNumpyMethod(np.ones(2, np.int16)), WithArray(np.zeros(2, np.int16))])
    assert stacked.dtype == np.int16 and stacked.tolist() == [[1, 1], [0, 0]]


def test_ml_dtypes_are_widened_exactly():
    ml_dtypes = pytest.importorskip("ml_dtypes")
    values_ = [0.5, -2.0, 1.5, 3.0]
    for name in ["bfloat16", "float8_e4m3fn"]:
        array = np.array(values_, dtype=getattr(ml_dtypes, name))
        converted = convert(array)
        assert converted.dtype == np.float32 and converted.tolist() == values_
    narrow = convert(np.array([-3, 7], dtype=ml_dtypes.int4))
    assert narrow.dtype == np.int8 and narrow.tolist() == [-3, 7]


@pytest.mark.parametrize(
    "data",
    [1 + 2j, np.complex64(1), np.ones(3, np.complex128), [1.0, 2j], np.array([1, 1j], object)],
    ids=["python", "numpy-scalar", "array", "list", "object-array"],
)
def test_complex_is_refused_everywhere(data):
    with pytest.raises(TypeError, match=r"summary\.op\('tag'\): complex values are not supported"):
        convert(data)


@pytest.mark.parametrize(
    ("data", "error", "message"),
    [
        (None, TypeError, "data is None"),
        ([[1, 2], [3]], ValueError, "ragged"),
        ([np.ones(2), np.ones(3)], ValueError, "ragged"),
        ([1, None], TypeError, "element None"),
        (np.array([1, "a"], object), TypeError, "mix of numbers and strings"),
        ({"a": 1}, TypeError, "got dict"),
        (object(), TypeError, "got object"),
        ([2**70], ValueError, "does not fit in 64 bits"),
    ],
)
def test_unconvertible_input_names_op_and_tag(data, error, message):
    with pytest.raises(error, match=r"summary\.op\('tag'\): .*" + message):
        convert(data)


def test_boxed_numbers_are_unboxed():
    array = convert(np.array([[1, 2], [3, 2**40]], dtype=object))
    assert array.dtype == np.int64 and array.tolist() == [[1, 2], [3, 2**40]]
    assert convert(np.array([0.5, 1], dtype=object)).dtype == np.float64


def test_strings_become_object_arrays():
    assert convert("hi").dtype == object
    assert convert(["a", "b"]).dtype.kind == "U"
    with pytest.raises(TypeError, match="expected real numbers"):
        to_numeric_array("op", "tag", ["a", "b"])
    with pytest.raises(TypeError, match="expected real numbers"):
        to_numeric_array("op", "tag", [True], allow_bool=False)


def test_to_float():
    assert to_float("op", "t", 2) == 2.0 and to_float("op", "t", 2**2000) == float("inf")
    assert to_float("op", "t", np.float16(0.5)) == 0.5
    assert to_float("op", "t", np.array(0.1)) == 0.1
    with pytest.raises(ValueError, match=r"rank 0\), got shape \(2,\)"):
        to_float("op", "t", [1.0, 2.0])


def test_to_count():
    assert to_count("op", "t", "max_outputs", 3) == 3
    assert to_count("op", "t", "max_outputs", np.uint8(0)) == 0
    for bad, error in [(-1, ValueError), (2.0, TypeError), (True, TypeError), ("3", TypeError)]:
        with pytest.raises(error, match=r"summary\.op\('t'\): max_outputs"):
            to_count("op", "t", "max_outputs", bad)


def test_converting_imports_no_framework():
    code = (
        "import sys, numpy as np\n"
        "from summary.ops.inputs import to_array\n"
        "class Obj:\n"
        "    def numpy(self): return np.ones(2)\n"
        "for data in (1.0, [1, 2], np.ones(3), Obj(), memoryview(b'ab')):\n"
        "    to_array('op', 't', data)\n"
        "print([m for m in ('torch', 'jax', 'tensorflow', 'cupy') if m in sys.modules])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_jax_arrays():
    jnp = pytest.importorskip("jax.numpy")
    converted = convert(jnp.arange(4, dtype=jnp.float32))
    assert converted.dtype == np.float32 and converted.tolist() == [0, 1, 2, 3]
    bf16 = convert(jnp.array([0.5, 1.0, -3.0], dtype=jnp.bfloat16))
    assert bf16.dtype == np.float32 and bf16.tolist() == [0.5, 1.0, -3.0]
    with pytest.raises(TypeError, match="complex"):
        convert(jnp.ones(2, jnp.complex64))


def test_jax_arrays_through_the_ops(logdir):
    jnp = pytest.importorskip("jax.numpy")
    with summary.create_file_writer(logdir) as writer, writer.as_default(step=1):
        assert summary.scalar("loss", jnp.float32(0.25))
        assert summary.image("im", jnp.ones((1, 2, 2, 3), jnp.uint8) * 7)
        assert summary.audio("au", jnp.zeros((1, 4, 1), jnp.bfloat16), 8000)
    acc = accumulator(logdir)
    assert float(values(acc, "loss")[0][2]) == 0.25
    assert values(acc, "im")[0][2][:2].tolist() == [b"2", b"2"]
    assert len(values(acc, "au")[0][2]) == 1
