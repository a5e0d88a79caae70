"""load(samples_per_plugin=...): per tag, the records at sample_positions, the same as slicing a
full load; the records a sample drops are never parsed; bad arguments name load."""

from __future__ import annotations

import os
import warnings

import numpy as np
import pytest

import summary
from summary.reader import load
from summary.reader.record_reader import iter_records
from summary.reader.sampling import sample_positions
from summary.wire.records import frame_record
from tests.listing import without_indexes
from tests.reader.test_filters import unparsable_image_event


def noise(step: int) -> np.ndarray:
    return np.random.default_rng(step).integers(0, 256, size=(24, 24, 3), dtype=np.uint8)


@pytest.fixture
def mixed_run(logdir):
    """One run: 25 scalars, 25 noise images (large records) and 25 text values."""
    with summary.create_file_writer(logdir):
        for step in range(25):
            summary.scalar("loss", 1.0 / (step + 1), step=step)
            summary.image("sample", noise(step)[None], step=step)
            summary.text("note", f"step {step}", step=step)
    return logdir


def sliced(series, positions):
    return series.steps[positions], series.wall_times[positions], [series.raw[i] for i in positions]


@pytest.mark.parametrize("keep", [1, 2, 3, 7, 24, 25, 100])
def test_sample_equals_the_full_load_sliced(mixed_run, keep):
    full = load(mixed_run)["."]
    sampled = load(mixed_run, samples_per_plugin={"images": keep, "scalars": keep})["."]
    positions = sample_positions(25, keep)
    for tag in ("loss", "sample"):
        steps, wall_times, raw = sliced(full[tag], positions)
        np.testing.assert_array_equal(sampled[tag].steps, steps)
        np.testing.assert_array_equal(sampled[tag].wall_times, wall_times)
        for got, expected in zip(sampled[tag].raw, raw, strict=True):
            np.testing.assert_array_equal(np.asarray(got), np.asarray(expected))
    for got, position in zip(sampled["sample"].values, positions, strict=True):
        np.testing.assert_array_equal(got[0], noise(int(position)))
    assert len(sampled["note"]) == 25  # a plugin not named keeps every record
    if keep == 1:
        assert sampled["loss"].steps.tolist() == [24]  # the latest value


def test_dropped_records_are_not_parsed(logdir, tmp_path):
    """Positions 0, 4 and 8 of 9 are real images; the others cannot be parsed (a wire type the
    tensor does not allow): a sample of 3 never notices them, a full load does."""
    source = str(tmp_path / "source")
    with summary.create_file_writer(source):
        for step in (0, 4, 8):
            summary.image("big", noise(step)[None], step=step)
    (name,) = without_indexes(os.listdir(source))
    real = {}
    for _, payload in iter_records(os.path.join(source, name)):
        if b"big" in payload:
            real[len(real) * 4] = payload
    os.makedirs(logdir)
    with open(os.path.join(logdir, name), "wb") as out:
        for step in range(9):
            out.write(frame_record(real.get(step) or unparsable_image_event(step)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sampled = load(logdir, samples_per_plugin={"images": 3}, index="ignore")["."]["big"]
    assert sampled.steps.tolist() == [0, 4, 8]
    for step, pixels in zip((0, 4, 8), sampled.values, strict=True):
        np.testing.assert_array_equal(pixels[0], noise(step))
    with pytest.warns(UserWarning):
        load(logdir)  # a full load parses the bad ones


def test_sampling_without_values_keeps_steps(mixed_run):
    sampled = load(mixed_run, values=False, samples_per_plugin={"images": 4})["."]
    assert sampled["sample"].steps.tolist() == sample_positions(25, 4).tolist()
    assert sampled["sample"].values is None


def test_sample_is_the_same_with_filters_and_workers(mixed_run):
    expected = load(mixed_run, samples_per_plugin={"images": 5})["."]["sample"]
    for kwargs in ({"plugins": "images"}, {"tags": "sample"}, {"workers": 2}):
        got = load(mixed_run, samples_per_plugin={"images": 5}, **kwargs)["."]["sample"]
        assert got.steps.tolist() == expected.steps.tolist()
        for a, b in zip(got.raw, expected.raw, strict=True):
            np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


@pytest.mark.parametrize(
    ("argument", "error", "match"),
    [
        ([("images", 3)], TypeError, "samples_per_plugin must be a mapping"),
        ({"images": 0}, ValueError, r"samples_per_plugin\['images'\] must be >= 1"),
        ({"images": 2.5}, TypeError, r"samples_per_plugin\['images'\] must be an int"),
        ({"images": True}, TypeError, r"samples_per_plugin\['images'\] must be an int"),
        ({3: 1}, TypeError, "samples_per_plugin keys are plugin names"),
    ],
)
def test_bad_samples_name_load_and_the_argument(mixed_run, argument, error, match):
    with pytest.raises(error, match=r"^summary\.reader\.load: " + match):
        load(mixed_run, samples_per_plugin=argument)


def write_merged_images(logdir, steps: int, size: int = 2000) -> None:
    """Events of three image values each (tag a twice, tag b once), written by TensorBoard's
    writer, as a merged TF 1.x summary: `size` random bytes stand for each PNG."""
    from tests.reader.tb_reference import Event, Summary, SummaryMetadata, write_events

    metadata = SummaryMetadata()
    metadata.plugin_data.plugin_name = "images"

    def image(tag, step, copy):
        png = np.random.default_rng(step * 10 + copy).bytes(size + copy)  # any bytes will do
        value = Summary.Value(tag=tag, metadata=metadata)
        value.tensor.dtype = 7  # DT_STRING
        value.tensor.string_val.extend([b"2", b"2", png])
        value.tensor.tensor_shape.dim.add(size=3)
        return value

    events = [
        Event(
            wall_time=1.5e9 + step,
            step=step,
            summary=Summary(value=[image("a", step, 0), image("b", step, 1), image("a", step, 2)]),
        )
        for step in range(steps)
    ]
    write_events(logdir, events)


def test_events_holding_several_sampled_values(logdir):
    """One event, three image values (tag a twice, tag b once), written by TensorBoard's writer:
    each value is one record of its tag, and the deferred read finds the right one."""
    write_merged_images(logdir, 6)
    full = load(logdir)["."]
    sampled = load(logdir, samples_per_plugin={"images": 3})["."]
    for tag, count in (("a", 12), ("b", 6)):
        positions = sample_positions(count, 3)
        steps, _, raw = sliced(full[tag], positions)
        assert sampled[tag].steps.tolist() == steps.tolist()
        for got, expected in zip(sampled[tag].raw, raw, strict=True):
            np.testing.assert_array_equal(got, expected)
