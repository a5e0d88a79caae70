"""The packed Event prefix and varints equal protobuf's bytes at every varint length boundary."""

from __future__ import annotations

import pytest

from summary.proto import event_pb2
from summary.wire import encode
from summary.writer import context

BOUNDARIES = sorted(
    {0, 1, -1, -(2**63), 2**63 - 1}
    | {edge + delta for bits in range(7, 64, 7) for edge in (1 << bits,) for delta in (-1, 0, 1)}
)


@pytest.mark.parametrize("step", [s for s in BOUNDARIES if -(2**63) <= s < 2**63])
def test_event_prefix_equals_protobuf(step):
    expected = event_pb2.Event(wall_time=1.7e9 + 0.125, step=step).SerializeToString()
    assert encode.event_prefix(1.7e9 + 0.125, step) == expected


@pytest.mark.parametrize("value", [v for v in BOUNDARIES if 0 < v < 2**63] + [-1, -(2**63)])
def test_varint_equals_protobuf(value):
    serialized = event_pb2.Event(step=value).SerializeToString()  # 0 would be omitted
    assert encode.varint(value) == serialized[1:]  # after the field key 0x10


@pytest.mark.parametrize("name", ["loss", "a/b", "x" * 300])
def test_tag_for_is_check_name_then_scoped_tag(name):
    assert context.tag_for("scalar", name) == name
    with context.name_scope("train"):
        assert context.tag_for("scalar", name) == "train/" + name
        assert context.tag_for("scalar", name.encode()) == "train/" + name


def test_resolve_step_int_fast_path_keeps_the_int64_bounds():
    assert context.resolve_step("scalar", "t", 2**63 - 1) == 2**63 - 1
    with pytest.raises(ValueError, match="int64"):
        context.resolve_step("scalar", "t", 2**63)
    assert context.resolve_step("scalar", "t", True) == 1
