"""The index's column section (docs/index-format.md, version 3): every column round-trips bit for
bit at the narrowest width that holds it, and a reader refuses widths a column cannot have."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from summary.wire import index_format

NAMES = [name for name, _ in index_format.COLUMNS]


@st.composite
def column_sets(draw):
    count = draw(st.integers(0, 40))
    columns = {}
    for name, kind in index_format.COLUMNS:
        elements = None
        if name == "value" and draw(st.booleans()):  # float32 numbers widened, as scalars are
            narrow = draw(hnp.arrays(np.float32, count))
            columns[name] = narrow.astype(np.float64)
            continue
        if name in ("wall_time", "value"):  # any bit pattern: NaN payloads, infinities, -0.0
            bits = draw(hnp.arrays(np.int64, count))
            columns[name] = bits.view(np.float64)
            continue
        if name == "step" and draw(st.booleans()):
            elements = st.integers(-5, 5)  # steps close together: narrow differences
        columns[name] = draw(hnp.arrays(np.dtype(kind), count, elements=elements))
    return columns


@given(column_sets())
def test_columns_round_trip_bit_for_bit(columns):
    data = b"".join(index_format.encode_columns(columns))
    count = len(columns["length"])
    out = [np.empty(count, dtype=kind) for _, kind in index_format.COLUMNS]
    assert index_format.decode_columns(data, 0, out) == len(data)
    for name, decoded in zip(NAMES, out, strict=True):
        assert decoded.tobytes() == np.ascontiguousarray(columns[name]).tobytes(), name


def test_each_column_takes_the_fewest_bytes_that_hold_it():
    count = 1000
    columns = {
        "length": np.full(count, 40, np.uint32),
        "tag": np.arange(count, dtype=np.uint32) % 300,  # more than 255 tags: 2 bytes
        "kind": np.full(count, 0x82, np.uint8),
        "step": np.arange(count, dtype=np.int64) + 10**12,  # far from 0, but 1 apart
        "wall_time": 1.7e9 + np.arange(count) * 1e-6,  # a microsecond apart
        "value": np.linspace(0, 1, count, dtype=np.float32).astype(np.float64),
    }
    data = b"".join(index_format.encode_columns(columns))
    delta_firsts = 2 * 8  # step's and wall_time's first values
    assert len(data) == 6 + delta_firsts + count * (1 + 2 + 1 + 1 + 1 + 4)
    columns["value"][3] = 0.1  # not a float32: the column is stored as float64
    wider = b"".join(index_format.encode_columns(columns))
    assert len(wider) == len(data) + count * 4


@pytest.mark.parametrize("column, width", [("kind", 2), ("length", 8), ("step", 3), ("value", 2)])
def test_a_width_the_column_cannot_have_is_refused(column, width):
    count = 3
    columns = {name: np.zeros(count, dtype=kind) for name, kind in index_format.COLUMNS}
    parts = index_format.encode_columns(columns)
    at = 0
    for name in NAMES:  # find the column's width byte among the parts
        if name == column:
            break
        at += 3 if name in ("step", "wall_time") else 2
    parts[at] = bytes([width])
    out = [np.empty(count, dtype=kind) for _, kind in index_format.COLUMNS]
    with pytest.raises(index_format.IndexFormatError, match="bytes wide|cut short"):
        index_format.decode_columns(b"".join(parts), 0, out)


def test_a_cut_section_is_refused_and_a_bad_value_is_never_written():
    columns = {name: np.ones(4, dtype=kind) for name, kind in index_format.COLUMNS}
    data = b"".join(index_format.encode_columns(columns))
    out = [np.empty(4, dtype=kind) for _, kind in index_format.COLUMNS]
    for cut in (0, 1, 5, len(data) - 1):
        with pytest.raises(index_format.IndexFormatError, match="cut short"):
            index_format.decode_columns(data[:cut], 0, out)
    columns["length"] = np.array([1, 2, -1, 4], dtype=np.int64)  # a writer's bug
    with pytest.raises(ValueError, match="do not fit"):
        index_format.encode_columns(columns)
