"""TFRecord frames scanned in large in-memory chunks: the loader's fast path over a file.

Same contract as `records.iter_records` (CRCs checked, a partial tail ends the file quietly, the
first corrupt record raises CorruptRecordError with its offset), but it reads megabytes at a time
and hands out payload positions inside the chunk instead of one small read per field.

Framing is one tight loop per record (a header seen before is recognised by its 12 bytes, so
its length CRC is checked once). Payload CRCs of the many short records of one length are
computed together with numpy: CRC-32C is affine in the message bits, so a record's CRC is a
constant for its length XOR one table entry per byte, the table chosen by the byte's distance
to the end (`_distance_tables`). The byte columns gathered for that are handed on (`Group`), so
the reader decodes those records from them without touching the chunk again.
"""

from __future__ import annotations

import struct
from array import array
from collections.abc import Callable, Iterator
from functools import cache
from typing import BinaryIO, NamedTuple

import crc32c
import numpy as np

from summary.reader.record_reader import MAX_RECORD_LENGTH, CorruptRecordError
from summary.wire.records import FOOTER_SIZE, HEADER_SIZE, parse_header

CHUNK_BYTES = 4 << 20
FIRST_CHUNK_BYTES = 64 << 10  # chunks start small and double: a short file is read quickly
VECTOR_MAX_BYTES = 512  # records up to this long have their CRCs computed as byte columns
VECTOR_MIN_PER_BYTE = 8  # ... when a chunk holds at least this many of them per byte of length
_MASK_DELTA = 0xA282EAD8
_POLYNOMIAL = 0x82F63B78  # CRC-32C (Castagnoli), bit-reflected
_HEADER_CACHE_LIMIT = 4096
_FRAMING = HEADER_SIZE + FOOTER_SIZE
_PROBE_RECORDS = 128  # records framed one by one before their period is looked for
_MAX_PERIOD = 64  # the longest cycle of record lengths predicted
_FIRST_WINDOW = 1024  # records predicted at once, doubling while predictions hold
_MAX_WINDOW = 1 << 16  # (a whole number of cycles once the doubling stops)
_HEADER = struct.Struct("<QI")
_U64 = struct.Struct("<Q")


class Group(NamedTuple):
    """The records of one payload length in a chunk whose CRCs were checked as byte columns."""

    rows: np.ndarray  # int64 indices into Chunk.starts, in file order
    columns: np.ndarray  # uint8 [length, len(rows)]: payload byte j of each record in row j


class Chunk(NamedTuple):
    """The complete, CRC-checked records of one chunk of a file, in file order."""

    buffer: bytes
    base: int  # file offset of buffer[0]
    starts: np.ndarray  # int64: payload start of each record in buffer
    lengths: np.ndarray  # int64: payload length of each record
    groups: dict[int, Group]  # payload length -> its column-checked records


def iter_frames(
    handle: BinaryIO,
    path: str,
    on_read: Callable[[int], None] | None = None,
    chunk_bytes: int = CHUNK_BYTES,
) -> Iterator[tuple[bytes, int, int, int]]:
    """Yield (chunk, start, end, file offset) for each record: its payload is chunk[start:end].

    `on_read(n)` is told of every n bytes read (progress reporting).
    """
    for chunk in iter_chunks(handle, path, on_read, chunk_bytes):
        for start, length in zip(chunk.starts.tolist(), chunk.lengths.tolist(), strict=True):
            yield chunk.buffer, start, start + length, chunk.base + start - HEADER_SIZE


def iter_chunks(
    handle: BinaryIO,
    path: str,
    on_read: Callable[[int], None] | None = None,
    chunk_bytes: int = CHUNK_BYTES,
) -> Iterator[Chunk]:
    """Yield the records of `handle` a chunk at a time; raise CorruptRecordError at the first
    corrupt record, after the chunk holding the records before it."""
    lengths: dict[bytes, int] = {}  # a valid 12-byte header -> its payload length
    buffer = b""
    base = 0  # file offset of buffer[0]
    pos = 0
    need = 0
    read_size = min(FIRST_CHUNK_BYTES, chunk_bytes)
    while True:
        more = _read_at_least(handle, need - (len(buffer) - pos), read_size)
        read_size = min(read_size * 2, chunk_bytes)
        if not more:
            return  # end of file: whatever is left is a partial record
        if on_read is not None:
            on_read(len(more))
        buffer = buffer[pos:] + more
        base += pos
        starts, sizes, pos, error = _frame(buffer, base, path, lengths)
        chunk, bad = _checked(buffer, base, starts, sizes, path)
        if len(chunk.starts):
            yield chunk
        if bad is not None:
            raise bad
        if error is not None:
            raise error
        size = len(buffer)
        if pos + HEADER_SIZE > size:
            need = HEADER_SIZE
        else:
            need = _FRAMING + struct.unpack_from("<Q", buffer, pos)[0]


