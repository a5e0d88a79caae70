"""Directory listings as they were before indexes: the names with the event-file indexes left out
(an index sits beside every event file our writer writes; docs/index-format.md)."""

from __future__ import annotations

from collections.abc import Iterable


def is_index(name: str) -> bool:
    return "tfindex" in name.rsplit("/", 1)[-1]


def without_indexes(names: Iterable[str]) -> list[str]:
    return [name for name in names if not is_index(name)]
