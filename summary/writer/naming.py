"""Names on disk: event file names (events.out.tfevents.<10-digit seconds>.<host>.<pid>.<counter>
<suffix>), and the rule that turns a user's string (a run name, an `add_scalars` key, a projector
tag) into a path that stays inside the logdir."""

from __future__ import annotations

import itertools
import os
import socket
import time

_counter = itertools.count(1)


def event_file_name(suffix: str = "", now: float | None = None) -> str:
    """A fresh file name; the counter (zero-padded so names sort in creation order) is
    process-wide, so two writers in one process and second never collide."""
    seconds = int(time.time() if now is None else now)
    host = socket.gethostname()
    return f"events.out.tfevents.{seconds:010d}.{host}.{os.getpid()}.{next(_counter):06d}{suffix}"


_ESCAPED = frozenset("%/\\:")  # torch escapes the first three; ':' is a drive on Windows
_UNSAFE = frozenset("/\\:")  # a component holding one of these (or a control character) is escaped


def directory_name(name: str) -> str:
    """`name` as one safe path component: '%', '/', '\\', ':' and control characters as %xx
    (lowercase hex, as torch escapes a projector tag), and a name of dots only ("." or "..")
    with %2e dots; "" (no component) as "%2f"."""
    if not name:
        return "%2f"
    escaped = "".join(
        f"%{ord(c):02x}" if c in _ESCAPED or c < " " or c == "\x7f" else c for c in name
    )
    return escaped.replace(".", "%2e") if not escaped.strip(".") else escaped


def relative_path(name: str) -> str:
    """`name` as a path below a directory, kept as torch lays it out ('/' separates
    directories) except that a component that could leave or rename the directory — "", ".",
    "..", any name of dots only, or one holding '\\', ':' or a control character (NUL …) — is
    escaped by `directory_name`; so "a/b" stays "a/b", "/x" is "%2f/x", "../x" is "%2e%2e/x"."""
    return "/".join(
        directory_name(part) if _unsafe_component(part) else part for part in name.split("/")
    )


def _unsafe_component(part: str) -> bool:
    return not part.strip(".") or any(c in _UNSAFE or c < " " or c == "\x7f" for c in part)
