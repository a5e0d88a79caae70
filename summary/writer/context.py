"""Who records where: the default writer, the default step, record_if and name scopes.

`as_default()`, `record_if()` and `name_scope()` are context managers scoped to the calling thread
(as in TF). `set_as_default()` and `set_step()` outside any such context set process-wide defaults,
so worker threads see the writer and step the main thread configured.
"""

from __future__ import annotations

import contextlib
import operator
import re
import threading
from collections.abc import Callable, Iterator
from typing import Any

from summary.writer.errors import op_error, op_type_error
from summary.writer.locks import ForkSafeLock
from summary.writer.target import SummaryTarget

DeferHandler = Callable[[Callable[..., bool], tuple[Any, ...]], Any]
"""summary.v1's graph mode: receives a declared op and its bound arguments instead of a run."""

_INVALID_SCOPE_CHARACTERS = re.compile(r"[^-_/.A-Za-z0-9]")
_INT64_MIN, _INT64_MAX = -(1 << 63), (1 << 63) - 1


class _ThreadState(threading.local):
    def __init__(self) -> None:
        self.writers: list[Any] = []
        self.steps: list[list[Any]] = []
        self.conditions: list[bool | Callable[[], bool]] = []
        self.scopes: list[str] = []
        self.captures: list[DeferHandler] = []


class _ProcessState:
    writer: Any = None
    step: Any = None


class _Capture:
    """Deferral state. `threads` counts threads inside `capturing()`: a declared op looks for
    its own thread's handler only while it is above 0, so the common path is one attribute read
    (deliberately unlocked: a thread's own count change is seen by itself at once)."""

    threads = 0
    lock = ForkSafeLock()

    def handler(self) -> DeferHandler | None:
        """This thread's innermost deferral handler, if it is capturing."""
        captures = _local.captures
        return captures[-1] if captures else None


_local = _ThreadState()
_process = _ProcessState()
capture = _Capture()


def default_writer() -> Any:
    """The writer ops write to: this thread's innermost `as_default()`, else the process default."""
    writers = _local.writers
    return writers[-1] if writers else _process.writer


def _recording() -> bool:
    for condition in _local.conditions:
        if not (condition() if callable(condition) else condition):
            return False
    return True


def recording_writer() -> SummaryTarget | None:
    """The default writer if summaries should be recorded now, else None.

    Inside `capturing()` only declared ops may log (they defer before asking): anything else
    asking here could not be replayed, so it is told so instead of writing at once.
    """
    local = _local  # one global lookup; each attribute of a threading.local costs a dict lookup
    if capture.threads and local.captures:
        raise RuntimeError(
            "summary.v1: a function that is not a declared op (summary.ops.declare.summary_op) "
            "asked for the default writer inside Graph.as_default(), so it cannot be deferred; "
            "declare it with @summary_op or call it outside the graph context"
        )
    writers = local.writers
    writer = writers[-1] if writers else _process.writer
    if writer is None or not writer.records:
        return None
    if local.conditions and not _recording():
        return None
    return writer


def op_namespace() -> dict[str, Any]:
    """The state a declared op's generated code reads (summary/ops/declare.py): it inlines
    `recording_writer()` and `tag_for()` for speed, so it needs what they read."""
    return {
        "_local": _local,
        "_process": _process,
        "_capture": capture,
        "_recording": _recording,
        "_check_name": check_name,
    }


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


def set_process_default(writer: Any, step: Any = None) -> None:
    """Make `writer` the default for every thread without an `as_default()` context."""
    _process.writer = writer
    if step is not None:
        set_step(step)


def set_step(step: Any) -> None:
    """Set the default step: of the innermost `as_default(step=...)` if any, else process-wide."""
    if _local.steps:
        _local.steps[-1][0] = step
    else:
        _process.step = step


def get_step() -> Any:
    """The default step, or None when none is set."""
    return _local.steps[-1][0] if _local.steps else _process.step


