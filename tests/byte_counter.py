"""Counting the bytes a load asks storage for (summary/reader/storage.py), by kind of request."""

from __future__ import annotations

import pytest

from summary.reader import storage
from summary.wire import index_format


class Counter:
    """Bytes the reader fetched, by kind of request, through the real filesystem."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.ranges = self.whole = self.streamed = 0
        self.opened: list[str] = []
        read_range, read_whole, open_binary = (
            storage.read_range,
            storage.read_whole,
            storage.open_binary,
        )

        def counted_range(path, start, end):
            data = read_range(path, start, end)
            self.ranges += len(data)
            return data

        def counted_whole(path):
            data = read_whole(path)
            self.whole += len(data or b"")
            return data

        def counted_open(path):
            self.opened.append(path)
            handle = open_binary(path)
            read = handle.read

            def counted_read(*args):
                data = read(*args)
                self.streamed += len(data)
                return data

            handle.read = counted_read
            return handle

        monkeypatch.setattr(storage, "read_range", counted_range)
        monkeypatch.setattr(storage, "read_whole", counted_whole)
        monkeypatch.setattr(storage, "open_binary", counted_open)


def tag_records(index: bytes, tag: str) -> list[tuple[int, int]]:
    """(offset, framed size) of each record holding a value of `tag`, in file order, as the
    index `index` places them."""
    names: list[str] = []
    found: dict[int, int] = {}
    for _, chunk in index_format.iter_chunks(index):
        names += chunk.tags
        if tag in names:
            entries = chunk.entries[chunk.entries["tag"] == names.index(tag)]
            entries = entries[(entries["kind"] & index_format.KIND_MASK) != 0]
            for offset, length in zip(
                *(entries[n].tolist() for n in ("offset", "length")), strict=True
            ):
                found[offset] = length + index_format.FRAMING
    return list(found.items())
