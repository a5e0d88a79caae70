"""Indexes that lie with valid checksums: each chunk's entry columns edited, then the chunk
re-compressed and re-checksummed, as a buggy or hostile writer would leave them."""

from __future__ import annotations

import zlib
from collections.abc import Callable

import numpy as np

from summary.wire import index_format
from summary.wire.records import masked_crc32c

Edit = Callable[[int, dict[str, np.ndarray]], None]  # chunk number, its columns (edit in place)


def rewrite(data: bytes, edit: Edit) -> bytes:
    """The index `data` with every chunk's columns passed through `edit`."""

    def edit_columns(number: int, body: bytes, entries: int) -> bytes:
        prefix = index_format.decode_sections(body)[2]
        columns = {name: np.empty(entries, dtype=kind) for name, kind in index_format.COLUMNS}
        index_format.decode_columns(body, prefix, list(columns.values()))
        edit(number, columns)
        return b"".join([body[:prefix], *index_format.encode_columns(columns)])

    return rewrite_bodies(data, edit_columns)


def rewrite_bodies(data: bytes, edit: Callable[[int, bytes, int], bytes]) -> bytes:
    """The index `data` with every chunk's decompressed body replaced by
    edit(chunk number, body, entries), then compressed and checksummed again."""
    out = [data[: index_format.HEADER.size]]
    for number, (_, head) in enumerate(index_format.iter_heads(data)):
        body = edit(number, zlib.decompress(head.payload), head.entries)
        payload = zlib.compress(body, 1)
        fields = (head.covered, head.last_offset, head.last_crc, head.entries, head.records)
        packed = index_format.CHUNK_HEADER.pack(index_format.CHUNK_MAGIC, len(payload), *fields, 0)[
            :-4
        ]
        out.append(packed + masked_crc32c(packed + payload).to_bytes(4, "little") + payload)
    return b"".join(out)
