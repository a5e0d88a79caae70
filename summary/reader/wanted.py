"""The run, tag and plugin filters of `load`: names or glob patterns, None keeps everything."""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterable

Filter = str | Iterable[str] | None


class Wanted:
    """The run, tag and plugin filters of one `load` call."""

    def __init__(self, runs: Filter, tags: Filter, plugins: Filter) -> None:
        self.run = matcher(runs)
        self.tag = matcher(tags)
        self.plugin = matcher(plugins)
        self.filters_payloads = tags is not None or plugins is not None
        self.any_plugin = plugins is None


def matcher(names: Filter) -> Callable[[str], bool]:
    """A predicate: is a name one of `names` (exact, or matching a glob pattern)?"""
    if names is None:
        return lambda name: True
    names = [names] if isinstance(names, str) else list(names)
    exact = {name for name in names if not any(c in name for c in "*?[")}
    patterns = [name for name in names if name not in exact]
    cache: dict[str, bool] = {}

    def matches(name: str) -> bool:
        found = cache.get(name)
        if found is None:
            found = name in exact or any(fnmatch.fnmatchcase(name, p) for p in patterns)
            cache[name] = found
        return found

    return matches