def as_int64_step(op: str, tag: str | None, step: Any) -> int:
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
        raise op_error(op, tag, f"step {value} is outside the int64 range")
    return value


def _integral_float(op: str, tag: str | None, step: Any) -> int:
    try:
        if isinstance(step, (str, bytes)):
            raise TypeError
        as_float = float(step)
    except (TypeError, ValueError):
        raise op_type_error(
            op, tag, f"step must be an integer, got {type(step).__name__} {step!r}"
        ) from None
    if not as_float.is_integer():
        raise op_error(op, tag, f"step must be a whole number, got {step!r}")
    return int(as_float)


def resolve_step(op: str, tag: str | None, step: Any) -> int:
    """The explicit step, else the default step; a ValueError naming op and tag if neither."""
    if type(step) is int and _INT64_MIN <= step <= _INT64_MAX:  # the hot path, without a call
        return step
    if step is None:
        step = _local.steps[-1][0] if _local.steps else _process.step
        if step is None:
            raise op_error(
                op,
                tag,
                "step is None and no default step is set; pass step= "
                "or call summary.experimental.set_step()",
            )
    return as_int64_step(op, tag, step)


def tag_for(op: str, name: Any) -> str:
    """The tag an op writes under: `name` checked (`check_name`) and prefixed by the enclosing
    name scopes, as TF's summary_scope builds it."""
    if type(name) is not str or not name or not name.isascii():
        name = check_name(op, name)
    scopes = _local.scopes  # scoped_tag's rule, inline: this runs on every op call
    return "/".join(scopes) + "/" + name if scopes else name


def scoped_tag(name: str) -> str:
    """`name` prefixed by the enclosing name scopes ("train/loss")."""
    scopes = _local.scopes
    return "/".join(scopes) + "/" + name if scopes else name


def check_name(op: str, name: Any) -> str:
    """The summary name as a non-empty str of valid Unicode (bytes as UTF-8), or a
    TypeError/ValueError naming the op: a tag the writer thread could not encode is refused."""
    if isinstance(name, bytes):
        try:
            name = name.decode("utf-8")
        except UnicodeDecodeError:
            raise op_error(op, name, "name is not valid UTF-8") from None
    if not isinstance(name, str):
        raise op_type_error(op, name, f"name must be a str, got {type(name).__name__}")
    if not name:
        raise op_error(op, "", "name (the tag) must not be empty")
    if not name.isascii():
        check_text(op, name, "name", name)
    return name


def check_text(op: str, tag: Any, what: str, text: str) -> None:
    """A ValueError naming op and tag if `text` holds a lone surrogate (not encodable as UTF-8)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise op_error(
            op, tag, f"{what} is not valid Unicode: {error.reason} at {error.start}"
        ) from None


@contextlib.contextmanager
def name_scope(name: str) -> Iterator[str]:
    """Prefix the tags of ops called inside with `name/`; yields the full scope ("a/b/")."""
    if not isinstance(name, str):
        raise op_type_error("name_scope", None, f"name must be a str, got {type(name).__name__}")
    check_text("name_scope", name, "name", name)
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
    tag = tag_for("summary_scope", name)
    scope_name = _INVALID_SCOPE_CHARACTERS.sub("", name) or default_name
    with name_scope(scope_name) as scope:
        yield tag, scope


# -- deferral: summary.v1's graph mode records op calls and runs them later --------------------


@contextlib.contextmanager
def capturing(handler: DeferHandler) -> Iterator[None]:
    """Inside, a declared op (summary/ops/declare.py) calls `handler(op, bound_arguments)` and
    returns its result without running, so arguments may be placeholders fed only at run time."""
    captures = _local.captures
    if not captures:
        with capture.lock:
            capture.threads += 1
    captures.append(handler)
    try:
        yield
    finally:
        captures.pop()
        if not captures:
            with capture.lock:
                capture.threads -= 1


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
