"""The index the writer keeps from what it encoded is the index a scan of its file builds: the
same entries and metadata, bit for bit, across deleted files, short writes and every record kind."""

from __future__ import annotations

import os
import shutil
import time
import warnings

import numpy as np
import pytest

import summary
from summary import v1
from summary.proto import event_pb2, graph_pb2
from summary.reader import load
from summary.reader.indexed import build_index, index_path
from summary.wire import index_format
from summary.writer import registry
from summary.writer.sinks import LocalSink


class ShortWrites(LocalSink):
    """A real event file that takes 1 to 97 bytes per write (a new cap each time); the first
    one deletes itself at its 500th write, mid-record."""

    opened = 0

    def __init__(self, logdir: str, suffix: str) -> None:
        super().__init__(logdir, suffix)
        self.writes = 0
        ShortWrites.opened += 1
        self.first = ShortWrites.opened == 1

    def write(self, data: memoryview) -> int:
        self.writes += 1
        if self.first and self.writes == 500:
            os.remove(self.path)
        return super().write(data[: 1 + self.writes * 37 % 97])


RECORD = index_format.KIND_CODES["record"]


def _assert_same_index(written: bytes, built: bytes) -> None:
    """Two indexes of one event file decode to the same entries (tags by name; step, wall time
    and value bit for bit) and metadata, however their chunks are cut."""

    def decoded(data: bytes) -> tuple[list[str], np.ndarray, list[tuple], tuple[int, int, int]]:
        tags: list[str] = []
        names: list[str] = []
        metadata = []
        parts = []
        chunks = [chunk for _, chunk in index_format.iter_chunks(data)]
        for chunk in chunks:
            tags += chunk.tags
            names += [  # an event without values has tag 0, whatever tags exist yet
                tags[tag] if kind & 0x7F != RECORD else ""
                for tag, kind in chunk.entries[["tag", "kind"]].tolist()
            ]
            metadata += [(tags[m.tag], m.kind, m.offset, m.metadata) for m in chunk.metadata]
            parts.append(chunk.entries)
        last = chunks[-1]
        covered = (last.covered, last.last_offset, last.last_crc)
        return names, np.concatenate(parts), metadata, covered

    names, entries, metadata, covered = decoded(written)
    built_names, built_entries, built_metadata, built_covered = decoded(built)
    assert names == built_names
    assert metadata == built_metadata
    assert covered == built_covered
    for name in ("offset", "length", "kind", "step"):
        assert entries[name].tolist() == built_entries[name].tolist(), name
    for name in ("wall_time", "value"):  # bit for bit: a NaN equals only the same NaN
        assert entries[name].tobytes() == built_entries[name].tobytes(), name
    assert index_format.decode_header(written) == index_format.decode_header(built)


def _assert_indexes_match_a_scan(logdir, scratch) -> list[str]:
    """Each event file's index equals the one built from the file; returns the files."""
    paths = sorted(os.path.join(logdir, name) for name in os.listdir(logdir) if "tfevents" in name)
    for path in paths:
        with open(index_path(path), "rb") as handle:
            written = handle.read()
        copy = os.path.join(scratch, os.path.basename(path))
        shutil.copyfile(path, copy)
        assert build_index(copy)
        with open(index_path(copy), "rb") as handle:
            _assert_same_index(written, handle.read())
    return paths


def _same_load(logdir) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # neither a bad index nor a corrupt record
        scanned, indexed = load(logdir, index="ignore"), load(logdir)
    assert list(scanned) == list(indexed)
    for run in scanned:
        assert list(scanned[run]) == list(indexed[run])
        for tag in scanned[run]:
            a, b = scanned[run][tag], indexed[run][tag]
            assert a.plugin == b.plugin
            assert a.steps.tolist() == b.steps.tolist()
            assert a.wall_times.tobytes() == b.wall_times.tobytes()
            if isinstance(a.values, np.ndarray) and a.values.dtype.kind == "f":
                assert a.values.tobytes() == b.values.tobytes()  # NaN included
            elif isinstance(a.values, np.ndarray):
                assert np.array_equal(a.values, b.values)
            elif a.values is None:
                assert b.values is None
            else:
                assert all(np.array_equal(p, q) for p, q in zip(a.values, b.values, strict=True))


def _delete(logdir: str, name: str, writer) -> None:
    """Delete the event file being written; the writer says so and goes on in a new file."""
    os.remove(os.path.join(logdir, name))
    with writer.as_default():
        summary.scalar("loss", 0.5, step=0)
    with pytest.raises(summary.WriterError, match="was deleted"):
        writer.flush()


