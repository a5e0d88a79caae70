"""`summary.keras.TensorBoard`: Keras 3's TensorBoard callback on any backend, without TensorFlow.

It writes what `keras.callbacks.TensorBoard` writes under TensorFlow, with the same run layout
(`<log_dir>/train`, `<log_dir>/validation`) and tag names (`epoch_loss`, `epoch_<metric>`,
`epoch_learning_rate`, `batch_<metric>`, `evaluation_<metric>_vs_iterations`,
`<weight path>/histogram`, `<weight path>/image`, `keras` for the conceptual graph). Embedding
layers' weights go to the Projector as `summary.embedding` files in `<log_dir>/train` (tag: the
layer's name, step: the epoch) instead of Keras's pointer into a TensorFlow checkpoint.
"""

from __future__ import annotations

import os
import time
from typing import Any

import keras
import numpy as np

import summary
from summary.integrations.keras_weights import weight_image
from summary.ops.inputs import to_array
from summary.ops.metadata import plugin_metadata
from summary.writer.errors import op_error

GRAPH_TAG = "keras"
_CALLER = "keras.TensorBoard"  # how errors name the op the callback ran
GRAPH_METADATA = plugin_metadata("graph_keras_model", b"1")


class TensorBoard(keras.callbacks.Callback):
    """Logs metrics, learning rate, weight histograms/images and the model graph for TensorBoard.

    Arguments mean what they mean for `keras.callbacks.TensorBoard`; profiling needs TensorFlow
    and is refused. `embeddings_metadata` (one file for every Embedding layer, or a dict from
    layer name to file; relative paths are under `log_dir`, as the projector resolves Keras's)
    is a metadata.tsv whose rows are copied beside each logged embedding.
    """

    def __init__(
        self,
        log_dir: str | os.PathLike[str] = "logs",
        histogram_freq: int = 0,
        write_graph: bool = True,
        write_images: bool = False,
        write_steps_per_second: bool = False,
        update_freq: str | int = "epoch",
        profile_batch: int = 0,
        embeddings_freq: int = 0,
        embeddings_metadata: Any = None,
    ) -> None:
        super().__init__()
        if profile_batch:
            raise op_error(
                "keras.TensorBoard",
                None,
                "profile_batch is not supported (it needs the "
                f"TensorFlow or JAX profiler); got {profile_batch!r}, use 0",
            )
        self.embeddings_freq = _non_negative_int("embeddings_freq", embeddings_freq)
        self.embeddings_metadata = embeddings_metadata
        self._embedding_labels: dict[str, tuple[list[Any], list[str] | None]] = {}
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq = _non_negative_int("histogram_freq", histogram_freq)
        self.write_graph = write_graph
        self.write_images = write_images
        self.write_steps_per_second = write_steps_per_second
        self.update_freq = _update_freq(update_freq)
        self._writers: dict[str, summary.SummaryWriter] = {}
        self._contexts: list[tuple[Any, Any]] = []
        self._global_train_batch = 0
        self._global_test_batch = 0
        self._training = False
        self._batch_start_time = 0.0
        self._epoch_start_time = 0.0
        self._previous_epoch_iterations = 0.0

    # -- writers ---------------------------------------------------------------------------

    def set_model(self, model: Any) -> None:
        """Remember the model, start fresh writers and write its conceptual graph."""
        self._close_writers()
        super().set_model(model)
        self._train_dir = os.path.join(self.log_dir, "train")
        self._val_dir = os.path.join(self.log_dir, "validation")
        if self.write_graph and type(model).__name__ in ("Functional", "Sequential"):
            self._write_model_graph(model)
        if self.embeddings_freq:
            self._embedding_labels = self._read_embeddings_metadata(model)

    def _read_embeddings_metadata(self, model: Any) -> dict[str, tuple[list[Any], Any]]:
        """Each Embedding layer's metadata file as (rows, header or None); a dict naming a
        layer the model lacks is refused, as Keras refuses it."""
        names = [layer.name for layer in _embedding_layers(model)]
        given = self.embeddings_metadata
        if given is None:
            return {}
        files = dict.fromkeys(names, given) if isinstance(given, (str, os.PathLike)) else given
        unknown = set(files) - set(names)
        if unknown:
            raise op_error(
                "keras.TensorBoard",
                None,
                f"embeddings_metadata names no Embedding layer of the model: {sorted(unknown)}",
            )
        return {name: _metadata_file(self.log_dir, path) for name, path in files.items()}

    def _writer(self, run: str) -> summary.SummaryWriter:
        writer = self._writers.get(run)
        if writer is None or writer.closed:
            path = self._train_dir if run == "train" else self._val_dir
            writer = self._writers[run] = summary.create_file_writer(path)
        return writer

    def _scalar(self, run: str, tag: str, value: Any, step: int) -> None:
        summary.scalar.direct(self._writer(run), _CALLER, tag, value, step)

    def _close_writers(self) -> None:
        while self._contexts:
            self._pop_writer()
        writers, self._writers = list(self._writers.values()), {}
        for writer in writers:
            writer.close()

    def _push_writer(self, run: str, step: int) -> None:
        """As Keras: inside training, the user's own summary ops write here every N batches."""
        freq = self.update_freq
        if isinstance(freq, str):  # "epoch"
            return
        contexts = (
            self._writer(run).as_default(step),
            summary.record_if(lambda: step % freq == 0),
        )
        for context in contexts:
            context.__enter__()
        self._contexts.append(contexts)

    def _pop_writer(self) -> None:
        if not self._contexts:
            return
        default, condition = self._contexts.pop()
        condition.__exit__(None, None, None)
        default.__exit__(None, None, None)

    def _write_model_graph(self, model: Any) -> None:
        """The model's JSON config under tag `keras`: TensorBoard's conceptual graph."""
        try:
            config = model.to_json()
        except Exception as error:  # as Keras: an unserializable model must not stop training
            import warnings

            warnings.warn(
                f"summary.keras.TensorBoard: model graph not written: {error}", stacklevel=2
            )
            return
        summary.write.direct(self._writer("train"), _CALLER, GRAPH_TAG, config, 0, GRAPH_METADATA)

    # -- training --------------------------------------------------------------------------

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self._training = True
        self._global_train_batch = 0
        self._previous_epoch_iterations = 0.0
        self._push_writer("train", 0)

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        self._training = False
        self._close_writers()

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if self.write_steps_per_second:
            self._previous_epoch_iterations = self._iterations()
            self._epoch_start_time = time.time()

    def on_train_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self._global_train_batch += 1
        if self.update_freq != "epoch":
            self._pop_writer()
            self._push_writer("train", self._global_train_batch)
        if self.write_steps_per_second:
            self._batch_start_time = time.time()

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        step, freq = self._global_train_batch, self.update_freq
        if isinstance(freq, str) or step % freq:  # "epoch", or not a step to write
            return
        if self.write_steps_per_second:
            elapsed = time.time() - self._batch_start_time
            self._scalar("train", "batch_steps_per_second", 1.0 / max(elapsed, 1e-9), step)
        if isinstance(logs, dict):
            for name, value in logs.items():
                self._scalar("train", f"batch_{name}", value, step)

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._log_epoch_metrics(epoch, logs or {})
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._log_weights(epoch)
        if self.embeddings_freq and epoch % self.embeddings_freq == 0:
            self._log_embeddings(epoch)

    def _log_embeddings(self, epoch: int) -> None:
        writer = self._writer("train")
        for layer in _embedding_layers(self.model):
            rows, header = self._embedding_labels.get(layer.name, (None, None))
            weights = _numpy(layer.embeddings)
            summary.embedding.direct(
                writer, _CALLER, layer.name, weights, rows, header, None, epoch
            )

    def _log_epoch_metrics(self, epoch: int, logs: dict[str, Any]) -> None:
        if not logs:
            return
        train = {name: value for name, value in logs.items() if not name.startswith("val_")}
        train.update(self._learning_rates())
        if self.write_steps_per_second:
            elapsed = time.time() - self._epoch_start_time
            done = self._iterations() - self._previous_epoch_iterations
            train["steps_per_second"] = done / max(elapsed, 1e-9)
        for name, value in train.items():
            self._scalar("train", f"epoch_{name}", value, epoch)
        for name, value in logs.items():
            if name.startswith("val_"):
                self._scalar("validation", f"epoch_{name[4:]}", value, epoch)

    def _learning_rates(self) -> dict[str, float]:
        optimizer: Any = getattr(self.model, "optimizer", None)
        optimizer = getattr(optimizer, "inner_optimizer", optimizer)  # LossScaleOptimizer
        if hasattr(optimizer, "optimizers"):
            return {
                f"learning_rate_{inner.name}": _number(inner.learning_rate)
                for inner in optimizer.optimizers
            }
        if isinstance(optimizer, keras.optimizers.Optimizer):
            return {"learning_rate": _number(optimizer.learning_rate)}
        return {}

    def _iterations(self) -> float:
        return _number(self.model.optimizer.iterations)

    def _log_weights(self, epoch: int) -> None:
        writer = self._writer("train")
        for layer in self.model.layers:
            for weight in layer.weights:
                name = weight.path.replace(":", "_")
                values = _numpy(weight)
                summary.histogram.direct(writer, _CALLER, f"{name}/histogram", values, epoch)
                image = weight_image(values, _channels_last()) if self.write_images else None
                if image is not None:
                    summary.image.direct(writer, _CALLER, f"{name}/image", image, epoch)
        writer.flush()

    # -- evaluation ------------------------------------------------------------------------

    def on_test_begin(self, logs: dict[str, Any] | None = None) -> None:
        self._push_writer("validation", self._global_test_batch)

    def on_test_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self._global_test_batch += 1
        if self.update_freq != "epoch":
            self._pop_writer()
            self._push_writer("validation", self._global_test_batch)

    def on_test_end(self, logs: dict[str, Any] | None = None) -> None:
        optimizer = getattr(self.model, "optimizer", None)
        if logs and optimizer is not None and hasattr(optimizer, "iterations"):
            step = int(self._iterations())
            for name, value in logs.items():
                self._scalar("validation", f"evaluation_{name}_vs_iterations", value, step)
        self._pop_writer()
        if not self._training and "validation" in self._writers:
            self._writers["validation"].flush()


