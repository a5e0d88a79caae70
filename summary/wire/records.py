"""TFRecord framing: the 16 bytes around every event, with masked CRC32C checksums."""

from __future__ import annotations

import struct

import crc32c as _crc32c

_MASK_DELTA = 0xA282EAD8
_U64 = struct.Struct("<Q")
_U32 = struct.Struct("<I")
HEADER_SIZE = 12
FOOTER_SIZE = 4

_crc = _crc32c.crc32c
pack_u32 = _U32.pack
_headers: dict[int, bytes] = {}


def masked_crc32c(data: bytes) -> int:
    """CRC32C of `data`, rotated right by 15 bits plus a constant, as TFRecord stores it."""
    crc = _crc(data)
    return (((crc >> 15) | (crc << 17)) + _MASK_DELTA) & 0xFFFFFFFF


def record_header(length: int) -> bytes:
    """The 12-byte header (length, masked CRC of the length) of a record of `length` bytes."""
    header = _headers.get(length)
    if header is None:
        size = _U64.pack(length)
        header = size + pack_u32(masked_crc32c(size))
        if len(_headers) < 4096:
            _headers[length] = header
    return header


def frame_record(payload: bytes) -> bytes:
    """One complete record: header, payload, masked CRC of the payload."""
    return record_header(len(payload)) + payload + pack_u32(masked_crc32c(payload))


def parse_header(header: bytes) -> tuple[int, bool]:
    """(length, header CRC ok) for the first 12 bytes of a record."""
    size = header[:8]
    (expected,) = _U32.unpack(header[8:12])
    return _U64.unpack(size)[0], masked_crc32c(size) == expected


def framed_size(data: bytes, offset: int) -> int:
    """Bytes of the record framed at `offset` of `data`: header, payload and footer."""
    return HEADER_SIZE + _U64.unpack_from(data, offset)[0] + FOOTER_SIZE


def footer_ok(payload: bytes, footer: bytes) -> bool:
    """True when `footer` is the masked CRC of `payload`."""
    return _U32.unpack(footer)[0] == masked_crc32c(payload)
