"""Instrumentation ops: each turns user data into a tensor plus plugin metadata for the writer."""

from summary.ops.audio import audio
from summary.ops.custom_scalars import custom_scalars
from summary.ops.graph import graph
from summary.ops.histogram import NonFiniteHistogramWarning, histogram
from summary.ops.hparams import hparams, hparams_config
from summary.ops.image import image
from summary.ops.mesh import mesh
from summary.ops.pr_curve import pr_curve
from summary.ops.scalar import scalar
from summary.ops.text import text
from summary.ops.write import write

__all__ = [
    "NonFiniteHistogramWarning",
    "audio",
    "custom_scalars",
    "graph",
    "histogram",
    "hparams",
    "hparams_config",
    "image",
    "mesh",
    "pr_curve",
    "scalar",
    "text",
    "write",
]
