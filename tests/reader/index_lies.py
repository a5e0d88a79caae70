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
    out = [data[: index_format.HEADER.size]]
    for number, (_, head) in enumerate(index_format.iter_heads(data)):
        body = zlib.decompress(head.payload)
        prefix = index_format.decode_sections(body)[2]
        columns = {name: np.empty(head.entries, dtype=kind) for name, kind in index_format.COLUMNS}
        index_format.decode_columns(body, prefix, list(columns.values()))
        edit(number, columns)
        parts = [body[:prefix], *index_format.encode_columns(columns)]
        payload = zlib.compress(b"".join(parts), 1)
        fields = (head.covered, head.last_offset, head.last_crc, head.entries, head.records)
        packed = index_format.CHUNK_HEADER.pack(index_format.CHUNK_MAGIC, len(payload), *fields, 0)[
            :-4
        ]
        out.append(packed + masked_crc32c(packed + payload).to_bytes(4, "little") + payload)
    return b"".join(out)
