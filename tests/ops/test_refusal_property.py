"""The refusal rule, by property: any call of any public op (`summary.ops.__all__`) or
`SummaryWriter.add_*` method, with arbitrary tags, steps, descriptions and data, either returns or
raises a TypeError/ValueError naming the op as called and the tag; nothing else. Afterwards every
run loads in TensorBoard's own loader with exactly the accepted calls' values in it (per tag), and
`flush()`/`close()` raise nothing: a refused call leaves no trace, a written record parses.

New ops and methods are covered as they are added: both lists are read, not typed here.
"""

from __future__ import annotations

import inspect
import os
import tempfile
import warnings
from collections import Counter
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from summary import SummaryWriter, ops
from tests.tensorboard_loader import multiplexer

hparams_metadata = pytest.importorskip("tensorboard.plugins.hparams.metadata")
graph_metadata = pytest.importorskip("tensorboard.plugins.graph.metadata")

OPS = [name for name in ops.__all__ if callable(getattr(ops, name)) and name[0].islower()]
METHODS = sorted(name for name in dir(SummaryWriter) if name.startswith("add_"))
HPARAMS_TAGS = (
    hparams_metadata.EXPERIMENT_TAG,
    hparams_metadata.SESSION_START_INFO_TAG,
    hparams_metadata.SESSION_END_INFO_TAG,
)

# Any character, surrogates included (st.text leaves them out by default).
characters = st.characters(exclude_categories=())
texts = st.text(characters, max_size=4)
tags = st.one_of(
    st.sampled_from(["loss", "a/b", "x"]), texts, st.binary(max_size=3), st.integers(), st.none()
)
steps = st.one_of(
    st.integers(-(2**64), 2**64), st.floats(), st.none(), texts, st.sampled_from([0, 1, 2])
)
descriptions = st.one_of(st.none(), texts, st.binary(max_size=2), st.integers())
arrays = hnp.arrays(
    dtype=st.one_of(hnp.scalar_dtypes(), hnp.byte_string_dtypes(), hnp.unicode_string_dtypes()),
    shape=hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=3),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(),
    st.complex_numbers(),
    texts,
    st.binary(max_size=3),
)
# Values each op accepts for some argument, so that calls are accepted too, not only refused.
GOOD = [
    0.5,
    3,
    "hello",
    [True, False],
    [0.2, 0.9],
    np.zeros((1, 2, 2, 3), np.uint8),
    np.zeros((3, 2, 2), np.float32),
    np.zeros((1, 4, 1), np.float32),
    np.linspace(-1, 1, 8),
    {"run": 1.0},
]
anything = st.one_of(
    scalars,
    arrays,
    st.lists(st.one_of(st.integers(-3, 3), st.floats(), texts), max_size=3),
    st.lists(st.lists(st.floats(-1, 1), max_size=3), max_size=3),  # ragged or not
    st.dictionaries(texts, st.one_of(st.floats(), texts), max_size=2),
    st.sampled_from(GOOD),
    st.builds(object),
)
ARGUMENT = {
    "step": steps,
    "global_step": steps,
    "description": descriptions,
    "summary_description": descriptions,
    "walltime": st.one_of(st.none(), st.floats(), texts, st.integers()),
}


def tag_text(tag: Any) -> Any:
    """The tag TensorBoard shows for an accepted call's tag (bytes are read as UTF-8)."""
    return tag.decode("utf-8") if isinstance(tag, bytes) else tag


def named(message: str, op: str, tag: Any) -> bool:
    """The message names `op` as called and, when the call had a tag, that tag."""
    if not message.startswith(f"summary.{op}"):
        return False
    if tag is None:
        return True
    if isinstance(tag, bytes):
        try:
            tag = tag.decode("utf-8")  # a UTF-8 tag is named as the text it is
        except UnicodeDecodeError:
            return repr(tag) in message
    shown = repr(tag)[:-1] if isinstance(tag, str) else repr(tag)  # a prefix: "x" in "x (run)"
    return shown in message


def draw_arguments(data: Any, function: Any, skip: int) -> dict[str, Any]:
    """Keyword arguments for `function` past its first `skip` parameters: every required one,
    each optional one half the time, each drawn from its own strategy or from `anything`."""
    kwargs = {}
    for parameter in list(inspect.signature(function).parameters.values())[skip:]:
        if parameter.name in ("name", "run_name", "close"):  # sub-run paths; add_figure's flag
            continue
        if parameter.default is inspect.Parameter.empty or data.draw(st.booleans()):
            kwargs[parameter.name] = data.draw(ARGUMENT.get(parameter.name, anything))
    return kwargs


