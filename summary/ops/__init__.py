"""Instrumentation ops: each turns user data into a tensor plus plugin metadata for the writer."""

from summary.ops.audio import audio
from summary.ops.image import image
from summary.ops.scalar import scalar
from summary.ops.write import write

__all__ = ["audio", "image", "scalar", "write"]
