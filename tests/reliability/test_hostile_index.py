"""Hostile indexes and changed event files, at random (hypothesis): `load` through the index never
crashes, hangs or differs from a scan wherever a change is one the checks can see — any edit of
the index; lies with valid checksums about where records are (lengths, SAME_RECORD flags), which
entries hold a number (HAS_VALUE), unknown kinds and tags, metadata that does not parse; and
truncating, appending to, or editing the first or last records of the event file. Lies about
which existing tag a record holds cannot be seen, but never crash."""

from __future__ import annotations

import os
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import summary
from summary.reader import IndexWarning, load
from summary.reader.indexed import index_path
from summary.wire import index_format, records
from tests.reader import index_lies

_SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _run(directory) -> tuple[str, bytes, bytes]:
    writer = summary.create_file_writer(str(directory))
    with writer.as_default():
        for step in range(120):
            summary.scalar("loss", 1.0 / (step + 1), step=step)
            if step % 40 == 0:
                summary.image("img", np.full((1, 2, 2, 3), step, np.uint8), step=step)
    writer.close()
    (name,) = [n for n in os.listdir(directory) if "tfevents" in n]
    path = os.path.join(directory, name)
    return path, open(path, "rb").read(), open(index_path(path), "rb").read()


def _compare(directory, samples=None) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for plugins in (None, "scalars", "images"):
            a, b = (
                load(directory, plugins=plugins, index="ignore", samples_per_plugin=samples),
                load(directory, plugins=plugins, samples_per_plugin=samples),
            )
            assert list(a) == list(b)
            for run in a:
                assert list(a[run]) == list(b[run])
                for tag in a[run]:
                    assert a[run][tag].steps.tolist() == b[run][tag].steps.tolist()
                    x, y = a[run][tag].raw, b[run][tag].raw
                    assert [np.asarray(v).tolist() for v in x] == [
                        np.asarray(v).tolist() for v in y
                    ]


def _pristine_index(tmp_path) -> tuple[str, str, bytes]:
    """The run (written once per test), its event file, and its index as written."""
    directory = tmp_path / "run"
    if not directory.exists():
        _run(directory)
    (name,) = [n for n in os.listdir(directory) if "tfevents" in n]
    path = os.path.join(directory, name)
    pristine = directory / "pristine"
    if not pristine.exists():
        pristine.write_bytes(open(index_path(path), "rb").read())
    return str(directory), path, pristine.read_bytes()


edits = st.lists(st.tuples(st.integers(0, 1 << 30), st.integers(1, 255)), min_size=1, max_size=4)


@_SETTINGS
@given(edits=edits, cut=st.one_of(st.none(), st.integers(0, 1 << 30)))
def test_any_edit_or_cut_of_the_index(tmp_path, edits, cut):
    directory, path, pristine = _pristine_index(tmp_path)
    data = bytearray(pristine)
    for at, mask in edits:
        data[at % len(data)] ^= mask
    if cut is not None:
        data = data[: cut % (len(data) + 1)]
    open(index_path(path), "wb").write(bytes(data))
    _compare(directory)


@_SETTINGS
@given(
    change=st.sampled_from(["cut", "append", "first", "last"]),
    where=st.integers(0, 1 << 30),
    mask=st.integers(1, 255),
)
def test_checked_changes_of_the_event_file(tmp_path, change, where, mask):
    directory = tmp_path / "run"
    if not directory.exists():
        _run(directory)
    (name,) = [n for n in os.listdir(directory) if "tfevents" in n]
    path = os.path.join(directory, name)
    pristine = directory / "pristine.events"
    if not pristine.exists():
        pristine.write_bytes(open(path, "rb").read())
    data = bytearray(pristine.read_bytes())
    first = records.framed_size(data, 0)
    last = 0
    while last + records.framed_size(data, last) < len(data):
        last += records.framed_size(data, last)
    if change == "cut":
        data = data[: where % len(data)]
    elif change == "append":
        data += os.urandom(where % 300)
    elif change == "first":
        data[where % first] ^= mask
    else:
        data[last + where % (len(data) - last)] ^= mask
    open(path, "wb").write(bytes(data))
    _compare(directory)


