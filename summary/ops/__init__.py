"""Instrumentation ops: each turns user data into a tensor plus plugin metadata for the writer."""

from summary.ops.scalar import scalar
from summary.ops.write import write

__all__ = ["scalar", "write"]
