"""The reader against hostile input: random bytes, every truncation, every single-bit flip,
lying length fields, hostile payloads, odd directory entries. It never crashes (only
CorruptRecordError, naming file and offset), never hangs, never allocates what a length field
claims; it keeps every record before the damage. Longer runs: `python
tests/reliability/fuzz_reader.py --seconds N`."""

from __future__ import annotations

import os
import re
import struct
import subprocess
import sys
import tracemalloc
import warnings
from collections import Counter

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import summary
from summary.proto import event_pb2
from summary.reader import CorruptRecordError, CorruptRecordWarning, iter_events, load
from summary.reader.record_reader import iter_records
from summary.wire.records import frame_record, masked_crc32c
from tests.listing import without_indexes

TALLY: Counter = Counter()  # figures for the report: inputs tried, bytes of corruption


@pytest.fixture(scope="module", autouse=True)
def report_tally():
    yield
    print(f"\nhostile reader inputs: {dict(TALLY)}")


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    return tmp_path_factory.mktemp("hostile")


@pytest.fixture(scope="module")
def valid_file(tmp_path_factory) -> bytes:
    """A real event file: scalars, arrays of several sizes, text."""
    logdir = str(tmp_path_factory.mktemp("valid"))
    with summary.create_file_writer(logdir).as_default() as writer:
        for step in range(6):
            summary.scalar("loss", 1.0 / (step + 1), step=step)
            summary.write("array", np.arange(step * 7, dtype=np.float32), step=step)
        summary.write("text", np.array([b"hello", b"world"]), step=6)
    writer.close()
    (name,) = without_indexes(os.listdir(logdir))
    with open(os.path.join(logdir, name), "rb") as handle:
        return handle.read()


def record_offsets(data: bytes) -> list[int]:
    """Start of each record, from the length fields (an independent walk of the framing)."""
    offsets, offset = [], 0
    while offset + 12 <= len(data):
        offsets.append(offset)
        offset += 16 + struct.unpack_from("<Q", data, offset)[0]
    return offsets


def read(path: str) -> tuple[list[event_pb2.Event], CorruptRecordError | None]:
    """Every event before the first corrupt record, and the error (if any)."""
    events: list[event_pb2.Event] = []
    try:
        for event in iter_events(path, on_corruption="raise"):
            events.append(event)
    except CorruptRecordError as error:
        return events, error
    return events, None


def put(directory, data: bytes, name: str = "events.out.tfevents.1.host.1.1.v2") -> str:
    path = os.path.join(str(directory), name)
    with open(path, "wb") as handle:
        handle.write(data)
    return path


