"""TFRecord frames scanned in large in-memory chunks: the loader's fast path over a file.

Same contract as `records.iter_records` (CRCs checked, a partial tail ends the file quietly, the
first corrupt record raises CorruptRecordError with its offset), but it reads megabytes at a time
and hands out payload positions inside the chunk instead of one small read per field.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator
from typing import BinaryIO

import crc32c

from summary.reader.record_reader import MAX_RECORD_LENGTH, CorruptRecordError
from summary.wire.records import FOOTER_SIZE, HEADER_SIZE, parse_header

CHUNK_BYTES = 16 << 20
_MASK_DELTA = 0xA282EAD8
_HEADER_CACHE_LIMIT = 4096


def iter_frames(
    handle: BinaryIO,
    path: str,
    on_read: Callable[[int], None] | None = None,
    chunk_bytes: int = CHUNK_BYTES,
    base: int = 0,
) -> Iterator[tuple[bytes, int, int, int]]:
    """Yield (chunk, start, end, file offset) for each record: its payload is chunk[start:end].

    `on_read(n)` is told of every n bytes read (progress reporting); `base` is the file offset
    `handle` is at.
    """
    crc = crc32c.crc32c
    unpack_u32 = struct.Struct("<I").unpack_from
    lengths: dict[bytes, int] = {}  # a valid 12-byte header -> its payload length
    buffer = b""
    # base: file offset of buffer[0]
    pos = 0
    need = 0
    while True:
        more = _read_at_least(handle, need - (len(buffer) - pos), chunk_bytes)
        if not more:
            return  # end of file: whatever is left is a partial record
        if on_read is not None:
            on_read(len(more))
        buffer = buffer[pos:] + more
        base += pos
        pos = 0
        view = memoryview(buffer)
        size = len(buffer)
        while pos + HEADER_SIZE <= size:
            header = buffer[pos : pos + HEADER_SIZE]
            length = lengths.get(header)
            if length is None:
                length, header_ok = parse_header(header)
                if not header_ok:
                    raise CorruptRecordError(path, base + pos, "length checksum mismatch")
                if length > MAX_RECORD_LENGTH:
                    raise CorruptRecordError(
                        path, base + pos, f"record length {length} is over 2 GiB"
                    )
                if len(lengths) < _HEADER_CACHE_LIMIT:
                    lengths[header] = length
            start = pos + HEADER_SIZE
            end = start + length
            if end + FOOTER_SIZE > size:
                break
            value = crc(view[start:end])
            masked = (((value >> 15) | (value << 17)) + _MASK_DELTA) & 0xFFFFFFFF
            if masked != unpack_u32(buffer, end)[0]:
                raise CorruptRecordError(path, base + pos, "payload checksum mismatch")
            yield buffer, start, end, base + pos
            pos = end + FOOTER_SIZE
        need = HEADER_SIZE if pos + HEADER_SIZE > size else end + FOOTER_SIZE - pos
        view.release()


def _read_at_least(handle: BinaryIO, missing: int, chunk_bytes: int) -> bytes:
    """At least `missing` more bytes (or all that is left), reading `chunk_bytes` at a time so a
    bogus length never makes us allocate more than the file holds."""
    parts = []
    got = 0
    while True:
        part = handle.read(chunk_bytes)
        if not part:
            break
        parts.append(part)
        got += len(part)
        if got >= missing:
            break
    return b"".join(parts)
