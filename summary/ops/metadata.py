"""SummaryMetadata bytes: which TensorBoard plugin shows a tag, and how it is described."""

from __future__ import annotations

import functools
from typing import Any

from google.protobuf.message import DecodeError

from summary.proto import summary_pb2
from summary.wire.encode import length_delimited
from summary.writer.context import check_text
from summary.writer.errors import op_error, op_type_error


@functools.lru_cache(maxsize=1024)
def plugin_metadata(
    plugin_name: str,
    content: bytes = b"",
    description: str | None = None,
    display_name: str | None = None,
) -> bytes:
    """Serialized SummaryMetadata{plugin_data{plugin_name, content}, display_name, description}."""
    plugin_data = length_delimited(b"\x0a", plugin_name.encode("utf-8"))
    if content:
        plugin_data += length_delimited(b"\x12", content)
    out = length_delimited(b"\x0a", plugin_data)
    if display_name:
        out += length_delimited(b"\x12", display_name.encode("utf-8"))
    if description:
        out += length_delimited(b"\x1a", description.encode("utf-8"))
    return out


def description_metadata(
    op: str, tag: str, plugin_name: str, content: bytes, description: Any
) -> bytes:
    """`plugin_metadata` for an op's call, its `description` checked on the caller's thread: a
    str of valid Unicode or None (a value the writer thread could not encode is refused here)."""
    if description is not None:
        if not isinstance(description, str):
            raise op_type_error(
                op, tag, f"description must be a str or None, got {type(description).__name__}"
            )
        if not description.isascii():
            check_text(op, tag, "description", description)
    return plugin_metadata(plugin_name, content, description)


def metadata_bytes(op: str, tag: str, metadata: Any) -> bytes | None:
    """Caller-given metadata (a SummaryMetadata message of any package, or its bytes) as bytes,
    parsed here on the caller's thread: bytes that are not a SummaryMetadata would make
    TensorBoard refuse the whole file, so they are refused at the call."""
    if metadata is None:
        return None
    if isinstance(metadata, (bytes, bytearray, memoryview)):
        data = bytes(metadata)
    else:
        name = getattr(getattr(metadata, "DESCRIPTOR", None), "name", None)
        if name != "SummaryMetadata" or not hasattr(metadata, "SerializeToString"):
            raise op_type_error(
                op,
                tag,
                "metadata must be a SummaryMetadata message or bytes, "
                f"got {type(metadata).__name__}",
            )
        data = metadata.SerializeToString()
    try:
        summary_pb2.SummaryMetadata.FromString(data)
    except DecodeError as error:
        raise op_error(
            op, tag, f"metadata ({len(data)} bytes) is not a serialized SummaryMetadata: {error}"
        ) from None
    return data
