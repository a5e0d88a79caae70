"""`summary.trace_on`, `trace_off`, `trace_export`: TF's graph/profiler tracing, which needs TF's
runtime (it records what `tf.function` executes). Without TF there is nothing honest to trace,
so `trace_on` and `trace_export` raise and say what to use instead; `trace_off` is harmless.
"""

from __future__ import annotations

_POINTER = (
    "tracing needs TensorFlow's runtime, which summary does not use. Write a graph with "
    "summary.graph(graph_def) (a GraphDef or tf.Graph) or SummaryWriter.add_graph(model, inputs) "
    "(a torch module); profile with your framework's profiler "
    "(e.g. torch.profiler.tensorboard_trace_handler)"
)


def trace_on(graph: bool = True, profiler: bool = False) -> None:
    """Refused (see the module docstring): raises NotImplementedError naming the alternatives."""
    raise NotImplementedError(f"summary.trace_on: {_POINTER}")


def trace_off() -> None:
    """Nothing to stop: `trace_on` never starts a trace."""


def trace_export(name: str, step: int | None = None, profiler_outdir: str | None = None) -> None:
    """Refused as `trace_on`: there is no trace to export."""
    raise NotImplementedError(f"summary.trace_export({name!r}): {_POINTER}")