lies = st.lists(
    st.tuples(
        st.sampled_from(["length", "same_record", "has_value", "kind", "tag"]),
        st.integers(0, 1 << 30),
        st.integers(1, 1 << 20),
    ),
    min_size=1,
    max_size=4,
)


@_SETTINGS
@given(lies=lies, samples=st.sampled_from([None, {"images": 2, "scalars": 7}]))
def test_lies_with_valid_checksums(tmp_path, lies, samples):
    directory, path, pristine = _pristine_index(tmp_path)

    def lie(number, columns):
        count = len(columns["kind"])
        for what, at, amount in lies:
            at %= count
            if what == "length":
                columns["length"][at] += np.uint32(amount)
            elif what == "same_record":
                columns["kind"][at] ^= index_format.SAME_RECORD
            elif what == "has_value":
                columns["kind"][at] ^= index_format.HAS_VALUE
            elif what == "kind":  # a code no kind has
                flags = columns["kind"][at] & ~np.uint8(index_format.KIND_MASK)
                unknown = len(index_format.KINDS) + amount % (64 - len(index_format.KINDS))
                columns["kind"][at] = flags | np.uint8(unknown)
            else:  # a tag id no tag has
                columns["tag"][at] += np.uint32(1000 + amount)

    open(index_path(path), "wb").write(index_lies.rewrite(pristine, lie))
    _compare(directory, samples)


@pytest.mark.parametrize("what", ["directory", "symlink loop"])
def test_an_index_that_cannot_be_read_is_named_and_the_file_scanned(tmp_path, what):
    with summary.create_file_writer(str(tmp_path)):
        for step in range(10):
            summary.scalar("x", float(step), step=step)
    (name,) = [f for f in os.listdir(tmp_path) if "tfevents" in f]
    index = index_path(str(tmp_path / name))
    os.remove(index)
    if what == "directory":
        os.mkdir(index)
    else:
        os.symlink(index, index)
    with pytest.warns(IndexWarning, match="cannot be read"):
        data = load(tmp_path)
    assert data["."]["x"].steps.tolist() == list(range(10))
    if what == "directory":  # cannot be replaced by a file: named, and the file scanned
        with pytest.warns(IndexWarning, match="could not be written"):
            assert load(tmp_path, index="build")["."]["x"].steps.tolist() == list(range(10))
    else:  # the link is replaced by a real index
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert load(tmp_path, index="build")["."]["x"].steps.tolist() == list(range(10))
        assert os.path.isfile(index) and not os.path.islink(index)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert load(tmp_path, index="ignore")["."]["x"].steps.tolist() == list(range(10))


def test_metadata_that_does_not_parse_is_named_and_the_file_scanned(tmp_path):
    directory, path, pristine = _pristine_index(tmp_path)

    def garble(number, body, entries):
        for meta in index_format.decode_sections(body)[1]:
            if meta.metadata:  # the same length, but no protobuf message (wire type 7)
                body = body.replace(meta.metadata, b"\xff" * len(meta.metadata), 1)
        return body

    open(index_path(path), "wb").write(index_lies.rewrite_bodies(pristine, garble))
    with pytest.warns(IndexWarning, match="metadata of tag .* does not parse"):
        load(directory)
    _compare(directory, {"images": 2})


def test_an_index_placing_a_tag_in_a_record_without_it_never_crashes(tmp_path):
    """Tag ids that exist, on the wrong records: the reader cannot see that without reading every
    record, but a record it does read that lacks the value is reported, not a crash."""
    directory, path, pristine = _pristine_index(tmp_path)

    def swap(number, columns):
        columns["tag"][:] = columns["tag"][::-1].copy()

    open(index_path(path), "wb").write(index_lies.rewrite(pristine, swap))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for samples in (None, {"images": 2, "scalars": 5}):
            for plugins in (None, "scalars", "images"):
                load(directory, plugins=plugins, samples_per_plugin=samples)
