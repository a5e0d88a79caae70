"""summary.v1.FileWriter: files read back by TensorBoard's own loader, after its conversion of
legacy values (simple_value, histo, image, audio) to tensors."""

import io
import os
import re
import socket
import wave

import numpy as np
import pytest
from PIL import Image

import summary
from summary import v1
from summary.proto import event_pb2, graph_pb2, summary_pb2
from summary.reader import iter_events
from tests.listing import without_indexes
from tests.tensorboard_loader import accumulator, multiplexer, plugin_of, scalar_series, values
from tests.v1.tf1_reference import (
    f32,
    tensorboard_histogram_rows,
    tf1_histogram,
    tf1_image_pixels,
    tf1_pr_curve,
    tf1_wav_sample,
)

NAME = re.compile(r"^events\.out\.tfevents\.\d{10}\.(?P<host>.+)\.(?P<pid>\d+)\.\d+$")


def summaries(logdir):
    return [e for e in iter_events(logdir) if e.HasField("summary")]


def test_file_name_has_no_v2_suffix_and_first_event_is_the_version(logdir):
    with v1.FileWriter(logdir) as writer:
        assert writer.get_logdir() == logdir
    (name,) = without_indexes(os.listdir(logdir))
    match = NAME.match(name)
    assert match and match["host"] == socket.gethostname() and int(match["pid"]) == os.getpid()
    assert [e.file_version for e in iter_events(logdir)] == ["brain.Event:2"]
    with v1.FileWriter(logdir + "2", filename_suffix=".tf1"):
        pass
    assert without_indexes(os.listdir(logdir + "2"))[0].endswith(".tf1")


def test_every_legacy_type_lands_in_the_right_plugin_with_the_right_values(logdir):
    rng = np.random.default_rng(3)
    weights = rng.normal(size=200)
    images = rng.uniform(0, 1, size=(2, 3, 4, 3)).astype(np.float32)
    clip = rng.uniform(-1, 1, size=(1, 40)).astype(np.float32)
    labels, predictions = [True, False, True, False], [0.8, 0.6, 0.3, 0.1]
    with v1.FileWriter(logdir) as writer:
        for step in range(3):
            writer.add_summary(v1.scalar_pb("loss", 1.0 / (step + 1)), global_step=step)
        writer.add_summary(v1.histogram_pb("weights", weights), 5)
        writer.add_summary(v1.image_pb("inputs", images, max_outputs=2).SerializeToString(), 5)
        writer.add_summary(v1.audio_pb("sound", clip, 8000, max_outputs=1), 5)
        writer.add_summary(v1.text_pb("notes", "**hi**"), 5)
        writer.add_summary(v1.pr_curve_pb("pr", labels, predictions, num_thresholds=5), 5)
    acc = accumulator(logdir)

    assert plugin_of(acc, "loss") == "scalars"
    assert scalar_series(acc, "loss") == {0: 1.0, 1: f32(0.5), 2: f32(1 / 3)}

    assert plugin_of(acc, "weights") == "histograms"
    ((step, _, rows),) = values(acc, "weights")
    assert step == 5
    assert rows.tolist() == tensorboard_histogram_rows(tf1_histogram(weights.tolist()))

    for i in range(2):
        tag = f"inputs/image/{i}"
        assert plugin_of(acc, tag) == "images"
        ((_, _, blobs),) = values(acc, tag)
        assert blobs[0] == b"4" and blobs[1] == b"3"  # width, height
        png = np.asarray(Image.open(io.BytesIO(blobs[2])))
        assert png.tolist() == tf1_image_pixels(images[i].tolist(), "float32")

    assert plugin_of(acc, "sound/audio") == "audio"
    ((_, _, blobs),) = values(acc, "sound/audio")
    with wave.open(io.BytesIO(blobs[0])) as read:  # TensorBoard keeps the WAV column only
        assert read.getframerate() == 8000 and read.getnchannels() == 1
        samples = np.frombuffer(read.readframes(40), "<i2").tolist()
    assert samples == [tf1_wav_sample(x) for x in clip[0].tolist()]

    assert plugin_of(acc, "notes") == "text"
    ((_, _, text),) = values(acc, "notes")
    assert text.item() == b"**hi**"

    assert plugin_of(acc, "pr/pr_curves") == "pr_curves"
    ((_, _, curve),) = values(acc, "pr/pr_curves")
    assert curve.tolist() == tf1_pr_curve(labels, predictions, 5)


def test_metadata_only_on_the_first_value_of_each_tag_and_plugins_still_right(logdir):
    with v1.FileWriter(logdir) as writer:
        for step in range(4):
            merged = v1.merge(
                [
                    v1.text_pb("notes", f"step {step}"),
                    v1.scalar_pb("loss", step, description="the loss"),
                    v1.pr_curve_pb("pr", [True, False], [0.9, 0.2], num_thresholds=3),
                ]
            )
            writer.add_summary(merged, global_step=step)
    with_metadata = [
        [v.tag for v in e.summary.value if v.HasField("metadata")] for e in summaries(logdir)
    ]
    assert with_metadata == [["notes", "loss", "pr/pr_curves"], [], [], []]
    acc = accumulator(logdir)
    assert [plugin_of(acc, t) for t in ("notes", "loss", "pr/pr_curves")] == [
        "text",
        "scalars",
        "pr_curves",
    ]
    assert [s for s, _, _ in values(acc, "notes")] == [0, 1, 2, 3]
    assert values(acc, "notes")[3][2].item() == b"step 3"
    assert acc.SummaryMetadata("loss").summary_description == "the loss"