def _frame(
    buffer: bytes, base: int, path: str, lengths: dict[bytes, int]
) -> tuple[np.ndarray, np.ndarray, int, CorruptRecordError | None]:
    """Payload starts and lengths of the complete records in `buffer`, where the first
    incomplete one begins, and the error of a corrupt header that ended the chunk early.

    Record lengths usually repeat with the period of the tags logged per step, so after a few
    records read one by one the rest are predicted from that period and the prediction checked
    header by header (`_predicted`): only records that break the pattern are read one by one.
    """
    data = np.frombuffer(buffer, dtype=np.uint8)
    starts: list[np.ndarray] = []
    sizes: list[np.ndarray] = []
    pos = 0
    window = _FIRST_WINDOW
    while True:
        some_starts, some_sizes, pos, error = _one_by_one(buffer, base, pos, path, lengths)
        starts.append(np.frombuffer(some_starts, dtype=np.int64))
        sizes.append(np.frombuffer(some_sizes, dtype=np.int64))
        if error is not None or len(some_sizes) < _PROBE_RECORDS:
            break  # a corrupt header, or the end of the chunk
        pattern = _period(some_sizes)
        if pattern is None:
            continue
        headers = np.frombuffer(
            b"".join(_HEADER.pack(n, _masked(crc32c.crc32c(_U64.pack(n)))) for n in pattern),
            dtype=np.uint8,
        ).reshape(len(pattern), HEADER_SIZE)
        window = -(-window // len(pattern)) * len(pattern)  # whole cycles: the next one starts
        while True:
            found, next_pos = _predicted(data, pos, pattern, headers, window)
            starts.append(found + HEADER_SIZE)
            sizes.append(_repeated(pattern, len(found)))
            pos = next_pos
            if len(found) < window:
                window = _FIRST_WINDOW
                break
            window = window * 2 if window < _MAX_WINDOW else window
    return np.concatenate(starts), np.concatenate(sizes), pos, error


def _one_by_one(
    buffer: bytes, base: int, pos: int, path: str, lengths: dict[bytes, int]
) -> tuple[array, array, int, CorruptRecordError | None]:
    """Up to `_PROBE_RECORDS` records framed one at a time from `pos`."""
    starts = array("q")
    sizes = array("q")
    add_start = starts.append
    add_size = sizes.append
    known = lengths.get
    size = len(buffer)
    for _ in range(_PROBE_RECORDS):
        if pos + HEADER_SIZE > size:
            break
        length = known(buffer[pos : pos + HEADER_SIZE])
        if length is None:
            length, header_ok = parse_header(buffer[pos : pos + HEADER_SIZE])
            if not header_ok:
                return (
                    starts,
                    sizes,
                    pos,
                    CorruptRecordError(path, base + pos, "length checksum mismatch"),
                )
            if length > MAX_RECORD_LENGTH:
                return (
                    starts,
                    sizes,
                    pos,
                    CorruptRecordError(path, base + pos, f"record length {length} is over 2 GiB"),
                )
            if len(lengths) < _HEADER_CACHE_LIMIT:
                lengths[buffer[pos : pos + HEADER_SIZE]] = length
        end = pos + _FRAMING + length
        if end > size:
            break
        add_start(pos + HEADER_SIZE)
        add_size(length)
        pos = end
    return starts, sizes, pos, None


def _period(sizes: array) -> list[int] | None:
    """The shortest cycle the last lengths of `sizes` repeat in (seen twice), if any."""
    tail = sizes.tolist()
    for period in range(1, _MAX_PERIOD + 1):
        if tail[-period:] == tail[-2 * period : -period]:
            return tail[-period:]
    return None


def _predicted(
    data: np.ndarray, pos: int, pattern: list[int], headers: np.ndarray, window: int
) -> tuple[np.ndarray, int]:
    """Header positions of up to `window` records from `pos` that follow `pattern`, each
    header checked byte for byte (so each length is known and the next position follows),
    and the position after the last of them."""
    period = len(pattern)
    lengths = _repeated(pattern, window) + _FRAMING
    ends = pos + np.cumsum(lengths)
    count = int(np.searchsorted(ends, len(data), side="right"))
    if count == 0:
        return ends[:0], pos
    positions = np.empty(count, dtype=np.int64)
    positions[0:1] = pos
    positions[1:] = ends[: count - 1]
    which = np.arange(count) % period
    matches = np.ones(count, dtype=bool)
    for j in range(HEADER_SIZE):
        matches &= data[positions + j] == headers[which, j]
    wrong = np.flatnonzero(~matches)
    found = positions[: wrong[0]] if len(wrong) else positions
    next_pos = int(ends[len(found) - 1]) if len(found) else pos
    return found, next_pos


def _repeated(pattern: list[int], count: int) -> np.ndarray:
    """`pattern` repeated to `count` int64 values."""
    return np.tile(np.array(pattern, dtype=np.int64), -(-count // len(pattern)))[:count]


def _checked(
    buffer: bytes, base: int, starts: np.ndarray, sizes: np.ndarray, path: str
) -> tuple[Chunk, CorruptRecordError | None]:
    """The records whose payload CRC holds, up to the first that fails (and its error)."""
    data = np.frombuffer(buffer, dtype=np.uint8)
    groups: dict[int, Group] = {}
    first_bad = len(starts)
    lengths, counts = np.unique(sizes, return_counts=True)
    columnar = np.zeros(len(starts), dtype=bool)
    for length, count in zip(lengths.tolist(), counts.tolist(), strict=True):
        if length > VECTOR_MAX_BYTES or count < VECTOR_MIN_PER_BYTE * max(length, 1):
            continue
        rows = np.flatnonzero(sizes == length)
        columns, masked = _column_crcs(data, starts[rows], length)
        stored = _stored_crcs(data, starts[rows] + length)
        wrong = np.flatnonzero(masked != stored)
        if len(wrong):
            first_bad = min(first_bad, int(rows[wrong[0]]))
        groups[length] = Group(rows, columns)
        columnar[rows] = True
    for index in np.flatnonzero(~columnar[:first_bad]).tolist():
        start = int(starts[index])
        end = start + int(sizes[index])
        if _masked(crc32c.crc32c(buffer[start:end])) != struct.unpack_from("<I", buffer, end)[0]:
            first_bad = index
            break
    error = None
    if first_bad < len(starts):
        offset = base + int(starts[first_bad]) - HEADER_SIZE
        error = CorruptRecordError(path, offset, "payload checksum mismatch")
        groups = {
            length: Group(group.rows[:kept], group.columns[:, :kept])
            for length, group in groups.items()
            if (kept := int(np.searchsorted(group.rows, first_bad)))
        }
    chunk = Chunk(buffer, base, starts[:first_bad], sizes[:first_bad], groups)
    return chunk, error


def _column_crcs(
    data: np.ndarray, starts: np.ndarray, length: int
) -> tuple[np.ndarray, np.ndarray]:
    """The payload bytes of records of one `length` as columns, and their masked CRC-32Cs."""
    tables = _distance_tables(VECTOR_MAX_BYTES)
    columns = np.empty((length, len(starts)), dtype=np.uint8)
    crc = np.full(len(starts), _zeros_crc(length), dtype=np.uint32)
    constant = np.uint32(0)
    where = np.empty_like(starts)
    for j in range(length):
        column = columns[j]
        np.add(starts, j, out=where)
        np.take(data, where, out=column)
        first = column[0]
        if (column == first).all():  # the same byte in every record (a tag, say): one lookup
            constant ^= tables[length - 1 - j, first]
        else:
            crc ^= tables[length - 1 - j][column]
    crc ^= constant
    return columns, _masked_array(crc)


def _stored_crcs(data: np.ndarray, at: np.ndarray) -> np.ndarray:
    """The little-endian uint32 footers at byte positions `at`."""
    stored = np.zeros(len(at), dtype=np.uint32)
    for j in range(FOOTER_SIZE):
        stored |= data[at + j].astype(np.uint32) << np.uint32(8 * j)
    return stored


def _masked(crc: int) -> int:
    return (((crc >> 15) | (crc << 17)) + _MASK_DELTA) & 0xFFFFFFFF


def _masked_array(crc: np.ndarray) -> np.ndarray:
    return ((crc >> np.uint32(15)) | (crc << np.uint32(17))) + np.uint32(_MASK_DELTA)


@cache
def _zeros_crc(length: int) -> int:
    """CRC-32C of `length` zero bytes: the constant part of every CRC of that length."""
    return crc32c.crc32c(bytes(length))


@cache
def _distance_tables(count: int) -> np.ndarray:
    """uint32 [count, 256]: row d, entry b is what byte value b, d bytes before the end of a
    message, XORs into its CRC-32C (the message's zero-byte CRC being the rest)."""
    byte = np.arange(256, dtype=np.uint32)
    table = byte.copy()
    for _ in range(8):
        table = np.where(table & 1, (table >> 1) ^ np.uint32(_POLYNOMIAL), table >> 1)
    tables = np.empty((count, 256), dtype=np.uint32)
    tables[0] = table
    for distance in range(1, count):
        previous = tables[distance - 1]
        tables[distance] = table[previous & 0xFF] ^ (previous >> np.uint32(8))
    return tables


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
