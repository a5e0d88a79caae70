"""Reading an event file through its index (docs/index-format.md), trusting only what is proven.

The index is checked against its file with a few small reads: the first record's CRC (the index
belongs to this file), then the framing and CRC of the last record a chunk covers (the file holds
at least that prefix unchanged in size). The entries must chain record to record from byte 0 to
the covered size. Whatever fails is reported once and the file is scanned instead; the part of
the file after the trusted prefix is always scanned.
"""

from __future__ import annotations

import os
import posixpath
import warnings
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

from summary.reader import storage
from summary.reader.frames import iter_frames
from summary.reader.record_reader import CorruptRecordError
from summary.wire import records
from summary.wire.index_builder import IndexBuilder, UnindexableRecord
from summary.wire.index_format import (
    FRAMING,
    KIND_MASK,
    KINDS,
    Body,
    ChunkHead,
    IndexFormatError,
    check_tags,
    decode_bodies,
    decode_header,
    index_name,
    iter_heads,
)

MODES = ("use", "build", "ignore")
DECODERS = 2  # threads decompressing an index's chunks
RUN_ENTRIES = 1 << 16  # entries of the chunks decoded as one body
CHECKED_BYTES = 1 << 20  # the first and last indexed records are CRC-checked up to this size


class IndexWarning(UserWarning):
    """Event files were scanned because their index was missing or did not match the file:
    `load` issues one per call, naming them."""


class UntrustedIndexError(ValueError):
    """An index exists but cannot be used for its file: why, for the one IndexWarning."""


class TrustedIndex(NamedTuple):
    """The chunks of an event file's proven prefix (bodies decoded as they are read): `covered`
    bytes holding `records` records."""

    covered: int
    size: int  # of the event file when the index was checked
    records: int
    chunks: list[ChunkHead]
    unproven: int  # chunks after the proven prefix: the file is shorter, or changed within it
    damaged: bool  # a chunk after `chunks` fails its checksum: the index ends before it


def index_path(event_path: str) -> str:
    """Where the index of an event file (a path or URL) lives: beside it."""
    join = posixpath if storage.is_url(event_path) else os.path
    head, name = join.split(event_path)
    return join.join(head, index_name(name))


def has_index(path: str) -> bool:
    """Whether `path` has an index of this format version beside it (one of another version is
    as good as none: readers do not use it)."""
    data = storage.read_whole(index_path(path))
    try:
        decode_header(data or b"")
    except IndexFormatError:
        return False
    return True


def damaged_after(covered: int) -> str:
    """Why a file was partly scanned: its index stops being usable after byte `covered`."""
    return f"index damaged after byte {covered} (the rest scanned)"


def check_mode(index: str) -> None:
    if index not in MODES:
        raise ValueError(f"load: index must be one of {MODES}, not {index!r}")


def trusted_index(path: str, size: int | None = None) -> TrustedIndex | None:
    """The proven prefix of `path`'s index, None when it has none; UntrustedIndexError when
    one exists but cannot be read, does not decode or matches nothing of the file. `size`: the
    event file's, when listed already."""
    try:
        data = storage.read_whole(index_path(path))
    except OSError as error:  # a directory, a symlink loop, no permission: the file is scanned
        raise UntrustedIndexError(f"it cannot be read: {error}") from None
    if data is None:
        return None
    try:
        return _validate(path, data, storage.size_of(path) if size is None else size)
    except (IndexFormatError, OSError) as error:
        raise UntrustedIndexError(str(error)) from None


def warn_scanned(problems: list[tuple[str, str]], stacklevel: int) -> None:
    """The one IndexWarning of a load: the files scanned for want of a usable index, and why."""
    if not problems:
        return
    shown = "; ".join(f"{path}: {why}" for path, why in problems[:3])
    more = f"; and {len(problems) - 3} more" if len(problems) > 3 else ""
    warnings.warn(
        f"load: {len(problems)} event file(s) scanned without a usable index ({shown}{more}). "
        'index="build" or `python -m summary index LOGDIR` writes indexes; '
        'index="ignore" scans without this warning',
        IndexWarning,
        stacklevel + 1,
    )


def _validate(path: str, data: bytes, size: int) -> TrustedIndex | None:
    first_crc = decode_header(data)
    chunks: list[ChunkHead] = []
    damaged = False
    try:
        chunks.extend(chunk for _, chunk in iter_heads(data))
    except IndexFormatError:
        if not chunks:
            raise
        damaged = True
    if not chunks:
        return None  # written before its first chunk: it describes nothing yet
    first = _record_crc(path, 0, size)
    if first is None or first[0] != first_crc:
        raise IndexFormatError("it was written for another file (first record differs)")
    # a file shorter than, or changed within, what its index describes: the part that still
    # matches is used, quietly (the file is the truth; the scan of the rest reports damage)
    good = _proven_chunks(path, chunks, size)
    if good == 0:
        raise IndexFormatError("the event file does not hold the records its index describes")
    unproven = len(chunks) - good
    chunks = chunks[:good]
    records = sum(chunk.records for chunk in chunks)
    return TrustedIndex(chunks[-1].covered, size, records, chunks, unproven, damaged)