def test_metadata_strip_leaves_the_callers_summary_alone(logdir):
    text = v1.text_pb("notes", "x")
    with v1.FileWriter(logdir) as writer:
        writer.add_summary(text, 0)
        writer.add_summary(text, 1)
    assert text.value[0].HasField("metadata")


def test_reopen_starts_a_new_file_that_gets_metadata_again(logdir):
    writer = v1.FileWriter(logdir)
    writer.add_summary(v1.text_pb("notes", "a"), 0)
    writer.add_summary(v1.text_pb("notes", "b"), 1)
    writer.close()
    writer.close()  # twice is fine
    assert writer.get_logdir() == logdir
    with pytest.raises(summary.WriterClosedError, match="reopen"):
        writer.add_summary(v1.text_pb("notes", "c"), 2)
    writer.reopen()
    writer.add_summary(v1.text_pb("notes", "c"), 2)
    writer.close()
    files = sorted(without_indexes(os.listdir(logdir)))
    assert len(files) == 2
    for name, expected in zip(files, [[True, False], [True]], strict=True):
        events = summaries(os.path.join(logdir, name))
        assert [e.summary.value[0].HasField("metadata") for e in events] == expected
    assert [s for s, _, _ in values(accumulator(logdir), "notes")] == [0, 1, 2]


def test_graph_session_log_event_and_run_metadata(logdir):
    g = v1.Graph()
    with g.as_default():
        v1.scalar("loss", v1.placeholder("loss"))
    graph_def = graph_pb2.GraphDef()
    graph_def.node.add(name="extra", op="Const")
    with v1.FileWriter(logdir, graph=g) as writer:
        writer.add_graph(graph_def, global_step=3)
        writer.add_session_log(event_pb2.SessionLog(status=event_pb2.SessionLog.START), 4)
        event = event_pb2.Event(wall_time=12.5, step=9, file_version="custom")
        writer.add_event(event.SerializeToString())
        writer.add_run_metadata(b"", "step_9", global_step=9)
        with pytest.raises(ValueError, match="'step_9'.*already used"):
            writer.add_run_metadata(b"", "step_9")
    events = list(iter_events(logdir))[1:]
    first_graph = graph_pb2.GraphDef.FromString(events[0].graph_def)
    assert [n.name for n in first_graph.node] == ["loss", "loss_1"]
    assert events[1].step == 3 and graph_pb2.GraphDef.FromString(events[1].graph_def) == graph_def
    assert events[2].session_log.status == event_pb2.SessionLog.START and events[2].step == 4
    assert events[3] == event  # written as given
    assert events[4].tagged_run_metadata.tag == "step_9" and events[4].step == 9
    mux = multiplexer(logdir)
    assert mux.Graph(".") is not None


def test_add_summary_errors_are_clear(logdir):
    with v1.FileWriter(logdir) as writer:
        with pytest.raises(ValueError, match=r"summary\.v1\.FileWriter\.add_summary: .*Summary"):
            writer.add_summary(b"\xff\xff")
        with pytest.raises(TypeError, match="Summary message or serialized bytes"):
            writer.add_summary({"loss": 1})
        with pytest.raises(TypeError, match=r"add_summary\('loss'\): step must be an integer"):
            writer.add_summary(v1.scalar_pb("loss", 1.0), global_step="seven")
        with pytest.raises(TypeError, match="must be a Summary, got a"):
            writer.add_summary(event_pb2.Event())
    with pytest.raises(ValueError, match="max_queue must be a positive int"):
        v1.FileWriter(logdir, max_queue=0)
    with pytest.raises(ValueError, match="flush_secs must be positive"):
        v1.FileWriter(logdir, flush_secs=0)
    assert [e for e in summaries(logdir)] == []  # the rejected calls wrote nothing


def test_flush_makes_summaries_visible(logdir):
    writer = v1.FileWriter(logdir, flush_secs=120)
    writer.add_summary(v1.scalar_pb("x", 1.0), 1)
    writer.flush()
    assert scalar_series(accumulator(logdir), "x") == {1: 1.0}
    writer.close()


def test_summaries_of_tensorboards_own_protos_are_accepted(logdir):
    from tensorboard.compat.proto import summary_pb2 as tb_summary_pb2

    theirs = tb_summary_pb2.Summary()
    theirs.value.add(tag="theirs", simple_value=4.0)
    with v1.FileWriter(logdir) as writer:
        writer.add_summary(theirs, 2)
        writer.add_summary(summary_pb2.Summary(), 3)  # empty is fine
    assert scalar_series(accumulator(logdir), "theirs") == {2: 4.0}


def test_metadata_once_per_tag_across_v2_ops_and_file_writer_in_one_file(tmp_path):
    logdir = str(tmp_path / "mixed")
    writer = summary.create_file_writer(logdir)
    legacy = v1.FileWriter(logdir)  # the same logdir: one shared file
    with writer.as_default():
        summary.text("notes", "from the v2 op", step=0)
    legacy.add_summary(v1.text_pb("notes", "from v1"), global_step=1)
    legacy.add_summary(v1.text_pb("other", "first of its tag"), global_step=1)
    legacy.close()
    writer.close()
    with_metadata = [
        (event.step, value.tag)
        for event in iter_events(logdir)
        for value in event.summary.value
        if value.HasField("metadata")
    ]
    assert with_metadata == [(0, "notes"), (1, "other")]
