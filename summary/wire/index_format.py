"""The byte layout of an event-file index (docs/index-format.md): a header, then append-only chunks.

An index sits beside its event file (`events.out.tfindex.…` for `events.out.tfevents.…`: no
"tfevents" in its name, so TensorBoard never reads it). Each chunk describes the records that
follow the previous chunk's: per value of each record its length, tag, kind, step, wall time and,
for a one-number scalar, the number; offsets are not stored but follow from the lengths, records
being back to back. A chunk states the event-file size it covers and the masked CRC of the last
record it covers, so a reader checks an index against its file with two small reads, whatever
copying did to paths and timestamps.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from typing import NamedTuple

import numpy as np

from summary.wire.records import FOOTER_SIZE, HEADER_SIZE, masked_crc32c

MAGIC = b"sumindex"
VERSION = 3
HEADER = struct.Struct("<8sIII")  # magic, version, first record's masked CRC, header CRC
CHUNK_MAGIC = b"ICHK"
CHUNK_HEADER = struct.Struct("<4sIQQIIII")
# magic, payload bytes, covered size, last record offset, last record CRC, entries, records, CRC
_COUNT = struct.Struct("<I")
_META = struct.Struct("<IBQI")  # tag id, kind, record offset, metadata bytes
NO_METADATA = 0xFFFFFFFF
HAS_VALUE = 0x80  # kind flag: the entry's `value` is the record's number (a one-number scalar)
SAME_RECORD = 0x40  # kind flag: another value of the previous entry's record
KIND_MASK = 0x3F
FRAMING = HEADER_SIZE + FOOTER_SIZE  # bytes of a record besides its payload
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
# the columns of one chunk's entries as readers get them, in their order on disk
COLUMNS = (
    ("length", "<u4"),
    ("tag", "<u4"),
    ("kind", "u1"),
    ("step", "<i8"),
    ("wall_time", "<f8"),
    ("value", "<f8"),
)
# how each column is stored, and in how many bytes per value it may be: its values narrowed to
# the fewest bytes that hold every one of a chunk's, ints as they are ("unsigned"), as differences
# to the entry before ("delta": steps, and wall times as the integers their float64 bits spell),
# floats as float32 when each is one
_STORED = {
    "length": ("unsigned", (1, 2, 4)),
    "tag": ("unsigned", (1, 2, 4)),
    "kind": ("unsigned", (1,)),
    "step": ("delta", (1, 2, 4, 8)),
    "wall_time": ("delta", (1, 2, 4, 8)),
    "value": ("float", (4, 8)),
}
_NARROW = {"unsigned": "<u{}", "delta": "<i{}", "float": "<f{}"}
_WIDTH = struct.Struct("<B")
_FIRST = struct.Struct("<q")
# an entry as writers build it and tools see it: with its record's offset in the event file
ENTRY = np.dtype([("offset", "<u8"), *COLUMNS])
NAMES = ("offset", *(name for name, _ in COLUMNS))


class Entries(NamedTuple):
    """Index entries as writers build them: ENTRY's fields, each its own array of one length
    (steps absolute, `kind` without SAME_RECORD, offsets where each entry's record starts)."""

    offset: np.ndarray
    length: np.ndarray
    tag: np.ndarray
    kind: np.ndarray
    step: np.ndarray
    wall_time: np.ndarray
    value: np.ndarray

    @classmethod
    def of(cls, records: np.ndarray) -> Entries:
        """The columns of an array of ENTRY records."""
        return cls(*(np.ascontiguousarray(records[name]) for name in NAMES))

    @classmethod
    def joined(cls, parts: list[Entries]) -> Entries:
        """`parts` one after the other."""
        if len(parts) == 1:
            return parts[0]
        return cls(*(np.concatenate(columns) for columns in zip(*parts, strict=True)))


class IndexFormatError(ValueError):
    """Bytes that are not (or no longer) a well-formed index."""


class Metadata(NamedTuple):
    """A tag's first value that fixes its metadata: its kind and serialized SummaryMetadata."""

    tag: int
    kind: int
    offset: int  # the event-file offset of that value's record
    metadata: bytes | None


class Body(NamedTuple):
    """A chunk's decoded body: new tags, metadata, and the entries as columns (steps absolute;
    `kind` with its flag bits)."""

    tags: list[str]
    metadata: list[Metadata]
    length: np.ndarray
    tag: np.ndarray
    kind: np.ndarray
    step: np.ndarray
    wall_time: np.ndarray
    value: np.ndarray

    def offsets(self, start: int) -> np.ndarray:
        """Each entry's record offset (int64), the first record being at `start`."""
        lengths = self.length.astype(np.int64) + FRAMING
        advance = np.where(self.kind & SAME_RECORD, 0, lengths)
        return np.cumsum(advance) - lengths + start


class ChunkHead(NamedTuple):
    """A checksummed chunk, its body not yet decoded: it describes event-file bytes
    [start, covered), `records` records ending with the one at `last_offset`."""

    start: int
    covered: int
    last_offset: int
    last_crc: int
    entries: int
    records: int
    payload: bytes

    def decode(self) -> Body:
        """The body, checked against the header (IndexFormatError if it lies); its tag ids are
        checked by `check_tags`, knowing the chunks before it."""
        return decode_bodies([self])[1]


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
    entries: Entries,
) -> bytes:
    """A chunk for records from file offset `start` up to `covered`; `last` = (offset, CRC) of
    the last record. ValueError when the entries' offsets do not chain record to record from
    `start` to `covered` (a writer's bug: an index never states what is not so)."""
    kinds = entries.kind
    same = _same_record(entries.offset, entries.length, start, covered, last[0], records)
    if np.any(kinds & SAME_RECORD) or np.any((kinds & KIND_MASK) >= len(KINDS)):
        raise ValueError("index entries: unknown kind codes")
    parts = [_COUNT.pack(len(tags))]
    for tag in tags:
        encoded = tag.encode("utf-8", "surrogatepass")
        parts += (_COUNT.pack(len(encoded)), encoded)
    parts.append(_COUNT.pack(len(metadata)))
    for meta in metadata:
        size = NO_METADATA if meta.metadata is None else len(meta.metadata)
        parts.append(_META.pack(meta.tag, meta.kind, meta.offset, size))
        parts.append(meta.metadata or b"")
    columns = entries._asdict()
    columns["kind"] = kinds | (same.view(np.uint8) * np.uint8(SAME_RECORD))
    parts += encode_columns(columns)
    compressor = zlib.compressobj(1)  # fed part by part: the body is never joined
    payload = b"".join([*map(compressor.compress, parts), compressor.flush()])
    head = CHUNK_MAGIC, len(payload), covered, last[0], last[1], len(kinds), records
    packed = CHUNK_HEADER.pack(*head, 0)[:-4]
    return packed + _COUNT.pack(masked_crc32c(packed + payload)) + payload


