"""The writer end to end: what reaches the file, read back by TensorBoard's own loader."""

import os
import re
import socket
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pytest

import summary
from summary.proto import event_pb2, summary_pb2
from summary.reader import iter_events
from tests.tensorboard_loader import accumulator, multiplexer, plugin_of, scalar_series, values

NAME = re.compile(
    r"^events\.out\.tfevents\.(?P<secs>\d{10})\.(?P<host>.+)\.(?P<pid>\d+)\.(?P<n>\d+)\.v2$"
)


def event_files(directory):
    return sorted(name for name in os.listdir(directory) if "tfevents" in name)


def test_file_name_pattern(logdir):
    before = int(time.time())
    with summary.create_file_writer(logdir):
        pass
    (name,) = event_files(logdir)
    match = NAME.match(name)
    assert match, name
    assert before <= int(match["secs"]) <= time.time()
    assert match["host"] == socket.gethostname()
    assert int(match["pid"]) == os.getpid()


def test_filename_suffix(logdir):
    with summary.create_file_writer(logdir, filename_suffix=".mine"):
        pass
    (name,) = event_files(logdir)
    assert name.endswith(".mine") and name.startswith("events.out.tfevents.")


def test_first_event_is_file_version_with_wall_time(logdir):
    before = time.time()
    writer = summary.create_file_writer(logdir)
    writer.close()
    events = list(iter_events(logdir))
    assert len(events) == 1
    assert events[0].file_version == "brain.Event:2"
    assert before - 1 <= events[0].wall_time <= time.time()


def test_tensorboard_reads_scalars_with_steps_and_wall_times(logdir):
    writer = summary.create_file_writer(logdir)
    times = []
    with writer.as_default():
        for step in range(50):
            before = time.time()
            assert summary.scalar("loss", 1.0 / (step + 1), step=step)
            times.append((before, time.time()))
        assert summary.scalar("acc", 0.5, step=7, description="top-1 accuracy")
    writer.close()
    acc = accumulator(logdir)
    assert plugin_of(acc, "loss") == "scalars"
    assert acc.SummaryMetadata("acc").summary_description == "top-1 accuracy"
    loaded = values(acc, "loss")
    assert [step for step, _, _ in loaded] == list(range(50))
    for (step, wall_time, value), (before, after) in zip(loaded, times, strict=True):
        assert before <= wall_time <= after
        assert value.dtype == np.float32 and value.shape == ()
        assert value == np.float32(1.0 / (step + 1))
    assert scalar_series(acc, "acc") == {7: 0.5}


def test_write_with_custom_metadata_as_message_and_bytes(logdir):
    metadata = summary_pb2.SummaryMetadata()
    metadata.plugin_data.plugin_name = "my_plugin"
    metadata.plugin_data.content = b"\x01\x02"
    with summary.create_file_writer(logdir).as_default() as writer:
        assert summary.write("custom", np.arange(6, dtype=np.int32).reshape(2, 3), 3, metadata)
        assert summary.write("raw", lambda: [1.5, 2.5], 4, metadata.SerializeToString())
        assert summary.write("text", np.array([b"a", b"bc"]), 5, metadata)
    writer.close()
    acc = accumulator(logdir)
    assert acc.PluginTagToContent("my_plugin") == {
        "custom": b"\x01\x02",
        "raw": b"\x01\x02",
        "text": b"\x01\x02",
    }
    ((step, _, value),) = values(acc, "custom")
    assert step == 3 and value.dtype == np.int32
    np.testing.assert_array_equal(value, [[0, 1, 2], [3, 4, 5]])
    ((step, _, value),) = values(acc, "raw")
    assert step == 4 and value.dtype == np.float32  # Python floats -> float32, as tf.constant
    np.testing.assert_array_equal(value, [1.5, 2.5])
    ((_, _, value),) = values(acc, "text")
    assert list(value) == [b"a", b"bc"]


def test_metadata_only_on_first_value_of_each_tag(logdir):
    with summary.create_file_writer(logdir) as writer:
        for step in range(3):
            summary.scalar("a", step, step=step)
            summary.scalar("b", step, step=step)
    writer.close()
    with_metadata = [
        value.tag
        for event in iter_events(logdir)
        for value in event.summary.value
        if value.HasField("metadata")
    ]
    assert with_metadata == ["a", "b"]


