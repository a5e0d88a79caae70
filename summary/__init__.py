"""summary: write TensorBoard event files the way `tf.summary` does, without TensorFlow."""

from summary import experimental
from summary.ops import (
    NonFiniteHistogramWarning,
    audio,
    custom_scalars,
    graph,
    histogram,
    image,
    mesh,
    pr_curve,
    scalar,
    text,
    write,
)
from summary.summary_writer import SummaryWriter, create_file_writer
from summary.writer import (
    NoopWriter,
    WriterClosedError,
    WriterError,
    create_noop_writer,
    flush,
    name_scope,
    record_if,
    should_record_summaries,
)

__version__ = "0.1.0"

__all__ = [
    "NonFiniteHistogramWarning",
    "NoopWriter",
    "SummaryWriter",
    "WriterClosedError",
    "WriterError",
    "audio",
    "create_file_writer",
    "create_noop_writer",
    "custom_scalars",
    "distributed",
    "experimental",
    "flush",
    "graph",
    "histogram",
    "hparams",
    "image",
    "mesh",
    "name_scope",
    "pr_curve",
    "reader",
    "record_if",
    "scalar",
    "should_record_summaries",
    "text",
    "v1",
    "write",
]


_LAZY_SUBMODULES = ("distributed", "hparams", "keras", "reader", "v1")


def __getattr__(name: str) -> object:
    """Submodules a training loop rarely needs (Keras, reading, TF 1.x, multi-process helpers)
    are imported on first use, which keeps `import summary` fast and free of Keras."""
    if name in _LAZY_SUBMODULES:
        import importlib

        return importlib.import_module(f"summary.{name}")
    raise AttributeError(f"module 'summary' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY_SUBMODULES})
