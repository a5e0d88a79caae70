"""The one-float fast path and the chunked frame reader agree with a full protobuf parse."""

from __future__ import annotations

import io
import math
import os
import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summary.reader import load
from summary.reader.frames import iter_frames
from summary.reader.record_reader import iter_records
from tests.reader.tb_reference import Event, Summary, SummaryMetadata, loader_values, write_events

floats32 = st.floats(width=32, allow_nan=True, allow_infinity=True)


@st.composite
def one_float_values(draw):
    """A Summary.Value holding one float in one of the layouts writers use."""
    tag = draw(st.sampled_from(["loss", "a/b", "x" * 200, "ünï"]))
    number = draw(floats32)
    layout = draw(st.sampled_from(["simple_value", "tensor_content", "float_val"]))
    value = Summary.Value(tag=tag)
    if layout == "simple_value":
        value.simple_value = number
    else:
        value.tensor.dtype = 1
        if layout == "tensor_content":
            value.tensor.tensor_content = struct.pack("<f", number)
        else:
            value.tensor.float_val.append(number)
    if draw(st.booleans()):
        metadata = SummaryMetadata(summary_description=draw(st.sampled_from(["", "d"])))
        metadata.plugin_data.plugin_name = "scalars"
        value.metadata.CopyFrom(metadata)
    return value


@st.composite
def events(draw):
    step = draw(st.one_of(st.just(0), st.integers(-(2**63), 2**63 - 1), st.integers(0, 10**6)))
    wall_time = draw(st.sampled_from([0.0, 1.7e9, 1.7e9 + 0.123]))
    return Event(wall_time=wall_time, step=step, summary=Summary(value=[draw(one_float_values())]))


@settings(max_examples=60, deadline=None)
@given(st.lists(events(), min_size=1, max_size=40))
def test_fast_path_equals_tensorboard_loader(tmp_path_factory, batch):
    logdir = str(tmp_path_factory.mktemp("fast"))
    path = write_events(logdir, batch)
    reference = loader_values(path)
    run = load(logdir)["."]
    assert set(run) == set(reference)
    for tag, expected in reference.items():
        series = run[tag]
        assert list(series.steps) == [step for step, _, _ in expected]
        assert list(series.wall_times) == [wall for _, wall, _ in expected]
        numbers = [
            float(np.asarray(array, dtype=np.float64).reshape(-1)[0]) for *_, array in expected
        ]
        for got, want in zip(series.values, numbers, strict=True):
            assert got == want or (math.isnan(got) and math.isnan(want))


def test_mixed_shapes_in_one_run(logdir):
    """Scalars interleaved with other values, events with two values, step 0 and no wall time."""
    two = Summary(
        value=[Summary.Value(tag="p", simple_value=1.0), Summary.Value(tag="q", simple_value=2.0)]
    )
    batch = []
    for step in range(50):
        batch.append(
            Event(step=step, summary=Summary(value=[Summary.Value(tag="p", simple_value=step)]))
        )
        if step % 10 == 0:
            batch.append(Event(wall_time=5.0, step=step, summary=two))
            histo = Summary.Value(tag="h")
            histo.histo.bucket_limit.append(1.0)
            histo.histo.bucket.append(float(step + 1))
            histo.histo.max = 1.0
            batch.append(Event(step=step, summary=Summary(value=[histo])))
    path = write_events(logdir, batch)
    reference = loader_values(path)
    run = load(logdir)["."]
    for tag in ("p", "q", "h"):
        assert list(run[tag].steps) == [step for step, _, _ in reference[tag]]
        assert list(run[tag].wall_times) == [wall for _, wall, _ in reference[tag]]
    assert list(run["p"].values[:3]) == [0.0, 1.0, 1.0]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.binary(max_size=300), max_size=30), st.integers(1, 700), st.integers(0, 40))
def test_frames_equal_records_at_any_chunk_size(payloads, chunk, cut):
    from summary.wire.records import frame_record

    data = b"".join(frame_record(p) for p in payloads)
    data = data[: max(0, len(data) - cut)]  # often a partial last record
    expected = list(iter_records("f", io.BytesIO(data)))
    got = [
        (offset, bytes(buffer[start:end]))
        for buffer, start, end, offset in iter_frames(io.BytesIO(data), "f", chunk_bytes=chunk)
    ]
    assert got == expected


def test_file_without_tfevents_name_is_read_directly(logdir):
    os.makedirs(logdir)
    path = write_events(
        logdir, [Event(step=3, summary=Summary(value=[Summary.Value(tag="z", simple_value=4.0)]))]
    )
    assert list(load(path)["."]["z"].values) == [4.0]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.binary(max_size=2000), min_size=1, max_size=8), st.booleans())
def test_any_payload_bytes_never_crash_load(tmp_path_factory, payloads, filtered):
    """Checksum-valid records holding arbitrary bytes: load reports or reads, never raises."""
    import warnings

    from summary.reader import CorruptRecordWarning
    from summary.wire.records import frame_record

    logdir = tmp_path_factory.mktemp("junk")
    (logdir / "events.out.tfevents.1.junk").write_bytes(b"".join(map(frame_record, payloads)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CorruptRecordWarning)
        warnings.simplefilter("ignore", UserWarning)
        data = load(str(logdir), tags="x*" if filtered else None, values=not filtered)
        for series in data.series():
            _ = series.values


def test_lying_length_is_reported_not_allocated(logdir):
    import warnings

    from summary.reader import CorruptRecordError, CorruptRecordWarning
    from summary.wire.records import frame_record, record_header

    os.makedirs(logdir)
    path = os.path.join(logdir, "events.out.tfevents.1.liar")
    good = frame_record(
        bytes(
            Event(
                step=1, summary=Summary(value=[Summary.Value(tag="a", simple_value=1.0)])
            ).SerializeToString()
        )
    )
    with open(path, "wb") as handle:
        handle.write(good + record_header(1 << 40) + b"\0" * 100)
    with pytest.warns(CorruptRecordWarning, match="over 2 GiB"):
        assert list(load(logdir, index="ignore")["."]["a"].steps) == [1]
    with pytest.raises(CorruptRecordError):
        list(iter_frames(open(path, "rb"), path))
    with open(path, "wb") as handle:  # a plausible length past the end: a partial tail
        handle.write(good + record_header(1 << 30) + b"\0" * 100)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert list(load(logdir, index="ignore")["."]["a"].steps) == [1]
