"""The same `add_*` calls through our SummaryWriter and through tensorboardX / torch's writer:
TensorBoard's loader must show the same runs, tags, steps and values."""

from __future__ import annotations

import io
import wave

import numpy as np
import pytest
from PIL import Image

from summary import SummaryWriter
from summary.proto.plugins import hparams_pb2
from tests.tensorboard_loader import multiplexer, plugin_of, values

RNG = np.random.default_rng(7)
HIST_VALUES = RNG.normal(size=1000)
CHW = RNG.random((3, 6, 10)).astype(np.float32)
HWC_U8 = RNG.integers(0, 256, size=(5, 7, 3), dtype=np.uint8)
HW = RNG.random((4, 9))
NCHW = RNG.random((10, 3, 4, 5)).astype(np.float32)  # 10 images: two grid rows of 8
NHWC_GRAY = RNG.random((3, 4, 5, 1))
PR_LABELS = RNG.integers(0, 2, size=200)
PR_PREDICTIONS = RNG.random(200)
CLIP = np.sin(np.linspace(0, 40, 800)) * 0.8


def _figure():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure = plt.figure(figsize=(2, 1.5), dpi=50)
    plt.plot([0, 1, 2], [2, 0, 1])
    return figure


def log_calls(writer, audio: bool) -> None:
    """The calls under test, written once for each writer implementation."""
    for step in range(4):
        writer.add_scalar("loss", 1.0 / (step + 1), step)
        writer.add_scalar("metrics/accuracy", step * 0.25, step * 10)
    writer.add_scalar("no_step", 3.5)
    writer.add_scalar("at_time", 1.5, 2, walltime=1_700_000_000.25)
    writer.add_histogram("weights", HIST_VALUES, 1)
    writer.add_histogram("weights_edges", HIST_VALUES, 2, bins=np.linspace(-5, 5, 21))
    writer.add_image("chw", CHW, 1)
    writer.add_image("hwc", HWC_U8, 1, dataformats="HWC")
    writer.add_image("hw", HW, 1, dataformats="HW")
    writer.add_images("grid", NCHW, 1)
    writer.add_images("grid_gray", NHWC_GRAY, 1, dataformats="NHWC")
    writer.add_figure("figure", _figure(), 3)
    writer.add_text("notes", "hello *markdown*", 5)
    writer.add_pr_curve("pr", PR_LABELS, PR_PREDICTIONS, 1)
    writer.add_hparams({"lr": 0.01, "optimizer": "adam", "layers": 3}, {"hparam/loss": 0.25})
    if audio:
        writer.add_audio("clip", CLIP, 1, sample_rate=8000)


def _load(logdir):
    mux = multiplexer(logdir)
    out = {}
    for run in mux.Runs():
        acc = mux.GetAccumulator(run)
        out[run] = {tag: (plugin_of(acc, tag), values(acc, tag)) for tag in acc.Tags()["tensors"]}
    return out


def _normalized_runs(loaded):
    """hparams runs are named by time.time(): compare them under one name."""
    return {("<hparams>" if run[:1].isdigit() else run): tags for run, tags in loaded.items()}


def _pixels(blob: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(blob)).convert("RGBA"))


def _wav(blob: bytes) -> tuple[int, np.ndarray]:
    with wave.open(io.BytesIO(blob)) as clip:
        frames = clip.readframes(clip.getnframes())
        return clip.getframerate(), np.frombuffer(frames, dtype="<i2")


def _same_histogram(ours: np.ndarray, theirs: np.ndarray, explicit_edges: bool) -> None:
    # theirs comes from a legacy HistogramProto: TensorBoard's loader drops the empty buckets at
    # both ends and uses the data's min and max as the outer edges.
    assert ours[:, 2].sum() == theirs[:, 2].sum() == HIST_VALUES.size
    assert theirs[0, 0] == pytest.approx(HIST_VALUES.min())
    assert theirs[-1, 1] == pytest.approx(HIST_VALUES.max())
    if not explicit_edges:  # TF 2.x buckets span exactly [min, max]
        assert ours[0, 0] == pytest.approx(HIST_VALUES.min())
        assert ours[-1, 1] == pytest.approx(HIST_VALUES.max())
        return
    nonzero = np.flatnonzero(ours[:, 2])
    span = ours[nonzero[0] : nonzero[-1] + 1]
    np.testing.assert_array_equal(span[:, 2], theirs[:, 2])
    np.testing.assert_allclose(span[1:, 0], theirs[1:, 0])


def _same_value(tag: str, plugin: str, ours: np.ndarray, theirs: np.ndarray) -> None:
    if plugin == "images":
        assert list(ours[:2]) == list(theirs[:2])  # width, height
        np.testing.assert_array_equal(_pixels(ours[2]), _pixels(theirs[2]))
    elif plugin == "histograms":
        _same_histogram(ours, theirs, explicit_edges=tag == "weights_edges")
    elif plugin == "audio":
        (rate, samples), (their_rate, their_samples) = _wav(ours.flat[0]), _wav(theirs.flat[0])
        assert rate == their_rate == 8000
        # TF rounds x * 32768, torch truncates x * 32767: at most 2 steps of 65536 apart
        np.testing.assert_allclose(samples, their_samples, atol=2)
    elif plugin == "hparams":
        assert ours.size == 0 and theirs.size == 0
    elif plugin == "pr_curves":
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)
    else:
        np.testing.assert_array_equal(ours, theirs)


