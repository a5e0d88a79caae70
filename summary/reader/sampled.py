"""`samples_per_plugin`: a tag of a sampled plugin keeps the records at `sample_positions`, and
the scan only notes where its large records are (`Deferred`), so the records the sample drops are
never parsed; the kept ones are read again by offset once the run's record count is known."""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from summary.reader import storage
from summary.reader.indexed import fetch_records
from summary.reader.record_reader import CorruptRecordError, read_record_at
from summary.writer.errors import op_error, op_type_error

OP = "reader.load"


class Deferred(NamedTuple):
    """Where a record of a sampled tag is: read only if the sample keeps it."""

    path: str
    offset: int
    tag: str
    nth: int  # which value of `tag` in its event (an event may repeat a tag)
    length: int = -1  # its payload's bytes, when an index said (then read by byte range)


def checked_samples(samples_per_plugin: Any) -> dict[str, int]:
    """`load`'s `samples_per_plugin` as plugin -> records kept per tag ({} for None)."""
    if samples_per_plugin is None:
        return {}
    if not isinstance(samples_per_plugin, Mapping):
        raise op_type_error(
            OP,
            None,
            "samples_per_plugin must be a mapping of plugin name to a record count, "
            f"not {type(samples_per_plugin).__name__}",
        )
    checked = {}
    for plugin, keep in samples_per_plugin.items():
        if not isinstance(plugin, str):
            raise op_type_error(
                OP, None, f"samples_per_plugin keys are plugin names, not {plugin!r}"
            )
        if isinstance(keep, bool) or not isinstance(keep, numbers.Integral):
            raise op_type_error(
                OP,
                None,
                f"samples_per_plugin[{plugin!r}] must be an int, not {type(keep).__name__}",
            )
        if keep < 1:
            raise op_error(OP, None, f"samples_per_plugin[{plugin!r}] must be >= 1, not {keep}")
        checked[plugin] = int(keep)
    return checked


def read_payloads(kept: Iterable[Deferred]) -> dict[tuple[str, int], bytes | Exception]:
    """(path, offset) -> the payload of each kept record, read file by file in offset order (a
    CorruptRecordError in place of a record that no longer reads as it did during the scan or
    as the index said). Records an index placed are fetched by byte range, near ones together."""
    by_path: dict[str, set[int]] = {}
    spans: dict[str, set[tuple[int, int]]] = {}
    for ref in kept:
        if ref.length >= 0:
            spans.setdefault(ref.path, set()).add((ref.offset, ref.length))
        else:
            by_path.setdefault(ref.path, set()).add(ref.offset)
    payloads: dict[tuple[str, int], bytes | Exception] = {}
    for path, placed in spans.items():
        try:
            payloads.update(((path, o), p) for o, p in fetch_records(path, list(placed)).items())
        except OSError as error:
            for offset, _ in placed:
                payloads[path, offset] = CorruptRecordError(path, offset, str(error))
    for path, offsets in by_path.items():
        with storage.open_binary(path) as handle:
            for offset in sorted(offsets):
                try:
                    payloads[path, offset] = read_record_at(path, handle, offset)
                except CorruptRecordError as error:
                    payloads[path, offset] = error
    return payloads
