"""The byte layout of an event-file index (docs/index-format.md): a header, then append-only chunks.

An index sits beside its event file (`events.out.tfindex.…` for `events.out.tfevents.…`: no
"tfevents" in its name, so TensorBoard never reads it). Each chunk describes the records that
follow the previous chunk's: per value of each record its offset, length, tag, kind, step, wall
time and, for a one-number scalar, the number. A chunk states the event-file size it covers and
the masked CRC of the last record it covers, so a reader checks an index against its file with two
small reads, whatever copying did to paths and timestamps.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from typing import NamedTuple

import numpy as np

from summary.wire.records import masked_crc32c

MAGIC = b"sumindex"
VERSION = 1
HEADER = struct.Struct("<8sIII")  # magic, version, first record's masked CRC, header CRC
CHUNK_MAGIC = b"ICHK"
CHUNK_HEADER = struct.Struct("<4sIQQIIII")
# magic, payload bytes, covered size, last record offset, last record CRC, entries, records, CRC
_COUNT = struct.Struct("<I")
_META = struct.Struct("<IBQI")  # tag id, kind, record offset, metadata bytes
NO_METADATA = 0xFFFFFFFF
HAS_VALUE = 0x80  # kind flag: the entry's `value` is the record's number (a one-number scalar)
# kind codes: what a Summary.Value (or an Event without values) holds
KINDS = (
    "record",  # an Event without values (file_version, session_log …): keeps offsets contiguous
    "simple_value",
    "tensor",
    "histo",
    "image",
    "audio",
    "obsolete_old_style_histogram",
    "empty",  # a value with no value field (tensorboardX's and torch's hparams)
    "graph_def",
    "tagged_run_metadata",
)
KIND_CODES = {name: code for code, name in enumerate(KINDS)}
# the columns of one chunk's entries, in their order on disk (offset and step stored as deltas)
COLUMNS = (
    ("offset", "<u8"),
    ("length", "<u4"),
    ("tag", "<u4"),
    ("kind", "u1"),
    ("step", "<i8"),
    ("wall_time", "<f8"),
    ("value", "<f8"),
)
ENTRY = np.dtype([(name, kind) for name, kind in COLUMNS])
NAMES = tuple(name for name, _ in COLUMNS)


class IndexFormatError(ValueError):
    """Bytes that are not (or no longer) a well-formed index."""


class Metadata(NamedTuple):
    """A tag's first value that fixes its metadata: its kind and serialized SummaryMetadata."""

    tag: int
    kind: int
    offset: int  # the event-file offset of that value's record
    metadata: bytes | None


class Chunk(NamedTuple):
    """One decoded chunk: new tags (ids continue the previous chunk's), metadata, entries."""

    covered: int
    last_offset: int
    last_crc: int
    records: int
    tags: list[str]
    metadata: list[Metadata]
    entries: np.ndarray  # ENTRY records, offsets and steps absolute


def index_name(event_file_name: str) -> str:
    """The index's file name for an event file's name: "tfevents" becomes "tfindex" (a file
    named otherwise, read by its path, gets ".tfindex" appended), never a name with "tfevents"."""
    if "tfevents" not in event_file_name:
        return event_file_name + ".tfindex"
    return event_file_name.replace("tfevents", "tfindex")


def encode_header(first_crc: int) -> bytes:
    head = HEADER.pack(MAGIC, VERSION, first_crc, 0)[:-4]
    return head + _COUNT.pack(masked_crc32c(head))


def decode_header(data: bytes) -> int:
    """The first record's masked CRC the index was written for."""
    if len(data) < HEADER.size:
        raise IndexFormatError("index shorter than its header")
    magic, version, first_crc, crc = HEADER.unpack_from(data)
    if magic != MAGIC or masked_crc32c(data[: HEADER.size - 4]) != crc:
        raise IndexFormatError("not an index header")
    if version != VERSION:
        raise IndexFormatError(f"index version {version}, this reader knows {VERSION}")
    return int(first_crc)