def encode_columns(columns: dict[str, np.ndarray]) -> list[bytes]:
    """The body's column section for entries given as COLUMNS (steps absolute): per column its
    width, the first value of a delta column, and its values narrowed and byte-shuffled."""
    parts = []
    for name, wide in COLUMNS:
        codec, widths = _STORED[name]
        values = columns[name]
        if codec == "delta":
            whole = np.ascontiguousarray(values, dtype=wide).view(np.int64)
            first = int(whole[0]) if len(whole) else 0
            values = np.diff(whole, prepend=np.int64(first))  # wraps, as the reader's sum does
        width = _narrowest(codec, widths, values)
        parts.append(_WIDTH.pack(width))
        if codec == "delta":
            parts.append(_FIRST.pack(first))
        parts.append(shuffle(values, _NARROW[codec].format(width)))
    return parts


def decode_columns(data: bytes, pos: int, columns: list[np.ndarray]) -> int:
    """Fill `columns` (COLUMNS' dtypes, one length: the entries) from the column section at
    data[pos:]; the position after it. IndexFormatError if the section does not fit `data`."""
    count = len(columns[0])
    for (name, _), out in zip(COLUMNS, columns, strict=True):
        codec, widths = _STORED[name]
        first = 0
        try:
            (width,), pos = _WIDTH.unpack_from(data, pos), pos + _WIDTH.size
            if codec == "delta":
                (first,), pos = _FIRST.unpack_from(data, pos), pos + _FIRST.size
        except struct.error:
            raise IndexFormatError("index chunk's columns are cut short") from None
        if width not in widths:
            raise IndexFormatError(f"index column {name!r} stored {width} bytes wide")
        if pos + count * width > len(data):
            raise IndexFormatError("index chunk's columns are cut short")
        narrow = out if width == out.dtype.itemsize and codec != "delta" else None
        if narrow is None:
            narrow = np.empty(count, _NARROW[codec].format(width))
        unshuffle(data, pos, narrow)
        pos += count * width
        if codec == "delta":
            whole = out.view(np.int64)
            np.cumsum(narrow, dtype=np.int64, out=whole)
            whole += np.int64(first)  # both wrap: the writer's differences were taken so
        elif narrow is not out:
            out[:] = narrow
    return pos


