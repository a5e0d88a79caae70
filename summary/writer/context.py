"""Who records where: the default writer, the default step, record_if and name scopes.

`as_default()`, `record_if()` and `name_scope()` are context managers scoped to the calling thread
(as in TF). `set_as_default()` and `set_step()` outside any such context set process-wide defaults,
so worker threads see the writer and step the main thread configured.
"""

from __future__ import annotations

import contextlib
import operator
import re
import sys
import threading
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any

from summary.writer.locks import ForkSafeLock

_INVALID_SCOPE_CHARACTERS = re.compile(r"[^-_/.A-Za-z0-9]")
_INT64_MIN, _INT64_MAX = -(1 << 63), (1 << 63) - 1


class _ThreadState(threading.local):
    def __init__(self) -> None:
        self.writers: list[Any] = []
        self.steps: list[list[Any]] = []
        self.conditions: list[bool | Callable[[], bool]] = []
        self.scopes: list[str] = []
        self.captures: list[Callable[[FrameType], Any]] = []


class _ProcessState:
    writer: Any = None
    step: Any = None


_local = _ThreadState()
_process = _ProcessState()
_capturing_threads = 0  # threads inside `capturing()`: ops check their own thread only if > 0
_capturing_lock = ForkSafeLock()


def default_writer() -> Any:
    """The writer ops write to: this thread's innermost `as_default()`, else the process default."""
    writers = _local.writers
    return writers[-1] if writers else _process.writer


def _recording() -> bool:
    for condition in _local.conditions:
        if not (condition() if callable(condition) else condition):
            return False
    return True


def recording_writer() -> Any:
    """The default writer if summaries should be recorded now, else None.

    Under `capturing(handler)` (summary.v1's graph mode) it returns `handler(caller's frame)`.
    """
    local = _local  # one global lookup; each attribute of a threading.local costs a dict lookup
    if _capturing_threads and local.captures:
        return local.captures[-1](sys._getframe(1))
    writers = local.writers
    writer = writers[-1] if writers else _process.writer
    if writer is None or not writer.records:
        return None
    if local.conditions and not _recording():
        return None
    return writer


def should_record_summaries() -> bool:
    """True when a default writer is set and every enclosing `record_if` condition holds."""
    writer = default_writer()
    if writer is None or not writer.records:
        return False
    return not _local.conditions or _recording()


@contextlib.contextmanager
def record_if(condition: bool | Callable[[], bool]) -> Iterator[None]:
    """Record summaries inside this context only when `condition` (or `condition()`) is true."""
    _local.conditions.append(condition)
    try:
        yield
    finally:
        _local.conditions.pop()


@contextlib.contextmanager
def writer_as_default(writer: Any, step: Any = None) -> Iterator[Any]:
    """Make `writer` this thread's default (and `step` its default step) inside the context."""
    _local.writers.append(writer)
    if step is not None:
        _local.steps.append([step])
    try:
        yield writer
    finally:
        if step is not None:
            _local.steps.pop()
        _local.writers.pop()