def encode_chunk(
    start: int,
    covered: int,
    last: tuple[int, int],
    records: int,
    tags: list[str],
    metadata: list[Metadata],
    entries: np.ndarray,
) -> bytes:
    """A chunk for records from file offset `start` up to `covered`; `last` = (offset, CRC) of
    the last record."""
    parts = [_COUNT.pack(len(tags))]
    for tag in tags:
        encoded = tag.encode("utf-8", "surrogatepass")
        parts += (_COUNT.pack(len(encoded)), encoded)
    parts.append(_COUNT.pack(len(metadata)))
    for meta in metadata:
        size = NO_METADATA if meta.metadata is None else len(meta.metadata)
        parts.append(_META.pack(meta.tag, meta.kind, meta.offset, size))
        parts.append(meta.metadata or b"")
    offsets = entries["offset"].astype(np.int64)
    steps = entries["step"]
    parts.append(np.diff(offsets, prepend=start).astype("<u8").tobytes())
    for name, _ in COLUMNS[1:4]:
        parts.append(entries[name].tobytes())
    parts.append(np.diff(steps, prepend=0).astype("<i8").tobytes())
    for name, _ in COLUMNS[5:]:
        parts.append(entries[name].tobytes())
    payload = zlib.compress(b"".join(parts), 1)
    head = CHUNK_MAGIC, len(payload), covered, last[0], last[1], len(entries), records
    packed = CHUNK_HEADER.pack(*head, 0)[:-4]
    return packed + _COUNT.pack(masked_crc32c(packed + payload)) + payload


def iter_chunks(data: bytes, start: int = HEADER.size) -> Iterator[tuple[int, Chunk]]:
    """(end position in `data`, chunk) for each whole, checksummed chunk from `start`; stops
    quietly at a torn tail, raises IndexFormatError at a bad chunk."""
    pos = start
    previous = 0
    while pos + CHUNK_HEADER.size <= len(data):
        magic, size, covered, last_offset, last_crc, count, records, crc = CHUNK_HEADER.unpack_from(
            data, pos
        )
        end = pos + CHUNK_HEADER.size + size
        if end > len(data):
            return  # a chunk still being appended (or cut short by a crash)
        head = data[pos : pos + CHUNK_HEADER.size - 4]
        payload = data[pos + CHUNK_HEADER.size : end]
        if magic != CHUNK_MAGIC or masked_crc32c(head + payload) != crc:
            raise IndexFormatError(f"index chunk at byte {pos} fails its checksum")
        chunk = _decode_payload(payload, covered, last_offset, last_crc, count, records, previous)
        yield end, chunk
        previous = covered
        pos = end


def _decode_payload(
    payload: bytes,
    covered: int,
    last_offset: int,
    last_crc: int,
    count: int,
    records: int,
    start: int,
) -> Chunk:
    try:
        data = zlib.decompress(payload)
        pos, tags = 4, []
        for _ in range(_COUNT.unpack_from(data)[0]):
            size = _COUNT.unpack_from(data, pos)[0]
            tags.append(data[pos + 4 : pos + 4 + size].decode("utf-8", "surrogatepass"))
            pos += 4 + size
        metadata = []
        (metas,), pos = _COUNT.unpack_from(data, pos), pos + 4
        for _ in range(metas):
            tag, kind, offset, size = _META.unpack_from(data, pos)
            pos += _META.size
            blob = None if size == NO_METADATA else data[pos : pos + size]
            pos += 0 if blob is None else size
            metadata.append(Metadata(tag, kind, offset, blob))
        entries = np.empty(count, dtype=ENTRY)
        for name, kind in COLUMNS:
            width = np.dtype(kind).itemsize * count
            if pos + width > len(data):
                raise IndexFormatError("index chunk shorter than its entries")
            entries[name] = np.frombuffer(data, dtype=kind, count=count, offset=pos)
            pos += width
    except (zlib.error, struct.error, UnicodeDecodeError) as error:
        raise IndexFormatError(f"index chunk does not decode: {error}") from None
    if pos != len(data):
        raise IndexFormatError("index chunk has trailing bytes")
    entries["offset"] = np.cumsum(entries["offset"]) + np.uint64(start)
    entries["step"] = np.cumsum(entries["step"])
    return Chunk(covered, last_offset, last_crc, records, tags, metadata, entries)