def _narrowest(codec: str, widths: tuple[int, ...], values: np.ndarray) -> int:
    """The fewest bytes (of `widths`) that hold each of `values` exactly; ValueError if none
    does (a writer's bug, such as a negative length)."""
    if codec == "float":
        if values.dtype == np.float32:
            return 4
        values = np.ascontiguousarray(values, dtype=np.float64)
        with np.errstate(over="ignore"):  # too large for float32: not one, stored as float64
            again = values.astype(np.float32).astype(np.float64)  # bit for bit, NaNs too
        return 4 if np.array_equal(again.view(np.int64), values.view(np.int64)) else 8
    if not len(values):
        return widths[0]
    low, high = int(values.min()), int(values.max())
    for width in widths:
        info = np.iinfo(_NARROW[codec].format(width))
        if info.min <= low and high <= info.max:
            return width
    raise ValueError(f"index entries: values {low}..{high} do not fit their column")


def shuffle(column: np.ndarray, kind: str) -> bytes:
    """A column as stored: its values as `kind`, their first bytes, then their second bytes …"""
    values = np.ascontiguousarray(column, dtype=kind)
    return values.view(np.uint8).reshape(len(values), values.itemsize).T.tobytes()


def unshuffle(data: bytes, pos: int, out: np.ndarray) -> None:
    """Fill `out` (contiguous) with the values stored shuffled at data[pos:]."""
    count, width = len(out), out.dtype.itemsize
    planes = np.frombuffer(data, np.uint8, count * width, pos).reshape(width, count)
    values = out.view(np.uint8).reshape(count, width)
    for byte, plane in enumerate(planes):  # a plane at a time: long loops, unlike .T.copy()
        values[:, byte] = plane


def _same_record(
    offsets: np.ndarray, lengths: np.ndarray, start: int, covered: int, last: int, records: int
) -> np.ndarray:
    """Which entries are further values of the previous entry's record; ValueError unless the
    records chain from `start` to `covered`, `records` of them, the last at `last`."""
    offsets = offsets.astype(np.int64, copy=False)
    lengths = lengths.astype(np.int64, copy=False)
    same = np.zeros(len(offsets), dtype=bool)
    np.equal(offsets[1:], offsets[:-1], out=same[1:])
    firsts = ~same
    ends = offsets[firsts] + lengths[firsts] + FRAMING
    if (
        int(np.count_nonzero(firsts)) != records
        or (records and (offsets[0] != start or ends[-1] != covered or offsets[-1] != last))
        or (not records and start != covered)
        or np.any(offsets[firsts][1:] != ends[:-1])
        or np.any(lengths[1:][same[1:]] != lengths[:-1][same[1:]])
    ):
        raise ValueError(
            f"index entries do not chain record to record from byte {start} to {covered}"
        )
    return same


def iter_heads(data: bytes, start: int = HEADER.size) -> Iterator[tuple[int, ChunkHead]]:
    """(end position in `data`, chunk) for each whole, checksummed chunk from `start`, bodies not
    decoded; stops quietly at a torn tail, raises IndexFormatError at a bad chunk."""
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
        if covered < previous:
            raise IndexFormatError(f"index chunk at byte {pos} covers less than the one before")
        yield end, ChunkHead(previous, covered, last_offset, last_crc, count, records, payload)
        previous = covered
        pos = end


