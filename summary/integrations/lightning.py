"""`TensorBoardLogger` for PyTorch Lightning that writes through `summary.SummaryWriter`.

Lightning's own logger creates torch's or tensorboardX's writer and writes hparams through
their private file writer; this one is the same logger (same directories `<save_dir>/<name>/
version_<n>`, same `hparams.yaml`, same tags) with `summary` underneath. Import it from here;
Lightning is imported with this module.
"""

from __future__ import annotations

from argparse import Namespace
from typing import Any

import numpy as np
from lightning.fabric.loggers.logger import rank_zero_experiment
from lightning.fabric.utilities.logger import _convert_params, _flatten_dict
from lightning.pytorch.loggers import tensorboard
from lightning.pytorch.utilities import rank_zero_only

from summary.ops.hparams import hparams_metadata
from summary.ops.write import write
from summary.summary_writer import SummaryWriter

_CALLER = "TensorBoardLogger.log_hyperparams"  # how errors name the op
_NULL_TENSOR = np.zeros((0,), dtype=np.float32)


class TensorBoardLogger(tensorboard.TensorBoardLogger):
    """Lightning's TensorBoard logger, writing with `summary` (no torch/tensorboardX writer)."""

    _experiment: SummaryWriter | None  # set by Lightning's __init__, opened on first use

    @property
    @rank_zero_experiment
    def experiment(self) -> SummaryWriter:
        """The `summary.SummaryWriter` of this version's directory (`logger.experiment.add_*`)."""
        if self._experiment is None:
            if self.root_dir:
                self._fs.makedirs(self.root_dir, exist_ok=True)
            self._experiment = SummaryWriter(log_dir=self.log_dir, **self._kwargs)
        return self._experiment

    @rank_zero_only
    def log_hyperparams(
        self,
        params: dict[str, Any] | Namespace,
        metrics: dict[str, Any] | None = None,
        step: int | None = None,
    ) -> None:
        """As Lightning: keep params for hparams.yaml, log the metrics, then the hparams plugin
        summaries in this run (Lightning writes them through torch's private file writer)."""
        params = _convert_params(params)
        self.hparams.update(params)
        flat = self._sanitize_params(_flatten_dict(params))
        if metrics is None:
            metrics = {"hp_metric": -1} if self._default_hp_metric else {}
        elif not isinstance(metrics, dict):
            metrics = {"hp_metric": metrics}
        if not metrics:
            return
        self.log_metrics(metrics, step)
        for tag, metadata in hparams_metadata(flat, metrics):
            write.direct(
                self.experiment,
                "TensorBoardLogger.log_hyperparams",
                tag,
                _NULL_TENSOR,
                step or 0,
                metadata,
            )
