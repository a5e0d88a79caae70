"""The one op skeleton: `@summary_op` turns an op's body into the public function users call.

A body is `body(target, tag, *data_arguments) -> None`: it validates and converts its data on the
caller's thread and queues one value on `target` (a `SummaryTarget`). The public function, with
the body's signature minus `target` and with the tag parameter named as TF names it, does the
rest, the same way for every op:

1. inside `summary.v1.Graph()` (deferral), hand the op and its bound arguments to the graph's
   handler and return False: nothing is read, so arguments may be placeholders or callables;
2. find the recording writer (the default writer, unless `record_if` is off): none, return False;
3. check the name and prefix the enclosing name scopes (`tag="scoped"`), or check it only
   (`"verbatim"`, as `summary.write`), or skip both for ops without a tag (`None`, as `graph`);
4. run the body; a closed writer's error is re-raised naming the op and the tag; return True.

`op.direct(target, caller, tag, *args)` runs the body for callers that name their writer (the
`add_*` methods, framework callbacks): tag verbatim, always recorded, never deferred, and input
errors named as the user called it (`SummaryWriter.add_scalar`).

The public function is generated once per op from its parameter names (as `dataclasses` builds
`__init__`), so a call costs no argument packing: the scalar path stays a few hundred ns.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, Literal, Protocol

from summary.writer import context
from summary.writer.errors import WriterClosedError, closed_error, renamed
from summary.writer.target import SummaryTarget

TagRule = Literal["scoped", "verbatim", None]

_PUBLIC = """\
def {name}({params}):
    local = _local
    if _capture.threads and local.captures:
        return local.captures[-1](_public, ({arguments},))
    writers = local.writers
    target = writers[-1] if writers else _process.writer
    if target is None or not target.records:
        return False
    if local.conditions and not _recording():
        return False
    {tag_lines}
    try:
        _body(target, {body_arguments})
    except _WriterClosedError as error:
        raise _closed_error({op!r}, {tag_value}, error) from None
    return True
"""
# Steps 1-3 are `context.recording_writer()` and `context.tag_for()` written out: the scalar path
# pays for each Python call it makes (~5% of its time each), and this is the one place they run.
_SCOPED = """if type(name) is not str or not name or not name.isascii():
        name = _check_name({op!r}, name)
    scopes = local.scopes
    tag = "/".join(scopes) + "/" + name if scopes else name"""
_VERBATIM = """if type(tag) is not str or not tag or not tag.isascii():
        tag = _check_name({op!r}, tag)"""


class SummaryOp(Protocol):
    """A declared op: callable as TF's op, plus the direct path for explicit writers."""

    op_name: str
    tag_rule: TagRule

    def __call__(self, *args: Any, **kwargs: Any) -> bool: ...

    def direct(self, target: SummaryTarget, caller: str, *args: Any) -> None: ...


REGISTRY: dict[str, SummaryOp] = {}  # every declared op by name: what summary.v1 can defer


def summary_op(op: str, *, tag: TagRule = "scoped") -> Callable[[Callable[..., None]], SummaryOp]:
    """Declare `body` as the op `summary.<op>`; see the module docstring for what it adds."""

    def declare(body: Callable[..., None]) -> SummaryOp:
        public = _public_function(op, tag, body)
        public.op_name, public.tag_rule = op, tag
        public.direct = _direct(op, tag, body)
        REGISTRY[op] = public
        return public

    return declare


def _public_function(op: str, tag: TagRule, body: Callable[..., None]) -> Any:
    parameters = list(inspect.signature(body).parameters.values())
    expected = ["target", "tag"] if tag else ["target"]
    if [p.name for p in parameters[: len(expected)]] != expected or any(
        p.kind is not p.POSITIONAL_OR_KEYWORD for p in parameters
    ):
        raise TypeError(f"summary_op({op!r}): the body must take ({', '.join(expected)}, ...)")
    data = [p.name for p in parameters[len(expected) :]]
    tag_name = {"scoped": "name", "verbatim": "tag", None: None}[tag]
    public_names = [tag_name, *data] if tag_name else data
    tag_lines = {"scoped": _SCOPED, "verbatim": _VERBATIM, None: "pass"}[tag].format(op=op)
    source = _PUBLIC.format(
        name=body.__name__,
        params=", ".join(public_names),
        arguments=", ".join(public_names),
        tag_lines=tag_lines,
        body_arguments=", ".join(["tag", *data] if tag else data),
        op=op,
        tag_value="tag" if tag else "None",
    )
    namespace: dict[str, Any] = {
        **context.op_namespace(),
        "_body": body,
        "_WriterClosedError": WriterClosedError,
        "_closed_error": closed_error,
    }
    exec(compile(source, f"<summary op {op}>", "exec"), namespace)
    public = namespace[body.__name__]
    namespace["_public"] = public
    public.__defaults__ = body.__defaults__
    public.__doc__ = body.__doc__
    public.__module__ = body.__module__
    public.__qualname__ = body.__qualname__
    public.__annotations__ = {
        key: value for key, value in body.__annotations__.items() if key not in ("target",)
    }
    if tag_name and tag_name != "tag":
        public.__annotations__[tag_name] = public.__annotations__.pop("tag", "str")
    public.__annotations__["return"] = "bool"
    return public


_DIRECT = """\
def direct(target, caller, {params}):
    {tag_line}
    try:
        _body(target, {params})
    except (TypeError, ValueError) as error:
        raise _renamed(error, caller) from None
    except _WriterClosedError as error:
        raise _closed_error(caller, {tag_value}, error) from None
"""


def _direct(op: str, tag: TagRule, body: Callable[..., None]) -> Callable[..., None]:
    """`direct(target, caller, *body_arguments)`: the body on `target`, tag verbatim (checked
    as `check_name` does), errors named as `caller`; generated like the public function."""
    names = list(inspect.signature(body).parameters)[1:]
    source = _DIRECT.format(
        params=", ".join(names),
        tag_line=(
            "if type(tag) is not str or not tag or not tag.isascii(): "
            "tag = _check_name(caller, tag)"
        )
        if tag
        else "pass",
        tag_value="tag" if tag else "None",
    )
    namespace: dict[str, Any] = {
        "_body": body,
        "_check_name": context.check_name,
        "_renamed": renamed,
        "_WriterClosedError": WriterClosedError,
        "_closed_error": closed_error,
    }
    exec(compile(source, f"<summary op {op} direct>", "exec"), namespace)
    direct = namespace["direct"]
    direct.__defaults__ = body.__defaults__
    direct.__qualname__ = f"{body.__qualname__}.direct"
    return direct
