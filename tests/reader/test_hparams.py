"""Hyperparameters from tensorboardX, torch and our SummaryWriter: `load` reads every value
TensorBoard's EventAccumulator reads, tensorboardX's and torch's value-less ones included."""

from __future__ import annotations

import os

import numpy as np
import pytest

import summary
from summary.proto import summary_pb2
from summary.reader import load
from tests.reader.tb_reference import Summary, SummaryMetadata, value_event, write_events
from tests.tensorboard_loader import multiplexer

tensorboardX = pytest.importorskip("tensorboardX")
torch_tensorboard = pytest.importorskip("torch.utils.tensorboard")

HPARAMS = {"lr": 0.1, "optimizer": "sgd", "batch_norm": True, "layers": 4}
METRICS = {"hparam/accuracy": 0.9, "hparam/loss": 0.25}
MANY_HPARAMS = {f"hparam_{i:03d}": float(i) for i in range(120)}  # events over 1 KiB


def write_hparams(logdir: str, hparams: dict) -> None:
    """The same add_hparams call through tensorboardX, torch and ours, one logdir each."""
    for name, writer_class in (
        ("tensorboardX", tensorboardX.SummaryWriter),
        ("torch", torch_tensorboard.SummaryWriter),
        ("summary", summary.SummaryWriter),
    ):
        writer = writer_class(os.path.join(logdir, name))
        writer.add_hparams(hparams, METRICS)
        writer.close()


def tensorboard_view(logdir: str) -> dict[tuple[str, str], tuple]:
    """(run, tag) -> (plugin, metadata content, steps, arrays) as EventAccumulator reports them."""
    from tensorboard.util import tensor_util

    mux = multiplexer(logdir)
    found = {}
    for run in mux.Runs():
        acc = mux.GetAccumulator(run)
        for tag in acc.Tags()["tensors"]:
            events = acc.Tensors(tag)
            plugin_data = acc.SummaryMetadata(tag).plugin_data
            arrays = [tensor_util.make_ndarray(event.tensor_proto) for event in events]
            steps = [event.step for event in events]
            found[run, tag] = (plugin_data.plugin_name, plugin_data.content, steps, arrays)
    return found


def our_view(logdir: str, **filters) -> dict[tuple[str, str], tuple]:
    """The same, as `summary.reader.load` reads it."""
    found = {}
    for series in load(logdir, **filters).series():
        content = series.metadata.plugin_data.content
        dtype = np.float32 if series.plugin == "scalars" else None  # scalars come as floats
        arrays = [np.asarray(raw, dtype=dtype) for raw in series.raw]
        found[series.run, series.tag] = (series.plugin, content, list(series.steps), arrays)
    return found


def assert_same_view(ours: dict, reference: dict) -> None:
    assert sorted(ours) == sorted(reference)
    for key, (plugin, content, steps, arrays) in reference.items():
        our_plugin, our_content, our_steps, our_arrays = ours[key]
        assert (our_plugin, our_content, our_steps) == (plugin, content, steps), key
        for ours_array, expected in zip(our_arrays, arrays, strict=True):
            assert ours_array.dtype == expected.dtype and ours_array.shape == expected.shape, key
            np.testing.assert_array_equal(ours_array, expected)


@pytest.mark.torch
@pytest.mark.parametrize("hparams", [HPARAMS, MANY_HPARAMS], ids=["few", "many"])
def test_hparams_of_every_writer_read_as_tensorboard_reads_them(logdir, hparams):
    write_hparams(logdir, hparams)
    reference = tensorboard_view(logdir)
    hparams_tags = {tag for _, tag in reference if tag.startswith("_hparams_/")}
    assert len(hparams_tags) == 3
    for writer in ("tensorboardX", "torch", "summary"):  # each writer's three values are there
        assert sum(run.startswith(writer + "/") for run, _ in reference) == 3 + len(METRICS)
    assert_same_view(our_view(logdir), reference)
    assert all(
        plugin == "hparams" and arrays[0].shape == (0,) and arrays[0].dtype == np.float32
        for (_, tag), (plugin, _, _, arrays) in our_view(logdir).items()
        if tag in hparams_tags
    )


@pytest.mark.torch
@pytest.mark.parametrize("hparams", [HPARAMS, MANY_HPARAMS], ids=["few", "many"])
def test_hparams_survive_the_plugin_and_tag_filters(logdir, hparams):
    """Filters read large events from a hand scan of their tags: value-less ones too."""
    write_hparams(logdir, hparams)
    everything = tensorboard_view(logdir)
    reference = {key: view for key, view in everything.items() if view[0] == "hparams"}
    assert_same_view(our_view(logdir, plugins="hparams"), reference)
    assert_same_view(our_view(logdir, tags="_hparams_/*"), reference)
    steps_only = load(logdir, plugins="hparams", values=False)
    assert sorted((s.run, s.tag) for s in steps_only.series()) == sorted(reference)


def test_a_value_less_value_is_read_only_where_tensorboard_reads_it(tmp_path):
    """Only the hparams plugin gets the null tensor, and only without a data class of its own;
    TensorBoard skips any other value that has metadata and no value."""

    def metadata(plugin: str, data_class: int = 0) -> SummaryMetadata:
        return SummaryMetadata(
            plugin_data=SummaryMetadata.PluginData(plugin_name=plugin, content=b"\x08\x01"),
            data_class=data_class,
        )

    run = str(tmp_path / "run")
    os.makedirs(run)
    write_events(
        run,
        [
            value_event(0, Summary.Value(tag="hp", metadata=metadata("hparams"))),
            value_event(1, Summary.Value(tag="hp")),  # later values carry no metadata
            value_event(0, Summary.Value(tag="text_tag", metadata=metadata("text"))),
            value_event(
                0,
                Summary.Value(
                    tag="classed",
                    metadata=metadata("hparams", summary_pb2.DATA_CLASS_TENSOR),
                ),
            ),
        ],
    )
    reference = tensorboard_view(str(tmp_path))
    assert sorted(tag for _, tag in reference) == ["hp"]
    assert_same_view(our_view(str(tmp_path)), reference)