def decoded_chunks(index: TrustedIndex) -> Iterator[tuple[list[ChunkHead], Body]]:
    """The chunks of `index` in order, a run of them at a time with their bodies as one, up to
    the first chunk whose body does not decode or lies about its records (the index ends before
    it; IndexFormatError if it is the first). Runs are decompressed a few ahead on threads (zlib
    and numpy let go of the GIL)."""
    runs = _runs(index.chunks)
    tags = 0
    with ThreadPoolExecutor(DECODERS, thread_name_prefix="summary-index") as pool:
        ahead = deque(pool.submit(decode_bodies, run) for run in runs[: DECODERS + 1])
        for number, run in enumerate(runs):
            if number + DECODERS + 1 < len(runs):
                ahead.append(pool.submit(decode_bodies, runs[number + DECODERS + 1]))
            try:
                decoded, body = ahead.popleft().result()
                tags = check_tags(body, tags)
            except IndexFormatError:
                decoded = 0
            if decoded:
                yield run[:decoded], body
            if decoded < len(run):
                for future in ahead:
                    future.cancel()
                if number == 0 and decoded == 0:
                    raise IndexFormatError("its first chunk does not decode or lies")
                return


def _runs(chunks: list[ChunkHead]) -> list[list[ChunkHead]]:
    """Consecutive chunks in runs of about RUN_ENTRIES entries."""
    runs: list[list[ChunkHead]] = [[]]
    entries = 0
    for chunk in chunks:
        if entries >= RUN_ENTRIES:
            runs.append([])
            entries = 0
        runs[-1].append(chunk)
        entries += chunk.entries
    return runs if runs[0] else []


def _proven_chunks(path: str, chunks: list[ChunkHead], size: int) -> int:
    """How many leading chunks describe records still intact in place (bisecting, so a truncated
    file costs a few small reads, never a scan)."""

    def holds(chunk: ChunkHead) -> bool:
        if chunk.covered > size or chunk.last_offset + FRAMING > chunk.covered:
            return False
        return _record_crc(path, chunk.last_offset, size) == (chunk.last_crc, chunk.covered)

    low, high = 0, len(chunks)  # chunks[:low] proven; chunks[high:] not
    if high and holds(chunks[-1]):
        return high
    high -= 1
    while low < high:
        middle = (low + high) // 2
        if holds(chunks[middle]):
            low = middle + 1
        else:
            high = middle
    return low


def _record_crc(path: str, offset: int, size: int) -> tuple[int, int] | None:
    """(stored payload CRC, end) of the record framed at `offset`; None when its framing is bad
    or (for a record up to CHECKED_BYTES) its payload fails its CRC."""
    header = storage.read_range(path, offset, offset + records.HEADER_SIZE)
    if len(header) < records.HEADER_SIZE:
        return None
    length, ok = records.parse_header(header)
    end = offset + records.HEADER_SIZE + length + records.FOOTER_SIZE
    if not ok or end > size:
        return None
    if length > CHECKED_BYTES:
        return int.from_bytes(storage.read_range(path, end - 4, end), "little"), end
    rest = storage.read_range(path, offset + records.HEADER_SIZE, end)
    if not records.footer_ok(rest[:-4], rest[-4:]):
        return None
    return int.from_bytes(rest[-4:], "little"), end


def fetch_records(path: str, spans: list[tuple[int, int]]) -> dict[int, bytes]:
    """Payloads of the records at (offset, payload length) `spans`, read by byte range (near
    ones together) and CRC-checked; OSError when one is not what the index says."""
    found: dict[int, bytes] = {}
    spans = sorted(set(spans))
    i = 0
    while i < len(spans):
        j = i
        while (
            j + 1 < len(spans) and spans[j + 1][0] - (spans[j][0] + spans[j][1] + FRAMING) < 65536
        ):
            j += 1
        begin, end = spans[i][0], spans[j][0] + spans[j][1] + FRAMING
        data = storage.read_range(path, begin, end)
        for offset, length in spans[i : j + 1]:
            at = offset - begin
            header = data[at : at + records.HEADER_SIZE]
            stored, ok = records.parse_header(header) if len(header) == 12 else (-1, False)
            payload = data[at + records.HEADER_SIZE : at + records.HEADER_SIZE + length]
            footer = data[at + records.HEADER_SIZE + length : at + length + FRAMING]
            if (
                not ok
                or stored != length
                or len(footer) != 4
                or not records.footer_ok(payload, footer)
            ):
                raise OSError(f"record at byte {offset} is not what the index says")
            found[offset] = payload
        i = j + 1
    return found


def build_index(path: str, on_read: Callable[[int], None] | None = None) -> bool:
    """Write the index of `path` from its complete, intact records (a partial or corrupt tail
    is left out, so an index never leads its file). False when the file has no record."""
    builder = IndexBuilder()
    parts = []
    try:
        with storage.open_binary(path) as handle:
            for data, start, end, offset in iter_frames(handle, path, on_read):
                builder.add(data, start, end, offset)
                if builder.pending >= 1 << 16:
                    parts.append(builder.chunk())
    except (CorruptRecordError, UnindexableRecord):
        pass  # index the records before it; the scan stops there too
    if builder.first_crc is None:
        return False
    storage.write_whole(index_path(path), builder.header() + b"".join(parts) + builder.chunk())
    return True


def kind_name(code: int) -> str | None:
    """The Summary.Value kind (None for a value with no value field) of an entry's kind code."""
    name = KINDS[code & KIND_MASK]
    return None if name == "empty" else name
