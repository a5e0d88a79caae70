"""Errors the writer raises on the caller's thread."""

from __future__ import annotations


class WriterError(RuntimeError):
    """Writing an event file failed (disk full, permissions, a vanished directory …)."""


class WriterClosedError(WriterError):
    """A summary was written to a writer after its `close()`."""