def _embedding_layers(model: Any) -> list[Any]:
    return [layer for layer in model.layers if isinstance(layer, keras.layers.Embedding)]


def _metadata_file(log_dir: str, path: Any) -> tuple[list[Any], list[str] | None]:
    """A metadata.tsv as (rows, header): a first line holding a tab is the header, as the
    projector reads it; otherwise one label per line."""
    with open(os.path.join(log_dir, os.fspath(path)), encoding="utf-8") as file:
        lines = file.read().splitlines()
    if lines and "\t" in lines[0]:
        return [line.split("\t") for line in lines[1:]], lines[0].split("\t")
    return lines, None


def _numpy(value: Any) -> np.ndarray:
    """A Keras variable or backend tensor as NumPy (Keras's own conversion warns on NumPy 2)."""
    return to_array("keras.TensorBoard", "", getattr(value, "value", value))


def _number(value: Any) -> float:
    return float(_numpy(value))


def _channels_last() -> bool:
    return keras.backend.image_data_format() == "channels_last"


def _update_freq(value: Any) -> str | int:
    if value == "batch":
        return 1
    if value == "epoch" or (isinstance(value, int) and not isinstance(value, bool) and value > 0):
        return value
    raise op_error(
        "keras.TensorBoard",
        None,
        f"update_freq must be 'epoch', 'batch' or a positive int, got {value!r}",
    )


def _non_negative_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise op_error(
            "keras.TensorBoard", None, f"{name} must be a non-negative int, got {value!r}"
        )
    return value
