"""Reading TFRecord frames back: complete records in order, a clean stop at a partial tail, and
the file and byte offset of the first corrupt record."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import BinaryIO

from summary.wire.records import FOOTER_SIZE, HEADER_SIZE, footer_ok, parse_header

MAX_RECORD_LENGTH = 1 << 31  # protobuf cannot encode an Event this large
_READ_PIECE = 16 << 20  # long payloads are read in pieces: a lying length allocates nothing


class CorruptRecordError(ValueError):
    """A record whose length or payload checksum is wrong, or whose payload does not parse."""

    def __init__(self, path: str, offset: int, problem: str) -> None:
        super().__init__(f"{path}: corrupt record at byte offset {offset}: {problem}")
        self.path = path
        self.offset = offset
        self.problem = problem


def iter_records(path: str, stream: BinaryIO | None = None) -> Iterator[tuple[int, bytes]]:
    """Yield (offset, payload) for each complete, checksum-valid record of `path`.

    Stops quietly at a partial last record (a file still being written); raises
    CorruptRecordError at the first record whose checksums do not match or whose length no
    Event can have. Memory stays proportional to the records actually present.
    """
    own = stream is None
    handle = open(path, "rb") if stream is None else stream
    try:
        yield from _records(path, handle)
    finally:
        if own:
            handle.close()


def _records(path: str, handle: BinaryIO) -> Iterator[tuple[int, bytes]]:
    offset = 0
    size = _size(handle)
    read = handle.read
    while True:
        header = read(HEADER_SIZE)
        if len(header) < HEADER_SIZE:
            return
        length, header_ok = parse_header(header)
        if not header_ok:
            raise CorruptRecordError(path, offset, "length checksum mismatch")
        if length > MAX_RECORD_LENGTH:
            raise CorruptRecordError(path, offset, f"record length {length} is over 2 GiB")
        end = offset + HEADER_SIZE + length + FOOTER_SIZE
        if size is not None and end > size:
            size = _size(handle)
            if size is not None and end > size:
                return
        payload = read(length) if length <= _READ_PIECE else _read_long(read, length)
        footer = read(FOOTER_SIZE)
        if len(payload) < length or len(footer) < FOOTER_SIZE:
            return
        if not footer_ok(payload, footer):
            raise CorruptRecordError(path, offset, "payload checksum mismatch")
        yield offset, payload
        offset = end


def _read_long(read: Callable[[int], bytes], length: int) -> bytes:
    """Up to `length` bytes, read a piece at a time, so only bytes present are allocated."""
    pieces = []
    while length > 0:
        piece = read(min(length, _READ_PIECE))
        if not piece:
            break
        pieces.append(piece)
        length -= len(piece)
    return b"".join(pieces)


def _size(handle: BinaryIO) -> int | None:
    try:
        return os.fstat(handle.fileno()).st_size
    except (AttributeError, OSError, ValueError):
        return None


def read_record_at(path: str, handle: BinaryIO, offset: int) -> bytes:
    """The payload of the record framed at `offset` of `handle`, checksums checked: a second,
    random-access read of a record a scan already found (CorruptRecordError if it changed)."""
    handle.seek(offset)
    header = handle.read(HEADER_SIZE)
    if len(header) < HEADER_SIZE:
        raise CorruptRecordError(path, offset, "the file ends before the record")
    length, header_ok = parse_header(header)
    if not header_ok or length > MAX_RECORD_LENGTH:
        raise CorruptRecordError(path, offset, "length checksum mismatch")
    payload = handle.read(length) if length <= _READ_PIECE else _read_long(handle.read, length)
    footer = handle.read(FOOTER_SIZE)
    if len(payload) < length or len(footer) < FOOTER_SIZE:
        raise CorruptRecordError(path, offset, "the file ends inside the record")
    if not footer_ok(payload, footer):
        raise CorruptRecordError(path, offset, "payload checksum mismatch")
    return payload
