"""Ten scalars per training step through a dict-taking writer, run inside a worker process.

The subject is clu's `write_scalars(step, {name: value})` on `summary.integrations.clu`'s
writer (`summary`) and, for code ported from the peers, ten `add_scalar` calls on
`summary.SummaryWriter` (`summary (add_*)`), as tensorboardX and torch need ten calls too;
`tf.summary` is clu's own TF-backed `SummaryWriter.write_scalars` where clu and TensorFlow are
installed. With `values="numpy"` every value is a NumPy float32 scalar, which every row takes
as it is. With `values="jax"` every value is a JAX float32 scalar on the CPU device: our rows
take it as it is, the peers (which cannot) get `float(value)`, the same host read, in the loop.
Back to back, the writer thread's work competes with the caller for the GIL; `step_ms` spaces
the calls as a training loop does.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
from libraries import Session, open_session
from writing import scalar_tag, scalar_value, timed, units

KEYS = 10


def run(library: str, logdir: str, params: dict[str, Any]) -> dict[str, Any]:
    """The calls back to back, or once per training step whose `step_ms` of work releases the
    GIL (time.sleep stands in for it, not counted), so the writer thread works between calls."""
    calls, step_s = params["calls"], params.get("step_ms", 0) / 1000
    steps = [_step_values(call, params["values"]) for call in range(calls)]
    slept = 0.0

    def loop(log: Callable) -> int:
        nonlocal slept
        for step, scalars in enumerate(steps):
            if step_s:
                started = time.perf_counter()
                time.sleep(step_s)
                slept += time.perf_counter() - started
            log(step, scalars)
        return calls

    result = timed(
        library,
        logdir,
        "scalar_dict",
        lambda log: log(0, {"warmup": steps[0]["metric_0"]}),
        loop,
        _opener(params["values"]),
    )
    if "calls" in result:
        result["caller_s"] -= slept / calls
        result["total_s"] -= slept / calls
    return units(result, caller_us=1e6, total_us=1e6)


def _step_values(call: int, kind: str) -> dict[str, Any]:
    """Step `call`'s ten values: tags and values as in the scalars workload (readback checks)."""
    values = {
        scalar_tag(index, KEYS): scalar_value(index)
        for index in range(call * KEYS, (call + 1) * KEYS)
    }
    if kind == "jax":
        import jax.numpy as jnp

        return {tag: jnp.float32(value) for tag, value in values.items()}
    if kind == "numpy":
        return {tag: np.float32(value) for tag, value in values.items()}
    return values


def _opener(kind: str) -> Callable[[str, str], Session]:
    def open_dict_session(library: str, logdir: str) -> Session:
        if library == "summary":
            from summary.integrations.clu import SummaryWriter

            writer = SummaryWriter(logdir)
            return Session({"scalar_dict": writer.write_scalars}, writer.flush, writer.close)
        if library == "tf.summary":
            return _clu_tensorflow(logdir)
        session = open_session(library, logdir)
        add_scalar = session.ops["scalar"]
        if add_scalar is None:
            return session
        session.ops["scalar_dict"] = (
            _each_as_float(add_scalar)
            if kind == "jax" and library != "summary (add_*)"
            else _each(add_scalar)
        )
        return session

    return open_dict_session


def _each(add_scalar: Callable[..., Any]) -> Callable[[int, dict[str, Any]], None]:
    def scalar_dict(step: int, scalars: dict[str, Any]) -> None:
        for tag, value in scalars.items():
            add_scalar(tag, value, step)

    return scalar_dict


def _each_as_float(add_scalar: Callable[..., Any]) -> Callable[[int, dict[str, Any]], None]:
    def scalar_dict(step: int, scalars: dict[str, Any]) -> None:
        for tag, value in scalars.items():
            add_scalar(tag, float(value), step)

    return scalar_dict


def _clu_tensorflow(logdir: str) -> Session:
    from clu.metric_writers import SummaryWriter  # needs TensorFlow

    writer = SummaryWriter(logdir)
    return Session({"scalar_dict": writer.write_scalars}, writer.flush, writer.close)
