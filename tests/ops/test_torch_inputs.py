"""torch tensors as op inputs: read back with TensorBoard's loader, values checked exactly."""

import io
import wave

import numpy as np
import pytest
from PIL import Image

import summary
from summary.ops.inputs import to_array
from tests.doc_examples import python_blocks, run_examples
from tests.tensorboard_loader import accumulator, scalar_series, values

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch


def convert(data):
    return to_array("op", "tag", data)


def pngs(acc, tag):
    ((_, _, tensor),) = values(acc, tag)
    return [np.asarray(Image.open(io.BytesIO(blob))) for blob in tensor[2:]]


def test_requires_grad_tensors_work_in_every_op(logdir):
    weight = torch.nn.Parameter(torch.tensor([[0.25, 0.5], [0.75, 1.0]]))
    loss = (weight * 2).sum()  # a tensor with a grad_fn
    with summary.create_file_writer(logdir) as writer, writer.as_default(step=4):
        assert summary.scalar("loss", loss)
        assert summary.image("w", weight[None, :, :, None])
        assert summary.audio("a", (weight - 0.5)[None, :, :], 8000)
        assert summary.write("raw", weight)
    acc = accumulator(logdir)
    assert scalar_series(acc, "loss") == {4: 5.0}
    # 255.5 * [0.25, 0.5, 0.75, 1.0] truncated: TF 2.x's convert_image_dtype.
    assert pngs(acc, "w")[0].tolist() == [[63, 127], [191, 255]]
    ((_, _, wavs),) = values(acc, "a")
    with wave.open(io.BytesIO(wavs[0])) as reader:
        samples = np.frombuffer(reader.readframes(2), "<i2").tolist()
    assert samples == [-8192, 0, 8192, 16384]  # (x - 0.5) * 32768
    ((_, _, raw),) = values(acc, "raw")
    assert raw.dtype == np.float32 and raw.tolist() == [[0.25, 0.5], [0.75, 1.0]]


@pytest.mark.parametrize(
    "dtype",
    [torch.float16, torch.float32, torch.float64, torch.int8, torch.int16, torch.int32,
     torch.int64, torch.uint8, torch.uint16, torch.uint32, torch.uint64, torch.bool],
    ids=str,
)  # fmt: skip
def test_numeric_dtypes_map_to_the_same_numpy_dtype(dtype):
    tensor = torch.arange(6).reshape(2, 3).to(dtype)
    array = convert(tensor)
    assert str(array.dtype) == str(dtype).removeprefix("torch.")
    np.testing.assert_array_equal(array, np.arange(6).reshape(2, 3).astype(array.dtype))


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float8_e4m3fn, torch.float8_e5m2])
def test_dtypes_numpy_lacks_are_widened_to_float32_exactly(dtype):
    exact = [0.5, -2.0, 1.5, 0.0]  # representable in every one of these formats
    array = convert(torch.tensor(exact).to(dtype).requires_grad_(dtype == torch.bfloat16))
    assert array.dtype == np.float32 and array.tolist() == exact


def test_bfloat16_image_converts_like_float32_of_the_same_values(logdir):
    batch = torch.tensor([0.0, 0.25, 0.5, 1.0]).reshape(1, 1, 4, 1).to(torch.bfloat16)
    with summary.create_file_writer(logdir) as writer, writer.as_default(step=0):
        summary.image("im", batch)
    assert pngs(accumulator(logdir), "im")[0].ravel().tolist() == [0, 63, 127, 255]


def test_non_contiguous_tensors(logdir):
    chw = torch.arange(2 * 3 * 4, dtype=torch.uint8).reshape(1, 3, 2, 4)
    hwc = chw.permute(0, 2, 3, 1)  # NCHW -> NHWC without a copy
    assert not hwc.is_contiguous()
    with summary.create_file_writer(logdir) as writer, writer.as_default(step=0):
        summary.image("im", hwc)
    np.testing.assert_array_equal(pngs(accumulator(logdir), "im")[0], hwc[0].numpy())
    np.testing.assert_array_equal(convert(torch.ones(4, 6)[:, ::2].T), np.ones((3, 4)))


@pytest.mark.filterwarnings("ignore:torch.quantize_per_tensor:UserWarning")
def test_sparse_quantized_and_negative_bit_tensors():
    np.testing.assert_array_equal(convert(torch.eye(3).to_sparse()), np.eye(3))
    quantized = torch.quantize_per_tensor(torch.tensor([0.5, 1.0]), 0.5, 0, torch.quint8)
    assert convert(quantized).tolist() == [0.5, 1.0]
    negative_view = torch.tensor([1 + 2j]).conj().imag  # a view with the negative bit set
    assert negative_view.is_neg()
    assert convert(negative_view).tolist() == [-2.0]


def test_list_of_tensors_needing_detach_is_a_batch(logdir):
    images = [torch.full((2, 2, 1), 1.0, requires_grad=True), torch.zeros(2, 2, 1)]
    nested = convert([[images[0][0, 0]], [images[1][0, 0]]])  # lists of lists of tensors
    assert nested.shape == (2, 1, 1) and nested.ravel().tolist() == [1.0, 0.0]
    with summary.create_file_writer(logdir) as writer, writer.as_default(step=0):
        summary.image("im", images)
    decoded = pngs(accumulator(logdir), "im")
    assert [image.max() for image in decoded] == [255, 0]


def test_zero_dim_tensors_as_step_and_max_outputs(logdir):
    with summary.create_file_writer(logdir) as writer, writer.as_default():
        summary.image(
            "im", torch.zeros(4, 1, 1, 1), step=torch.tensor(7), max_outputs=torch.tensor(2)
        )
    ((step, _, tensor),) = values(accumulator(logdir), "im")
    assert step == 7 and len(tensor) == 4


@pytest.mark.filterwarnings("ignore:ComplexHalf support is experimental:UserWarning")
@pytest.mark.parametrize("dtype", [torch.complex64, torch.complex128, torch.complex32])
def test_complex_tensors_are_refused(dtype):
    with pytest.raises(TypeError, match=r"summary\.op\('tag'\): complex values"):
        convert(torch.ones(2, dtype=dtype))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_tensors_are_copied_to_the_host():
    tensor = torch.arange(4.0, device="cuda", requires_grad=True)
    assert convert(tensor).tolist() == [0.0, 1.0, 2.0, 3.0]


def test_docs_example_runs_as_written(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run_examples("data/inputs.md", python_blocks("data/inputs.md")[:1])
    acc = accumulator(tmp_path / "logs" / "run1")
    assert sorted(acc.Tags()["tensors"]) == ["loss", "raw", "w", "x"]
    assert values(acc, "raw")[0][2].dtype == np.float32
    assert len(pngs(acc, "x")) == 2
