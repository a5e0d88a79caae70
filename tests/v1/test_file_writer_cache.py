"""summary.v1.FileWriterCache: one FileWriter per logdir, closed by clear()."""

from __future__ import annotations

import pytest

from summary import v1
from summary.writer.errors import WriterClosedError


def test_one_writer_per_logdir_and_clear_closes(tmp_path):
    first = v1.FileWriterCache.get(tmp_path / "a")
    assert v1.FileWriterCache.get(str(tmp_path / "a")) is first
    other = v1.FileWriterCache.get(tmp_path / "b")
    assert other is not first and other.get_logdir() == str(tmp_path / "b")
    v1.FileWriterCache.clear()
    with pytest.raises(WriterClosedError):
        first.add_summary(v1.scalar_pb("x", 1.0), 1)
    fresh = v1.FileWriterCache.get(tmp_path / "a")
    assert fresh is not first
    v1.FileWriterCache.clear()
