"""v2 ops called inside `Graph.as_default()` are deferred and run by `Session.run`."""

import threading

import numpy as np
import pytest

import summary
from summary import v1
from summary.writer import context
from tests.tensorboard_loader import accumulator, plugin_of, scalar_series, values


def test_v2_ops_are_deferred_and_written_by_one_run(logdir):
    writer = summary.create_file_writer(logdir)
    g = v1.Graph()
    with g.as_default(), writer.as_default():
        loss = v1.placeholder("loss")
        step = v1.placeholder("step")
        assert summary.scalar("loss", loss, step=step) is False  # recorded, not written
        summary.histogram("w", np.arange(10.0), step=step)
        summary.text("note", "hello", step=step)
        ops = v1.all_v2_summary_ops()
    assert [op.op_type for op in ops] == ["summary.scalar", "summary.histogram", "summary.text"]
    writer.flush()
    assert accumulator(logdir).Tags()["tensors"] == []  # nothing written at build time
    with v1.Session(g) as sess:
        for i in range(4):
            assert sess.run(ops, feed_dict={loss: 1.0 / (i + 1), step: i}) == [True] * 3
    writer.close()
    acc = accumulator(logdir)
    assert scalar_series(acc, "loss") == {i: pytest.approx(1.0 / (i + 1)) for i in range(4)}
    assert [plugin_of(acc, t) for t in ("loss", "w", "note")] == ["scalars", "histograms", "text"]
    assert [step for step, _, _ in values(acc, "w")] == [0, 1, 2, 3]


def test_outside_the_graph_v2_ops_write_at_once(logdir):
    g = v1.Graph()
    with g.as_default():
        pass
    with summary.create_file_writer(logdir).as_default():
        assert summary.scalar("now", 1.0, step=0) is True
    assert v1.all_v2_summary_ops() == []


def test_name_scope_and_record_if_of_build_time_apply_at_run_time(logdir):
    writer = summary.create_file_writer(logdir)
    allow = [False]
    g = v1.Graph()
    with g.as_default(), writer.as_default(step=3):
        with summary.name_scope("train"), summary.record_if(lambda: allow[0]):
            summary.scalar("loss", 0.5)
        ops = v1.all_v2_summary_ops()
    with v1.Session(g) as sess:
        with summary.name_scope("elsewhere"):
            assert sess.run(ops) == [False]  # the build-time condition holds at run time
            allow[0] = True
            assert sess.run(ops) == [True]
    writer.close()
    acc = accumulator(logdir)
    assert scalar_series(acc, "train/loss") == {3: 0.5}  # build-time scope and step


def test_run_time_default_writer_when_none_at_build_time(logdir):
    g = v1.Graph()
    with g.as_default():
        summary.scalar("late", 2.0, step=1)
        ops = v1.all_v2_summary_ops()
    assert v1.Session(g).run(ops) == [False]  # no writer anywhere: nothing written
    with summary.create_file_writer(logdir) as writer:
        with writer.as_default():
            assert v1.Session(g).run(ops) == [True]
    assert scalar_series(accumulator(logdir), "late") == {1: 2.0}


def test_run_time_step_wins_over_the_build_time_default(logdir):
    writer = summary.create_file_writer(logdir)
    g = v1.Graph()
    with g.as_default(), writer.as_default():
        summary.scalar("x", 1.0)  # step=None: the default step when it runs
        ops = v1.all_v2_summary_ops()
    with v1.Session(g) as sess:
        for step in (5, 6):
            summary.experimental.set_step(step)
            sess.run(ops)
    writer.close()
    assert scalar_series(accumulator(logdir), "x") == {5: 1.0, 6: 1.0}


def test_capture_is_per_thread(logdir):
    writer = summary.create_file_writer(logdir)
    results = []
    g = v1.Graph()
    inside, done = threading.Event(), threading.Event()

    def other_thread():
        inside.wait(5)
        with writer.as_default(step=0):
            results.append(summary.scalar("other", 1.0))
        done.set()

    thread = threading.Thread(target=other_thread)
    thread.start()
    with g.as_default():
        inside.set()
        done.wait(5)
        summary.scalar("mine", 1.0, step=0)
    thread.join()
    writer.close()
    assert results == [True]
    with g.as_default():
        assert [op.name for op in v1.all_v2_summary_ops()] == ["mine"]


def test_bad_v2_arguments_fail_when_run_naming_the_op(logdir):
    with summary.create_file_writer(logdir) as writer:
        g = v1.Graph()
        with g.as_default(), writer.as_default():
            x = v1.placeholder("x")
            summary.scalar("loss", x, step=0)
            ops = v1.all_v2_summary_ops()
        with pytest.raises(ValueError, match=r"summary\.scalar\('loss'\)"):
            v1.Session(g).run(ops, {x: [1.0, 2.0]})


def test_calls_naming_their_writer_are_not_deferred(logdir):
    writer = summary.SummaryWriter(logdir)
    g = v1.Graph()
    with g.as_default():
        writer.add_scalar("now", 1.0, 0)
        writer.add_histogram("hist_now", np.arange(4.0), 0)
        ops = v1.all_v2_summary_ops()
    writer.close()
    assert ops == []
    acc = accumulator(logdir)
    assert scalar_series(acc, "now") == {0: 1.0}
    assert plugin_of(acc, "hist_now") == "histograms"


def _not_module_level_op():
    def inner_op(name):
        return context.recording_writer()

    return inner_op


def test_a_function_that_cannot_be_deferred_says_so():
    op = _not_module_level_op()
    with v1.Graph().as_default():
        with pytest.raises(RuntimeError, match=r"not a declared op.*cannot be deferred"):
            op("x")
    assert op("x") is None  # outside the graph it simply finds no writer


def test_a_v2_op_in_a_v1_graph_reads_a_zero_arg_callable_at_run_time(logdir):
    weights = [np.zeros(4)]
    g = v1.Graph()
    with summary.create_file_writer(logdir) as writer:
        with g.as_default(), writer.as_default():
            summary.histogram("w", lambda: weights[0], step=3)
            ops = v1.all_v2_summary_ops()
        weights[0] = np.arange(4.0)  # the value at run time is the one written
        with v1.Session(g) as sess:
            assert sess.run(ops) == [True]
    ((step, _, table),) = values(accumulator(logdir), "w")
    assert step == 3 and table[:, 2].sum() == 4 and table[0, 0] == 0.0 and table[-1, 1] == 3.0