def check_quietly_readable(directory, path: str) -> None:
    """The other reading modes and the loader also just end (no exception but our own)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CorruptRecordWarning)
        list(iter_events(path))
    list(iter_events(path, on_corruption="ignore"))
    try:
        load(str(directory), on_corruption="raise")
    except CorruptRecordError:
        pass


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=2048))
def test_random_bytes(scratch, data):
    path = put(scratch, data)
    events, error = read(path)
    if error is not None:
        assert error.path == path and 0 <= error.offset < len(data)
    check_quietly_readable(scratch, path)
    TALLY["random files"] += 1
    TALLY["random bytes"] += len(data)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(garbage=st.binary(min_size=1, max_size=512))
def test_valid_records_then_garbage_keep_every_valid_record(scratch, valid_file, garbage):
    path = put(scratch, valid_file + garbage)
    full, _ = read(put(scratch, valid_file, "events.out.tfevents.full"))
    os.remove(os.path.join(str(scratch), "events.out.tfevents.full"))
    events, error = read(path)
    assert events[: len(full)] == full
    if error is not None:
        assert error.offset >= len(valid_file)
    TALLY["garbage tails"] += 1
    TALLY["random bytes"] += len(garbage)


def test_every_truncation_reads_a_clean_prefix(scratch, valid_file):
    full, error = read(put(scratch, valid_file))
    assert error is None
    for cut in range(len(valid_file) + 1):
        events, error = read(put(scratch, valid_file[:cut]))
        assert error is None, cut  # a torn tail is the end of the file, not corruption
        assert events == full[: len(events)]
        ends = [o for o in record_offsets(valid_file) + [len(valid_file)] if o <= cut]
        assert len(events) == len(ends) - 1  # every whole record before the cut is there
    TALLY["truncations"] += len(valid_file) + 1


def test_every_single_bit_flip_is_caught_at_its_record(scratch, valid_file):
    full, _ = read(put(scratch, valid_file))
    offsets = record_offsets(valid_file)
    for position in range(len(valid_file)):
        record = max(i for i, start in enumerate(offsets) if start <= position)
        for bit in range(8):
            flipped = bytearray(valid_file)
            flipped[position] ^= 1 << bit
            path = put(scratch, bytes(flipped))
            events, error = read(path)
            assert error is not None and error.offset == offsets[record], (position, bit)
            assert error.path == path and f"byte offset {offsets[record]}" in str(error)
            assert events == full[:record]
    TALLY["bit flips"] += 8 * len(valid_file)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_overwrites_keep_the_records_before_the_damage(scratch, valid_file, data):
    damaged = bytearray(valid_file)
    start = data.draw(st.integers(0, len(valid_file) - 1))
    patch = data.draw(st.binary(min_size=1, max_size=64))
    damaged[start : start + len(patch)] = patch
    changed = [i for i in range(min(len(damaged), len(valid_file))) if damaged[i] != valid_file[i]]
    if len(damaged) != len(valid_file):
        changed.append(min(len(damaged), len(valid_file)))
    if not changed:
        return
    full, _ = read(put(scratch, valid_file))
    offsets = record_offsets(valid_file)
    first = max(i for i, o in enumerate(offsets) if o <= changed[0])
    events, error = read(put(scratch, bytes(damaged)))
    assert events[:first] == full[:first]
    if error is not None:
        assert error.offset >= offsets[first]
    TALLY["overwrites"] += 1
    TALLY["bytes overwritten"] += len(patch)


@pytest.mark.parametrize("claimed", [2**31 + 1, 2**32, 2**40, 2**63, 2**64 - 1])
def test_a_huge_length_with_a_valid_checksum_allocates_nothing(scratch, claimed):
    size = struct.pack("<Q", claimed)
    header = size + struct.pack("<I", masked_crc32c(size))
    path = put(scratch, frame_record(b"") + header + b"x" * 100)
    tracemalloc.start()
    try:
        events, error = read(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1 << 20
    assert len(events) == 1 and error is not None
    assert error.offset == 16 and "over 2 GiB" in str(error)
    TALLY["lying lengths"] += 1


class Unsized:
    """A stream that cannot say its size (no fileno): reading must still allocate little."""

    def __init__(self, data: bytes) -> None:
        self._data, self._pos = data, 0

    def read(self, n: int) -> bytes:
        chunk = self._data[self._pos : self._pos + n]
        self._pos += len(chunk)
        return chunk


def test_a_plausible_length_past_the_end_is_a_torn_tail_even_without_a_size(scratch):
    size = struct.pack("<Q", 2**31 - 1)  # the largest length we accept
    data = frame_record(b"\x09" + bytes(8)) + size + struct.pack("<I", masked_crc32c(size))
    data += b"y" * 1000
    path = put(scratch, data)
    for stream in (None, Unsized(data)):
        tracemalloc.start()
        try:
            records = list(iter_records(path, stream))
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert [offset for offset, _ in records] == [0]
        assert peak < 1 << 20
    TALLY["lying lengths"] += 2


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(payload=st.binary(max_size=512))
def test_checksum_valid_records_with_hostile_payloads(scratch, payload):
    path = put(scratch, frame_record(payload))
    events, error = read(path)
    if error is None:
        assert len(events) == 1
    else:
        assert error.offset == 0 and "not an Event" in str(error)
    check_quietly_readable(scratch, path)
    TALLY["hostile payloads"] += 1


def key(field: int, wire_type: int) -> bytes:
    return bytes([field << 3 | wire_type])


def length_delimited(field: int, payload: bytes) -> bytes:
    size, out = len(payload), bytearray()
    while size >= 0x80:
        out.append(size & 0x7F | 0x80)
        size >>= 7
    out.append(size)
    return key(field, 2) + bytes(out) + payload


def nested_tensors(depth: int) -> bytes:
    """Event.summary.value.tensor.variant_val.tensors.variant_val... `depth` levels deep."""
    tensor = b""
    for _ in range(depth):  # TensorProto.variant_val (15) -> VariantTensorDataProto.tensors (3)
        tensor = length_delimited(15, length_delimited(3, tensor))
    value = length_delimited(8, tensor)
    return length_delimited(5, length_delimited(1, value))


@pytest.mark.parametrize(
    "payload",
    [nested_tensors(5000), key(1, 3) * 100_000, key(9, 3) * 100_000 + key(9, 4) * 100_000],
    ids=["nested-messages", "unclosed-groups", "nested-groups"],
)
def test_deeply_nested_payloads_are_corruption_not_a_crash(scratch, payload):
    path = put(
        scratch, frame_record(event_pb2.Event(step=1).SerializeToString()) + frame_record(payload)
    )
    events, error = read(path)
    assert [e.step for e in events] == [1]
    assert error is not None and error.offset == 16 + len(
        event_pb2.Event(step=1).SerializeToString()
    )
    TALLY["hostile payloads"] += 1


def test_empty_files_and_odd_directory_entries(tmp_path, valid_file):
    logdir = tmp_path / "logs"
    run = logdir / "run"
    run.mkdir(parents=True)
    put(run, valid_file, "events.out.tfevents.2.host.1.2.v2")
    put(run, b"", "events.out.tfevents.1.host.1.1.v2")  # empty: nothing, quietly
    put(run, b"\x01\x02", "events.out.tfevents.3.host.1.3.v2")  # a torn header
    (run / "events.out.tfevents.4.dir").mkdir()  # a directory named like an event file
    os.mkfifo(run / "events.out.tfevents.5.fifo")  # reading it would block forever
    os.symlink(run / "missing", run / "events.out.tfevents.6.dangling")
    os.symlink(run / "events.out.tfevents.7.loop", run / "events.out.tfevents.7.loop")
    full, _ = read(put(tmp_path, valid_file))
    events, error = read(str(logdir))
    assert error is None and events == full
    assert list(iter_events(str(run / "events.out.tfevents.4.dir"))) == []
    assert list(load(str(logdir), on_corruption="raise")) == ["run"]
    TALLY["odd entries"] += 7


def test_the_fuzz_command_runs(tmp_path):
    """`fuzz_reader.py` (the long, separate run) still works: three seconds of it."""
    script = os.path.join(os.path.dirname(__file__), "fuzz_reader.py")
    result = subprocess.run(
        [sys.executable, script, "--seconds", "3", "--engine", "random", "--seed", "1"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    inputs = int(re.search(r"(\d+) inputs", result.stdout)[1])
    assert inputs > 100
    TALLY["fuzz inputs (3 s)"] += inputs
