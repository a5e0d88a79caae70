"""summary.trace_on / trace_off / trace_export: refused with a pointer, never a silent no-op."""

from __future__ import annotations

import pytest

import summary


def test_trace_on_and_export_point_to_graph():
    with pytest.raises(
        NotImplementedError, match=r"summary\.trace_on: .*summary\.graph.*add_graph"
    ):
        summary.trace_on(graph=True, profiler=False)
    summary.trace_off()  # harmless: nothing was started
    with pytest.raises(NotImplementedError, match=r"trace_export\('t'\): .*summary\.graph"):
        summary.trace_export("t", step=0)
