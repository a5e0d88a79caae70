"""Event file names: events.out.tfevents.<10-digit seconds>.<host>.<pid>.<counter><suffix>."""

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
