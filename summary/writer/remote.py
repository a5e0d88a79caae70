"""Event files in object storage (`s3://`, `gs://`, `memory://`, any fsspec URL).

Object stores cannot append, so the sink re-uploads the current object whole each time the bytes
it was given end on a record boundary: the object only grows, its earlier bytes never change, and
a reader tailing it (TensorBoard reads s3/gs itself) sees a longer file. To bound the re-upload
cost the sink reports itself `full` once its object holds SEGMENT_BYTES or has been uploaded
SEGMENT_UPLOADS times; the writer then rolls, between chunks, to a new sink whose object sorts
after this one, and writes each tag's metadata again there (TensorBoard's per-file rule). A write
that ends a record returns only after the upload, so `flush()` and `close()` mean "in the store".
docs/remote-storage.md has the trade-offs.
"""

from __future__ import annotations

import errno
import struct
import time
from typing import Any

from summary.wire import records
from summary.writer.naming import event_file_name

SEGMENT_BYTES = 4 << 20
SEGMENT_UPLOADS = 30
OBJECT_STORES = {"s3", "s3a", "gs", "gcs", "az", "abfs", "abfss", "adl", "oss", "r2"}
_LENGTH = struct.Struct("<Q")
_last_seconds: dict[str, int] = {}


class RemoteSink:
    """One logical event file made of one or more objects, written with fsspec."""

    lost = False  # objects are replaced whole, never deleted from under an open handle

    def __init__(self, logdir: str, suffix: str) -> None:
        fsspec = import_fsspec(logdir)
        self._fs, root = fsspec.core.url_to_fs(logdir)
        self._root = root.rstrip("/")
        self._prepare_location(logdir)
        # sort after this process's previous object here, even if the clock stepped back
        seconds = _last_seconds[self._root] = max(
            _last_seconds.get(self._root, 0), int(time.time())
        )
        self._object = f"{self._root}/{event_file_name(suffix, now=seconds)}"
        self._segment = bytearray()
        self._boundary = 0
        self._uploads = 0

    @property
    def path(self) -> str:
        """The URL of the object being written."""
        return self._fs.unstrip_protocol(self._object)

    def write(self, data: memoryview) -> int:
        """Take all of `data`; upload the object if it now ends on a record boundary."""
        size, boundary = len(self._segment), self._boundary
        self._segment += data
        self._advance_boundary()
        if self._boundary != len(self._segment):
            return len(data)  # mid-record: the rest of it comes with the next write
        try:
            self._fs.pipe_file(self._object, bytes(self._segment))
        except Exception as error:
            del self._segment[size:]  # the writer keeps `data` and hands it to us again
            self._boundary = boundary
            raise OSError(f"could not upload {self.path}: {error}") from error
        self._uploads += 1
        return len(data)

    def close(self) -> None:
        """Nothing to do: every complete record was uploaded when its write returned."""

    def _prepare_location(self, logdir: str) -> None:
        """Create the directory where there are directories; in an object store, only check
        that the bucket exists (never create one by accident from a mistyped URL)."""
        protocols = self._fs.protocol
        protocol = protocols if isinstance(protocols, str) else protocols[0]
        if protocol not in OBJECT_STORES:
            self._fs.makedirs(self._root, exist_ok=True)
            return
        bucket = self._root.split("/", 1)[0]
        try:
            found = self._fs.exists(bucket)
        except Exception as error:  # credentials, network: say so now, not at the first flush
            raise OSError(f"cannot reach {protocol}://{bucket}: {error}") from error
        if not found:
            raise FileNotFoundError(errno.ENOENT, "no such bucket", f"{protocol}://{bucket}")

    def _advance_boundary(self) -> None:
        """Move the next-record offset over every record whose length is now known."""
        segment = self._segment
        while self._boundary + 8 <= len(segment):
            (length,) = _LENGTH.unpack_from(segment, self._boundary)
            self._boundary += records.HEADER_SIZE + length + records.FOOTER_SIZE

    @property
    def full(self) -> bool:
        """True when the writer should move on to a new object (at a record boundary)."""
        if self._uploads == 0 or self._boundary != len(self._segment):
            return False
        return len(self._segment) > SEGMENT_BYTES or self._uploads >= SEGMENT_UPLOADS


def import_fsspec(logdir: str) -> Any:
    try:
        import fsspec
    except ImportError:
        raise ImportError(
            f"summary.create_file_writer({logdir!r}): URLs need fsspec "
            "(pip install 'summary[fsspec]', plus e.g. s3fs for s3:// or gcsfs for gs://)"
        ) from None
    return fsspec


def pipe_beside(logdir: str, name: str, data: bytes) -> None:
    """Put the object `name` beside the event objects of `logdir` (an index, replaced whole)."""
    fs, root = import_fsspec(logdir).core.url_to_fs(logdir)
    fs.pipe_file(f"{root.rstrip('/')}/{name}", data)
