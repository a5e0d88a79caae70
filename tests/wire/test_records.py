"""Record framing, checked against a CRC32C written here from its definition (not our code)."""

import struct

from hypothesis import given
from hypothesis import strategies as st

from summary.wire.records import frame_record, masked_crc32c


def reference_crc32c(data: bytes) -> int:
    """Bitwise CRC-32C: reflected polynomial 0x82F63B78, init and final xor all ones."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def reference_mask(crc: int) -> int:
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def test_reference_matches_published_vectors():
    assert reference_crc32c(b"123456789") == 0xE3069283
    assert reference_crc32c(bytes(32)) == 0x8A9136AA
    assert reference_mask(reference_crc32c(bytes(32))) == 0x0FD7FFFA


def test_masked_crc_of_file_version_event():
    assert masked_crc32c(b"\x1a\x11CRC test, one two") == 0x5794D08A


@given(st.binary(max_size=300))
def test_masked_crc_matches_reference(data):
    assert masked_crc32c(data) == reference_mask(reference_crc32c(data))


@given(st.binary(max_size=300))
def test_frame_layout(payload):
    framed = frame_record(payload)
    assert len(framed) == len(payload) + 16
    (length,) = struct.unpack("<Q", framed[:8])
    assert length == len(payload)
    assert struct.unpack("<I", framed[8:12])[0] == reference_mask(reference_crc32c(framed[:8]))
    assert framed[12:-4] == payload
    assert struct.unpack("<I", framed[-4:])[0] == reference_mask(reference_crc32c(payload))