UNTAGGED = {  # ops without a tag argument -> the tag they write
    "hparams": hparams_metadata.SESSION_START_INFO_TAG,
    "hparams_config": hparams_metadata.EXPERIMENT_TAG,
    "custom_scalars": "custom_scalars__config__",
}


def mesh_tags(tag: Any, kwargs: dict[str, Any]) -> list[str]:
    """The records an accepted mesh call writes: `<tag>_VERTEX`, and FACE/COLOR when given."""
    parts = ["VERTEX"] + [
        part
        for part, key in (("FACE", "faces"), ("COLOR", "colors"))
        if kwargs.get(key) is not None
    ]
    return [f"{tag_text(tag)}_{part}" for part in parts]


def call_op(data: Any, expected: Counter) -> None:
    op = data.draw(st.sampled_from(OPS))
    function = getattr(ops, op)  # summary.hparams is the HParams API module
    tagged = op != "graph" and op not in UNTAGGED
    tag = data.draw(tags) if tagged else None
    kwargs = draw_arguments(data, function, 1 if tagged else 0)
    args = (tag,) if tagged else ()
    try:
        written = function(*args, **kwargs)
    except (TypeError, ValueError) as error:
        assert named(str(error), op, tag), (op, tag, kwargs, error)
        return
    assert written is True
    if op == "mesh":
        expected.update(mesh_tags(tag, kwargs))
    else:
        expected["<graph>" if op == "graph" else UNTAGGED.get(op) or tag_text(tag)] += 1


def call_method(data: Any, writer: SummaryWriter, expected: Counter) -> None:
    method = data.draw(st.sampled_from(METHODS))
    function = getattr(SummaryWriter, method)
    if method in ("add_graph", "add_custom_scalars") or method.startswith("add_custom_scalars_"):
        tag = None  # add_graph: arbitrary data is never a torch module: always refused
        kwargs = draw_arguments(data, function, 1)
    elif method == "add_hparams":
        tag = None
        kwargs = {
            "hparam_dict": data.draw(st.dictionaries(st.sampled_from(["lr", "n"]), anything)),
            "metric_dict": data.draw(st.dictionaries(tags, anything, max_size=2)),
            "run_name": "hparams",
        }
    else:
        tag = data.draw(tags)
        kwargs = {"tag" if method != "add_scalars" else "main_tag": tag}
        kwargs.update(draw_arguments(data, function, 2))
    try:
        getattr(writer, method)(**kwargs)
    except (TypeError, ValueError) as error:
        assert named(str(error), f"SummaryWriter.{method}", tag), (method, kwargs, error)
        return
    if method == "add_graph":
        expected["<graph>"] += 1
    elif method.startswith("add_custom_scalars"):
        expected[UNTAGGED["custom_scalars"]] += 1
    elif method == "add_mesh":
        expected.update(mesh_tags(tag, kwargs))
    elif method == "add_hparams":
        expected.update(HPARAMS_TAGS)
        expected.update(tag_text(t) for t in kwargs["metric_dict"])
    elif method == "add_scalars":
        expected[tag_text(tag)] += len(kwargs["tag_scalar_dict"])
    elif method == "add_text":
        expected[f"{tag_text(tag)}/text_summary"] += 1
    else:
        expected[tag_text(tag)] += 1


def loaded(logdir: str) -> Counter:
    """Values per tag over every run under `logdir`, as TensorBoard's loader reads them."""
    mux = multiplexer(logdir)
    found: Counter = Counter()
    for run, run_tags in mux.Runs().items():
        for tag in run_tags["tensors"]:
            if tag != graph_metadata.RUN_GRAPH_NAME:  # the loader's copy of the graph
                found[tag] += len(mux.Tensors(run, tag))
        if run_tags["graph"]:
            found["<graph>"] += 1
    return found


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_every_call_is_accepted_or_refused_naming_op_and_tag_and_the_run_loads(data):
    expected: Counter = Counter()
    with tempfile.TemporaryDirectory() as logdir, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. NonFiniteHistogramWarning: not what is tested
        writer = SummaryWriter(logdir)
        try:
            with writer.as_default():
                for _ in range(data.draw(st.integers(1, 4))):
                    if data.draw(st.booleans()):
                        call_op(data, expected)
                    else:
                        call_method(data, writer, expected)
            writer.flush()
        finally:
            writer.close()  # also when an example fails, before its logdir is removed
        if expected["<graph>"]:
            expected["<graph>"] = 1  # a run has one graph
        assert loaded(logdir) == +expected
        assert all(not name.startswith("..") for name in os.listdir(logdir))