def call_with_writer(writer: Any, op: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
    """Call `op` with `writer` as its only target: no record_if conditions, no name scopes.

    For callers that name their writer explicitly (`SummaryWriter.add_*`, framework callbacks):
    tags are taken verbatim and every call records, as in tensorboardX (also inside a
    summary.v1 graph: such calls are not deferred).
    """
    local = _local
    conditions, scopes = local.conditions, local.scopes
    local.conditions, local.scopes = [], []
    captures = local.captures if _capturing_threads else None
    if captures:
        local.captures = []
    local.writers.append(writer)
    try:
        return op(*args, **kwargs)
    finally:
        local.writers.pop()
        local.conditions, local.scopes = conditions, scopes
        if captures:
            local.captures = captures


def set_process_default(writer: Any, step: Any = None) -> None:
    """Make `writer` the default for every thread without an `as_default()` context."""
    _process.writer = writer
    if step is not None:
        set_step(step)


def clear_process_default(writer: Any) -> None:
    """Forget `writer` as the process default (used when it closes)."""
    if _process.writer is writer:
        _process.writer = None


def set_step(step: Any) -> None:
    """Set the default step: of the innermost `as_default(step=...)` if any, else process-wide."""
    if _local.steps:
        _local.steps[-1][0] = step
    else:
        _process.step = step


def get_step() -> Any:
    """The default step, or None when none is set."""
    return _local.steps[-1][0] if _local.steps else _process.step


def as_int64_step(op: str, tag: str, step: Any) -> int:
    """`step` as a Python int in int64 range, or a ValueError/TypeError naming the op and tag."""
    if type(step) is int and _INT64_MIN <= step <= _INT64_MAX:
        return step
    if callable(step):
        step = step()
    try:
        value = operator.index(step)
    except TypeError:
        value = _integral_float(op, tag, step)
    if not _INT64_MIN <= value <= _INT64_MAX:
        raise ValueError(f"summary.{op}({tag!r}): step {value} is outside the int64 range")
    return value


def _integral_float(op: str, tag: str, step: Any) -> int:
    try:
        if isinstance(step, (str, bytes)):
            raise TypeError
        as_float = float(step)
    except (TypeError, ValueError):
        raise TypeError(
            f"summary.{op}({tag!r}): step must be an integer, got {type(step).__name__} {step!r}"
        ) from None
    if not as_float.is_integer():
        raise ValueError(f"summary.{op}({tag!r}): step must be a whole number, got {step!r}")
    return int(as_float)


def resolve_step(op: str, tag: str, step: Any) -> int:
    """The explicit step, else the default step; a ValueError naming op and tag if neither."""
    if type(step) is int and _INT64_MIN <= step <= _INT64_MAX:  # the hot path, without a call
        return step
    if step is None:
        step = _local.steps[-1][0] if _local.steps else _process.step
        if step is None:
            raise ValueError(
                f"summary.{op}({tag!r}): step is None and no default step is set; pass step= "
                "or call summary.experimental.set_step()"
            )
    return as_int64_step(op, tag, step)


def tag_for(op: str, name: Any) -> str:
    """`check_name` then `scoped_tag` in one call: the tag an op writes under."""
    if type(name) is not str or not name:
        name = check_name(op, name)
    scopes = _local.scopes
    return "/".join(scopes) + "/" + name if scopes else name


def scoped_tag(name: str) -> str:
    """`name` prefixed by the enclosing name scopes, as TF's summary_scope builds the tag."""
    scopes = _local.scopes
    return "/".join(scopes) + "/" + name if scopes else name


def check_name(op: str, name: Any) -> str:
    """The summary name as a non-empty str, or a TypeError/ValueError naming the op."""
    if isinstance(name, bytes):
        name = name.decode("utf-8")
    if not isinstance(name, str):
        raise TypeError(f"summary.{op}({name!r}): name must be a str, got {type(name).__name__}")
    if not name:
        raise ValueError(f"summary.{op}(''): name (the tag) must not be empty")
    return name


@contextlib.contextmanager
def name_scope(name: str) -> Iterator[str]:
    """Prefix the tags of ops called inside with `name/`; yields the full scope ("a/b/")."""
    if not isinstance(name, str):
        raise TypeError(f"summary.name_scope: name must be a str, got {type(name).__name__}")
    parts = [part for part in name.split("/") if part]
    _local.scopes.extend(parts)
    try:
        yield "/".join(_local.scopes) + "/" if _local.scopes else ""
    finally:
        if parts:
            del _local.scopes[-len(parts) :]


@contextlib.contextmanager
def summary_scope(
    name: str | None, default_name: str = "summary", values: Any = None
) -> Iterator[tuple[str, str]]:
    """Yields (tag, scope): the tag keeps `name` as given, the scope drops invalid characters."""
    name = name or default_name
    tag = scoped_tag(name)
    scope_name = _INVALID_SCOPE_CHARACTERS.sub("", name) or default_name
    with name_scope(scope_name) as scope:
        yield tag, scope


# -- deferral: summary.v1's graph mode records op calls and runs them later --------------------


@contextlib.contextmanager
def capturing(handler: Callable[[FrameType], Any]) -> Iterator[None]:
    """Inside, an op's `recording_writer()` call returns `handler(op_frame)` instead.

    The handler records the op call from its frame and returns None, so the op returns False
    without touching its arguments (they may be placeholders fed only at run time).
    """
    global _capturing_threads
    captures = _local.captures
    if not captures:
        with _capturing_lock:
            _capturing_threads += 1
    captures.append(handler)
    try:
        yield
    finally:
        captures.pop()
        if not captures:
            with _capturing_lock:
                _capturing_threads -= 1


def captured_state() -> tuple[Any, Any, tuple[str, ...], tuple[Any, ...]]:
    """(default writer, default step, name scopes, record_if conditions) of this thread now."""
    return default_writer(), get_step(), tuple(_local.scopes), tuple(_local.conditions)


@contextlib.contextmanager
def replaying(state: tuple[Any, Any, tuple[str, ...], tuple[Any, ...]]) -> Iterator[None]:
    """Run a captured op for real, under the writer, scopes and conditions it was made with.

    Without a captured writer the current default is used; a captured step applies only when
    none is set now (so a step set at run time wins); conditions of both must hold.
    """
    writer, step, scopes, conditions = state
    local = _local
    saved = local.captures, local.scopes, local.conditions
    local.captures, local.scopes = [], list(scopes)
    local.conditions = [*saved[2], *conditions]
    add_writer = writer is not None
    add_step = step is not None and get_step() is None
    if add_writer:
        local.writers.append(writer)
    if add_step:
        local.steps.append([step])
    try:
        yield
    finally:
        if add_step:
            local.steps.pop()
        if add_writer:
            local.writers.pop()
        local.captures, local.scopes, local.conditions = saved