def _log_everything(logdir: str, writer, steps: range) -> None:
    """Values of every kind at `steps`, through the ops, SummaryWriter and the v1 FileWriter."""
    board = summary.SummaryWriter(logdir)
    legacy = v1.FileWriter(logdir)
    graph = graph_pb2.GraphDef()
    graph.node.add(name="x", op="Placeholder")
    with writer.as_default():
        for step in steps:
            summary.scalar("loss", 1.0 / (step + 1), step=step)
            summary.scalar("acc", step * 0.25, step=step, description="accuracy")
            summary.scalar("big", 1e40 if step % 2 else -3.5e38, step=step)  # float32: ±inf
            summary.scalar("nan", float("nan") if step % 3 else float("-inf"), step=step)
            board.add_scalar("board/loss", 2.0 * step, step)
            if step % 7 == 0:
                summary.write("tensor", np.arange(6, dtype=np.int32).reshape(2, 3), step=step)
                summary.image("image", np.full((1, 4, 4, 3), step % 255, np.uint8), step=step)
                summary.histogram("histogram", np.arange(10.0) + step, step=step)
                summary.text("text", f"step {step}", step=step)
                legacy.add_summary(v1.scalar_pb("legacy", float(step)), global_step=step)
                legacy.add_summary(v1.histogram_pb("legacy/h", np.arange(5.0)), global_step=step)
                legacy.add_session_log(event_pb2.SessionLog(status=1), step)
            if step % 11 == 0:
                summary.graph(graph)
    board.close()  # each gives back its use of the event file `writer` keeps open
    legacy.close()


def test_the_index_written_is_the_index_of_the_file(tmp_path):
    logdir = str(tmp_path / "run")
    writer = summary.create_file_writer(logdir, flush_millis=600_000)
    _log_everything(logdir, writer, range(0, 3000))
    writer.flush()
    (first,) = [name for name in os.listdir(logdir) if "tfevents" in name]
    _delete(logdir, first, writer)  # a new file starts, with each tag's metadata again
    _log_everything(logdir, writer, range(3000, 3100))
    writer.close()
    paths = _assert_indexes_match_a_scan(logdir, str(tmp_path))
    assert len(paths) == 1 and os.path.basename(paths[0]) != first
    _same_load(logdir)


def test_short_writes_and_a_file_deleted_mid_record_keep_the_index_exact(tmp_path, monkeypatch):
    monkeypatch.setattr(registry, "open_sink", ShortWrites)
    monkeypatch.setattr(ShortWrites, "opened", 0)
    logdir = str(tmp_path / "run")
    writer = summary.create_file_writer(logdir, flush_millis=600_000)
    errors = []
    with writer.as_default():
        for step in range(300):
            summary.scalar("loss", 1.0 / (step + 1), step=step)
            summary.image("image", np.full((1, 2, 2, 1), step % 256, np.uint8), step=step)
            summary.scalar("acc", float(step), step=step)
            if step % 10 == 0:
                try:
                    writer.flush()
                except summary.WriterError as error:
                    errors.append(str(error))
    writer.close()
    assert len(errors) == 1 and "was deleted" in errors[0]
    paths = _assert_indexes_match_a_scan(logdir, str(tmp_path))
    assert len(paths) == 1
    _same_load(logdir)


def _covered(path):
    from summary.reader.indexed import trusted_index

    found = trusted_index(path)
    return 0 if found is None else found.covered


def test_flush_returns_with_the_index_covering_the_file_and_an_idle_run_catches_up(tmp_path):
    writer = summary.create_file_writer(str(tmp_path / "flushed"), flush_millis=60_000)
    with writer.as_default():
        summary.scalar("loss", 1.0, step=0)
    writer.flush()
    (name,) = [f for f in os.listdir(tmp_path / "flushed") if "tfevents" in f]
    path = str(tmp_path / "flushed" / name)
    assert _covered(path) == os.path.getsize(path)
    with writer.as_default():
        for step in range(1, 5):
            summary.scalar("loss", float(step), step=step)
    writer.flush()
    assert _covered(path) == os.path.getsize(path)
    writer.close()

    idle = summary.create_file_writer(str(tmp_path / "idle"), flush_millis=50)
    with idle.as_default():
        summary.scalar("loss", 1.0, step=0)
        summary.scalar("loss", 2.0, step=1)
    (name,) = [f for f in os.listdir(tmp_path / "idle") if "tfevents" in f]
    path = str(tmp_path / "idle" / name)
    deadline = time.monotonic() + 30
    while _covered(path) < os.path.getsize(path) or os.path.getsize(path) == 0:
        assert time.monotonic() < deadline, "an idle run's index never caught up with its file"
        time.sleep(0.05)
    assert load(tmp_path / "idle", index="ignore")["."]["loss"].steps.tolist() == [0, 1]
    idle.close()