def _hparams_messages(logdir) -> dict[str, hparams_pb2.HParamsPluginData]:
    mux = multiplexer(logdir)
    (run,) = [run for run in mux.Runs() if run[:1].isdigit()]
    acc = mux.GetAccumulator(run)
    return {
        tag: hparams_pb2.HParamsPluginData.FromString(acc.SummaryMetadata(tag).plugin_data.content)
        for tag in acc.Tags()["tensors"]
        if plugin_of(acc, tag) == "hparams"
    }


def _compare(ours_dir, theirs_dir, rename_runs=None):
    ours = _normalized_runs(_load(ours_dir))
    theirs = _normalized_runs(_load(theirs_dir))
    theirs = {(rename_runs or {}).get(run, run): tags for run, tags in theirs.items()}
    assert sorted(ours) == sorted(theirs)
    for run in ours:
        assert sorted(ours[run]) == sorted(theirs[run]), run
        for tag, (plugin, our_values) in ours[run].items():
            their_plugin, their_values = theirs[run][tag]
            assert plugin == their_plugin, tag
            assert [s for s, _, _ in our_values] == [s for s, _, _ in their_values], tag
            assert [w for _, w, _ in our_values if tag == "at_time"] == [
                w for _, w, _ in their_values if tag == "at_time"
            ]
            for (_, _, mine), (_, _, other) in zip(our_values, their_values, strict=True):
                _same_value(tag, plugin, mine, other)
    for tag, message in _hparams_messages(theirs_dir).items():
        assert _hparams_messages(ours_dir)[tag] == message, tag


def test_same_as_torch_utils_tensorboard(tmp_path):
    torch_tensorboard = pytest.importorskip("torch.utils.tensorboard")
    with SummaryWriter(tmp_path / "ours") as ours:
        log_calls(ours, audio=True)
        ours.add_scalars("lr", {"encoder": 0.1, "decoder": 0.2}, 7)
    with torch_tensorboard.SummaryWriter(str(tmp_path / "torch")) as theirs:
        log_calls(theirs, audio=True)
        theirs.add_scalars("lr", {"encoder": 0.1, "decoder": 0.2}, 7)
    _compare(tmp_path / "ours", tmp_path / "torch")


def test_same_as_tensorboardx(tmp_path):
    tensorboardx = pytest.importorskip("tensorboardX")
    has_soundfile = _importable("soundfile")  # tensorboardX's add_audio needs it
    with SummaryWriter(tmp_path / "ours") as ours:
        log_calls(ours, audio=has_soundfile)
        ours.add_scalars("lr", {"encoder": 0.1, "decoder": 0.2}, 7)
    with tensorboardx.SummaryWriter(str(tmp_path / "tbx")) as theirs:
        log_calls(theirs, audio=has_soundfile)
        theirs.add_scalars("lr", {"encoder": 0.1, "decoder": 0.2}, 7)
    # tensorboardX nests add_scalars runs (lr/encoder); torch and we name them lr_encoder
    _compare(
        tmp_path / "ours",
        tmp_path / "tbx",
        rename_runs={"lr/encoder": "lr_encoder", "lr/decoder": "lr_decoder"},
    )


def _importable(name: str) -> bool:
    try:
        __import__(name)
    except ImportError:
        return False
    return True


def test_add_graph_same_operators_and_wiring_as_torch(tmp_path):
    torch = pytest.importorskip("torch")
    torch_tensorboard = pytest.importorskip("torch.utils.tensorboard")
    from tests.tensorboard_loader import accumulator

    class Block(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc, self.act = torch.nn.Linear(4, 4), torch.nn.ReLU()

        def forward(self, x):
            return self.act(self.fc(x)) + x

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.block, self.head = Block(), torch.nn.Linear(4, 1)

        def forward(self, x):
            return self.head(self.block(x))

    model = Net().train()
    with SummaryWriter(tmp_path / "ours") as ours:
        ours.add_graph(model, torch.zeros(2, 4))
    with torch_tensorboard.SummaryWriter(str(tmp_path / "torch")) as theirs:
        theirs.add_graph(model, torch.zeros(2, 4))
    assert model.training  # traced in eval mode, mode restored

    def operators(logdir):
        """Operator and I/O nodes: name, op, and the inputs that are not parameters."""
        graph = accumulator(logdir).Graph()
        params = {node.name for node in graph.node if node.op == "prim::GetAttr"}
        return {
            node.name: (node.op, [name for name in node.input if name not in params])
            for node in graph.node
            if node.op != "prim::GetAttr"
        }

    ours_ops = operators(tmp_path / "ours")
    assert ours_ops == operators(tmp_path / "torch")
    assert ours_ops["Net/Linear[head]/53"][0] == "aten::linear"
    graph = accumulator(tmp_path / "ours").Graph()
    shapes = {
        n.name: [d.size for d in n.attr["_output_shapes"].list.shape[0].dim]
        for n in graph.node
        if n.attr["_output_shapes"].list.shape
    }
    assert shapes["output/output.1"] == [2, 1]


@pytest.mark.parametrize("make", [lambda t: t.tensor([0.5]), lambda t: t.tensor([[0.5]])])
def test_add_scalar_takes_a_one_element_tensor_as_torch_does(tmp_path, make):
    torch = pytest.importorskip("torch")
    from torch.utils.tensorboard import SummaryWriter as TorchWriter

    for logdir, writer in ((tmp_path / "ours", SummaryWriter), (tmp_path / "torch", TorchWriter)):
        with writer(logdir) as w:
            w.add_scalar("loss", make(torch), 3)
    for run in ("ours", "torch"):
        mux = multiplexer(tmp_path / run)
        ((step, _, value),) = values(mux.GetAccumulator("."), "loss")
        assert (step, float(value)) == (3, 0.5)