def iter_chunks(data: bytes, start: int = HEADER.size) -> Iterator[tuple[int, Chunk]]:
    """(end position in `data`, decoded chunk, entries with their offsets) for each whole chunk
    from `start`; stops quietly at a torn tail, raises IndexFormatError at a bad chunk."""
    tags = 0
    for end, head in iter_heads(data, start):
        body = head.decode()
        tags = check_tags(body, tags)
        entries = np.empty(head.entries, dtype=ENTRY)
        entries["offset"] = body.offsets(head.start)
        for name, _ in COLUMNS:
            entries[name] = getattr(body, name)
        entries["kind"] &= ~np.uint8(SAME_RECORD)
        yield (
            end,
            Chunk(
                head.covered,
                head.last_offset,
                head.last_crc,
                head.records,
                body.tags,
                body.metadata,
                entries,
            ),
        )


def decode_bodies(heads: list[ChunkHead]) -> tuple[int, Body]:
    """The bodies of consecutive chunks as one (their columns back to back, so a reader deals
    with many small chunks at once), for the leading chunks that decode and tell the truth about
    their records: how many, and the body. IndexFormatError when the first does not."""
    count = sum(head.entries for head in heads)
    columns = [np.empty(count, dtype=kind) for _, kind in COLUMNS]
    tags: list[str] = []
    metadata: list[Metadata] = []
    at = 0
    for number, head in enumerate(heads):
        try:
            new_tags, new_metadata = _decode_into(head, columns, at)
        except IndexFormatError:
            if number == 0:
                raise
            columns = [column[:at] for column in columns]
            heads = heads[:number]
            break
        tags += new_tags
        metadata += new_metadata
        at += head.entries
    return len(heads), Body(tags, metadata, *columns)


def _decode_into(
    head: ChunkHead, columns: list[np.ndarray], at: int
) -> tuple[list[str], list[Metadata]]:
    """Decode one chunk's entries into columns[i][at:], checked; its new tags and metadata."""
    count = head.entries
    try:
        data = zlib.decompress(head.payload)
    except zlib.error as error:
        raise IndexFormatError(f"index chunk does not decode: {error}") from None
    tags, metadata, pos = decode_sections(data)
    if decode_columns(data, pos, [column[at : at + count] for column in columns]) != len(data):
        raise IndexFormatError("index chunk's entries are not the size its header says")
    _check_chunk(head, columns[0][at : at + count], columns[2][at : at + count], metadata)
    return tags, metadata


def decode_sections(data: bytes) -> tuple[list[str], list[Metadata], int]:
    """A decompressed body's new tags and metadata, and where its columns start."""
    try:
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
    except (struct.error, UnicodeDecodeError) as error:
        raise IndexFormatError(f"index chunk does not decode: {error}") from None
    return tags, metadata, pos


def check_tags(body: Body, known: int) -> int:
    """The tags known after `body`, whose entries and metadata may name only those (IndexFormatError
    otherwise); `known`: the tags of the chunks before it."""
    tags = known + len(body.tags)
    if (len(body.tag) and int(body.tag.max()) >= max(tags, 1)) or any(
        meta.tag >= tags for meta in body.metadata
    ):
        raise IndexFormatError("its entries name tags it does not have")
    return tags


def _check_chunk(
    head: ChunkHead, length: np.ndarray, kind: np.ndarray, metadata: list[Metadata]
) -> None:
    """The entries must chain from the chunk's start to its covered size, `records` records
    ending at `last_offset`, and name only kinds that exist."""
    same = (kind & SAME_RECORD) != 0
    firsts = ~same
    lengths = length.astype(np.int64)
    record_lengths = lengths[firsts]
    end = head.start + int(record_lengths.sum()) + FRAMING * len(record_lengths)
    if (
        len(record_lengths) != head.records
        or end != head.covered
        or (head.records and head.last_offset != end - FRAMING - int(record_lengths[-1]))
        or (head.entries and same[0])
        or np.any(lengths[1:][same[1:]] != lengths[:-1][same[1:]])
        or np.any((kind & KIND_MASK) >= len(KINDS))
        or any(meta.kind >= len(KINDS) for meta in metadata)
    ):
        raise IndexFormatError("its entries do not chain through the file")
