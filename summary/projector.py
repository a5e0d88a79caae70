"""`summary.projector`: TensorBoard's `tensorboard.plugins.projector` API without TensorFlow."""

from __future__ import annotations

import os
from typing import Any

from summary.ops.embedding import replace_config
from summary.proto.plugins.projector_pb2 import EmbeddingInfo, ProjectorConfig, SpriteMetadata
from summary.writer.errors import op_type_error

__all__ = ["EmbeddingInfo", "ProjectorConfig", "SpriteMetadata", "visualize_embeddings"]


def visualize_embeddings(logdir: Any, config: ProjectorConfig) -> None:
    """Write `config` to `logdir/projector_config.pbtxt` (text format), as TensorBoard's does;
    `logdir` may be a path, an fsspec URL or a writer (its logdir). Replaces the file whole;
    embeddings this process logs to `logdir` afterwards are added to `config`."""
    logdir = getattr(logdir, "logdir", logdir)
    if isinstance(logdir, bytes):
        logdir = logdir.decode()
    logdir = os.fspath(logdir)
    if not isinstance(config, ProjectorConfig):
        raise op_type_error(
            "projector.visualize_embeddings",
            None,
            f"config must be a summary.projector.ProjectorConfig, got {type(config).__name__}",
        )
    replace_config(logdir, config)
