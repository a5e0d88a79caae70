"""Default step, name scopes and summary_scope, as TF 2.x defines them."""

import threading

import numpy as np
import pytest

import summary
from summary.writer import context


def test_summary_scope_keeps_tag_and_sanitizes_scope():
    with summary.name_scope("outer"):
        with summary.experimental.summary_scope("a b:c") as (tag, scope):
            assert tag == "outer/a b:c"
            assert scope == "outer/abc/"


def test_summary_scope_default_name():
    with summary.experimental.summary_scope(None, default_name="hist") as (tag, scope):
        assert (tag, scope) == ("hist", "hist/")


def test_name_scope_nests_and_unwinds():
    with summary.name_scope("train"):
        with summary.name_scope("inner") as scope:
            assert scope == "train/inner/"
            assert context.scoped_tag("loss") == "train/inner/loss"
        assert context.scoped_tag("loss") == "train/loss"
    assert context.scoped_tag("loss") == "loss"


def test_name_scope_is_per_thread():
    seen = []
    with summary.name_scope("main"):
        thread = threading.Thread(target=lambda: seen.append(context.scoped_tag("x")))
        thread.start()
        thread.join()
    assert seen == ["x"]


def test_scoped_ops_write_prefixed_tags(logdir):
    from summary.reader import iter_events

    with summary.create_file_writer(logdir) as writer:
        with summary.name_scope("train"):
            summary.scalar("loss", 1.0, step=0)
        summary.write("raw/tag", [1.0], step=0)
    writer.close()
    tags = [v.tag for e in iter_events(logdir) for v in e.summary.value]
    assert tags == ["train/loss", "raw/tag"]


@pytest.mark.parametrize("step", [3, np.int32(3), np.int64(3), 3.0, np.array(3)])
def test_steps_accepted(step):
    assert context.resolve_step("scalar", "t", step) == 3


@pytest.mark.parametrize(
    ("step", "error"),
    [(2.5, ValueError), ("3", TypeError), (2**63, ValueError), ([1], TypeError)],
)
def test_bad_steps_name_op_and_tag(step, error):
    with pytest.raises(error, match=r"summary\.scalar\('t'\)"):
        context.resolve_step("scalar", "t", step)


def test_callable_default_step_is_read_each_time():
    counter = iter(range(10))
    summary.experimental.set_step(lambda: next(counter))
    assert context.resolve_step("scalar", "t", None) == 0
    assert context.resolve_step("scalar", "t", None) == 1


def test_noop_writer_records_nothing():
    writer = summary.create_noop_writer()
    with writer.as_default(step=1):
        assert summary.should_record_summaries() is False
        assert summary.scalar("x", 1.0) is False
    writer.flush()
    writer.close()
    writer.init()
