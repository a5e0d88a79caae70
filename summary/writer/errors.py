"""Errors raised on the caller's thread, and the one way their messages name the op and the tag.

Every refused call says `summary.<op>(<tag>): <what was wrong>`, with the op as the user called it
(`summary.scalar`, or `summary.SummaryWriter.add_scalar` through the `add_*` methods).
"""

from __future__ import annotations

from typing import Any, TypeVar

_E = TypeVar("_E", bound=BaseException)


class WriterError(RuntimeError):
    """Writing an event file failed (disk full, permissions, a vanished directory …)."""


class WriterClosedError(WriterError):
    """A summary was written to a writer after its `close()`."""


def message(op: str, tag: Any, detail: str) -> str:
    """`summary.<op>(<tag>): <detail>` — or `summary.<op>: <detail>` for ops without a tag."""
    if tag is None:
        return f"summary.{op}: {detail}"
    if isinstance(tag, bytes):
        try:
            tag = tag.decode("utf-8")  # a UTF-8 bytes tag is named as the text TensorBoard shows
        except UnicodeDecodeError:
            pass
    return f"summary.{op}({tag!r}): {detail}"


def op_error(op: str, tag: Any, detail: str) -> ValueError:
    """A ValueError naming the op and the tag."""
    return _remembering(ValueError(message(op, tag, detail)), op, tag, detail)


def op_type_error(op: str, tag: Any, detail: str) -> TypeError:
    """A TypeError naming the op and the tag."""
    return _remembering(TypeError(message(op, tag, detail)), op, tag, detail)


def renamed(error: BaseException, op: str) -> BaseException:
    """`error` naming `op` instead of the op that raised it (unchanged if it names none)."""
    origin = getattr(error, "summary_call", None)
    if origin is None or origin[0] == op:
        return error
    _, tag, detail = origin
    return _remembering(type(error)(message(op, tag, detail)), op, tag, detail)


def retagged(error: BaseException, tag: Any, what: str) -> BaseException:
    """`error` naming `tag` instead, its detail prefixed by `what` (the part of the call that
    was wrong: `add_scalars`' run key, for one), unchanged if it names no op."""
    origin = getattr(error, "summary_call", None)
    if origin is None:
        return error
    op, _, detail = origin
    detail = f"{what}: {detail}"
    return _remembering(type(error)(message(op, tag, detail)), op, tag, detail)


def _remembering(error: _E, op: str, tag: Any, detail: str) -> _E:
    """The plain ValueError/TypeError carries its parts, so `renamed` can say which public
    function the user called (`type(error)` stays the builtin: callers may test for it)."""
    error.summary_call = (op, tag, detail)  # type: ignore[attr-defined]
    return error


def closed_error(op: str, tag: Any, error: WriterClosedError) -> WriterClosedError:
    """A closed writer's error naming the op and the tag the refused call logged."""
    return WriterClosedError(message(op, tag, str(error)))