def test_flush_makes_events_visible_to_another_process(logdir):
    writer = summary.create_file_writer(logdir, flush_millis=600_000)
    with writer.as_default():
        for step in range(100):
            summary.scalar("x", step, step=step)
    writer.flush()
    code = textwrap.dedent(
        f"""
        from summary.reader import iter_events
        print(sum(len(e.summary.value) for e in iter_events({logdir!r})))
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "100"
    writer.close()


def test_close_twice_is_fine_and_writing_after_close_raises(logdir):
    writer = summary.create_file_writer(logdir)
    with writer.as_default():
        summary.scalar("x", 1.0, step=0)
        writer.close()
        writer.close()
        with pytest.raises(summary.WriterClosedError, match="closed"):
            summary.scalar("x", 2.0, step=1)
    writer.flush()
    assert [v.tag for e in iter_events(logdir) for v in e.summary.value] == ["x"]


def test_no_default_writer_returns_false_and_writes_nothing(logdir):
    writer = summary.create_file_writer(logdir)
    assert summary.scalar("x", 1.0, step=0) is False
    assert summary.write("y", [1.0], step=0) is False
    assert summary.should_record_summaries() is False
    writer.close()
    assert len(list(iter_events(logdir))) == 1


def test_record_if_false_writes_nothing(logdir):
    with summary.create_file_writer(logdir) as writer:
        with summary.record_if(False):
            assert summary.should_record_summaries() is False
            assert summary.scalar("x", 1.0, step=0) is False
        with summary.record_if(lambda: True):
            assert summary.scalar("y", 1.0, step=0) is True
    writer.close()
    assert [v.tag for e in iter_events(logdir) for v in e.summary.value] == ["y"]


def test_step_none_without_default_step_names_op_and_tag(logdir):
    with summary.create_file_writer(logdir):
        with pytest.raises(ValueError, match=r"summary\.scalar\('loss'\).*step"):
            summary.scalar("loss", 1.0)
        with pytest.raises(ValueError, match=r"summary\.write\('t'\).*step"):
            summary.write("t", [1.0])


def test_default_step_from_as_default_and_set_step(logdir):
    writer = summary.create_file_writer(logdir)
    with writer.as_default(step=5):
        summary.scalar("a", 1.0)
        summary.experimental.set_step(6)
        assert summary.experimental.get_step() == 6
        summary.scalar("b", 1.0)
    assert summary.experimental.get_step() is None
    summary.experimental.set_step(np.int64(9))
    with writer.as_default():
        summary.scalar("c", 1.0)
    writer.close()
    steps = {v.tag: e.step for e in iter_events(logdir) for v in e.summary.value}
    assert steps == {"a": 5, "b": 6, "c": 9}


def test_set_as_default_is_seen_by_other_threads(logdir):
    writer = summary.create_file_writer(logdir)
    writer.set_as_default(step=3)
    results = []
    thread = threading.Thread(target=lambda: results.append(summary.scalar("t", 1.0)))
    thread.start()
    thread.join()
    writer.close()
    assert results == [True]
    with pytest.raises(summary.WriterClosedError, match=r"summary\.scalar\('t'\).*closed"):
        summary.scalar("t", 2.0)  # a closed default writer is loud (issue 13), not a silent drop


def test_eight_threads_lose_nothing(logdir):
    writer = summary.create_file_writer(logdir)
    writer.set_as_default()

    def log(thread_index):
        for step in range(10_000):
            summary.scalar(f"thread_{thread_index}", step, step=step)

    threads = [threading.Thread(target=log, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    writer.close()
    acc = accumulator(logdir)
    for index in range(8):
        series = scalar_series(acc, f"thread_{index}")
        assert series == {step: float(step) for step in range(10_000)}


def test_two_writers_on_one_logdir_alternating_are_all_seen(logdir):
    first = summary.create_file_writer(logdir)
    second = summary.create_file_writer(logdir)
    for step in range(20):
        with first.as_default():
            summary.scalar("first", step, step=step)
        with second.as_default():
            summary.scalar("second", step, step=step)
    first.close()
    with second.as_default():
        summary.scalar("second", 20, step=20)
    second.close()
    assert len(event_files(logdir)) == 1
    mux = multiplexer(os.path.dirname(logdir))
    acc = mux.GetAccumulator("logs")
    assert scalar_series(acc, "first") == {s: float(s) for s in range(20)}
    assert scalar_series(acc, "second") == {s: float(s) for s in range(21)}


def test_a_writer_after_a_closed_one_starts_a_later_sorting_file(logdir):
    for step in range(12):
        with summary.create_file_writer(logdir).as_default() as writer:
            summary.scalar("x", step, step=step)
        writer.close()
    files = event_files(logdir)
    assert len(files) == 12
    assert files == sorted(files, key=lambda name: int(NAME.match(name)["n"]))
    acc = accumulator(logdir)
    assert scalar_series(acc, "x") == {s: float(s) for s in range(12)}


def _run_child(code, **kwargs):
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], **kwargs)


def test_sigkill_keeps_everything_older_than_flush_millis(logdir):
    child = _run_child(
        f"""
        import time, summary
        writer = summary.create_file_writer({logdir!r}, flush_millis=200)
        writer.set_as_default()
        step = 0
        while True:
            summary.scalar("t", 1.0, step=step)
            print(step, flush=True)  # logged: the parent notes when it hears of it
            step += 1
            time.sleep(0.001)
        """,
        stdout=subprocess.PIPE,
        text=True,
    )
    heard: list[tuple[int, float]] = []
    reader = threading.Thread(
        target=lambda: heard.extend((int(line), time.monotonic()) for line in child.stdout)
    )
    reader.start()
    started = time.monotonic()
    while not heard and time.monotonic() - started < 60:  # a loaded machine imports slowly
        time.sleep(0.01)
    time.sleep(1.5)
    kill_time = time.monotonic()
    child.kill()
    child.wait()
    reader.join()
    events = [e for e in iter_events(logdir, on_corruption="raise") if e.summary.value]
    assert [e.step for e in events] == list(range(len(events)))
    # A step heard of more than flush_millis (0.2 s) before the kill was logged earlier still, so
    # it must be on disk, however the child was scheduled.
    old_enough = [step for step, when in heard if when < kill_time - 0.2]
    assert old_enough, "the child logged nothing in time"
    assert len(events) > old_enough[-1]


def test_exit_without_close_loses_nothing(logdir):
    child = _run_child(
        f"""
        import summary
        writer = summary.create_file_writer({logdir!r}, flush_millis=600_000)
        with writer.as_default():
            for step in range(5000):
                summary.scalar("x", step, step=step)
        """
    )
    assert child.wait(60) == 0
    assert scalar_series(accumulator(logdir), "x") == {s: float(s) for s in range(5000)}


def test_event_proto_module_is_ours():
    assert event_pb2.Event.DESCRIPTOR.full_name.split(".")[0] not in ("tensorflow", "tensorboard")
