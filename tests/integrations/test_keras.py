"""summary.keras.TensorBoard on Keras 3 with the torch backend, read back by TensorBoard."""

from __future__ import annotations

import json

import numpy as np
import pytest

import summary
from tests.tensorboard_loader import multiplexer, plugin_of, scalar_series, values

keras = pytest.importorskip("keras")
if keras.backend.backend() != "torch":
    pytest.skip("Keras was imported with another backend first", allow_module_level=True)

EPOCHS, BATCH, TRAIN, VAL = 3, 16, 48, 16
STEPS_PER_EPOCH = TRAIN // BATCH


class Recorder(keras.callbacks.Callback):
    """What Keras hands to callbacks: batch logs, weights at each epoch end."""

    def __init__(self):
        super().__init__()
        self.batch_logs, self.weights, self.iterations = [], [], []

    def on_train_batch_end(self, batch, logs=None):
        self.batch_logs.append(dict(logs))

    def on_epoch_end(self, epoch, logs=None):
        self.weights.append({w.path: _torch_numpy(w) for w in self.model.weights})

    def on_test_end(self, logs=None):
        self.iterations.append(int(_torch_numpy(self.model.optimizer.iterations)))


def _torch_numpy(variable):
    return variable.value.detach().cpu().numpy().copy()  # a copy: training updates in place


def _model():
    keras.utils.set_random_seed(1)
    model = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(3, activation="relu"), keras.layers.Dense(1)]
    )
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse", metrics=["mae"])
    return model


def _data(n, seed):
    x = np.random.default_rng(seed).random((n, 4)).astype(np.float32)
    return x, x.sum(axis=1, keepdims=True)


def _f32(numbers):
    return [float(np.float32(n)) for n in numbers]


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    log_dir = tmp_path_factory.mktemp("keras") / "logs"
    model, recorder = _model(), Recorder()
    callback = summary.keras.TensorBoard(
        log_dir, histogram_freq=1, update_freq=1, write_images=True, write_steps_per_second=True
    )
    history = model.fit(
        *_data(TRAIN, 0),
        validation_data=_data(VAL, 1),
        epochs=EPOCHS,
        batch_size=BATCH,
        shuffle=False,
        callbacks=[callback, recorder],
        verbose=0,
    )
    return log_dir, model, history.history, recorder


def test_runs_and_tags_are_keras_layout(fitted):
    log_dir, model, _, _ = fitted
    mux = multiplexer(log_dir)
    assert sorted(mux.Runs()) == ["train", "validation"]
    weights = [w.path for w in model.weights]
    drawn = [w.path for w in model.weights if np.prod(w.shape) > 1]  # Keras skips 1-element ones
    assert sorted(mux.GetAccumulator("train").Tags()["tensors"]) == sorted(
        ["keras", "epoch_loss", "epoch_mae", "epoch_learning_rate", "epoch_steps_per_second"]
        + ["batch_loss", "batch_mae", "batch_steps_per_second"]
        + [f"{path}/histogram" for path in weights]
        + [f"{path}/image" for path in drawn]
    )
    assert sorted(mux.GetAccumulator("validation").Tags()["tensors"]) == sorted(
        ["epoch_loss", "epoch_mae", "evaluation_loss_vs_iterations", "evaluation_mae_vs_iterations"]
    )


def test_epoch_scalars_equal_history(fitted):
    log_dir, _, history, _ = fitted
    mux = multiplexer(log_dir)
    train, validation = mux.GetAccumulator("train"), mux.GetAccumulator("validation")
    epochs = list(range(EPOCHS))
    for name in ("loss", "mae"):
        assert scalar_series(train, f"epoch_{name}") == dict(
            zip(epochs, _f32(history[name]), strict=True)
        )
        assert scalar_series(validation, f"epoch_{name}") == dict(
            zip(epochs, _f32(history[f"val_{name}"]), strict=True)
        )
    assert scalar_series(train, "epoch_learning_rate") == dict.fromkeys(epochs, _f32([0.05])[0])
    assert all(v > 0 for v in scalar_series(train, "epoch_steps_per_second").values())
    for tag in ("epoch_loss", "epoch_learning_rate"):
        assert plugin_of(train, tag) == "scalars"


def test_batch_and_evaluation_scalars(fitted):
    log_dir, _, history, recorder = fitted
    mux = multiplexer(log_dir)
    train, validation = mux.GetAccumulator("train"), mux.GetAccumulator("validation")
    batches = range(1, EPOCHS * STEPS_PER_EPOCH + 1)  # Keras counts train batches from 1
    for name in ("loss", "mae"):
        expected = _f32(logs[name] for logs in recorder.batch_logs)
        assert scalar_series(train, f"batch_{name}") == dict(zip(batches, expected, strict=True))
        # step = optimizer.iterations after each validation pass
        assert recorder.iterations == [STEPS_PER_EPOCH * (e + 1) for e in range(EPOCHS)]
        assert scalar_series(validation, f"evaluation_{name}_vs_iterations") == dict(
            zip(recorder.iterations, _f32(history[f"val_{name}"]), strict=True)
        )
    assert sorted(scalar_series(train, "batch_steps_per_second")) == list(batches)


def test_weight_histograms_and_images(fitted):
    log_dir, model, _, recorder = fitted
    train = multiplexer(log_dir).GetAccumulator("train")
    for path in (w.path for w in model.weights):
        series = values(train, f"{path}/histogram")
        assert [step for step, _, _ in series] == list(range(EPOCHS))
        assert plugin_of(train, f"{path}/histogram") == "histograms"
        for (_, _, buckets), weights in zip(series, recorder.weights, strict=True):
            weight = weights[path]
            assert buckets[:, 2].sum() == weight.size
            assert buckets[0, 0] == pytest.approx(weight.min())
            assert buckets[-1, 1] == pytest.approx(weight.max())
        shape = np.squeeze(recorder.weights[0][path]).shape
        if not shape:
            continue
        images = values(train, f"{path}/image")
        assert [step for step, _, _ in images] == list(range(EPOCHS))
        # Keras lays a kernel out wide side horizontal, a bias as one column
        width, height = (max(shape), min(shape)) if len(shape) == 2 else (1, shape[0])
        assert [int(v) for v in images[0][2][:2]] == [width, height]


def test_conceptual_graph(fitted):
    log_dir, model, _, _ = fitted
    train = multiplexer(log_dir).GetAccumulator("train")
    assert plugin_of(train, "keras") == "graph_keras_model"
    assert train.SummaryMetadata("keras").plugin_data.content == b"1"
    ((step, _, config),) = values(train, "keras")
    assert step == 0
    assert json.loads(config.item()) == json.loads(model.to_json())


def test_user_summaries_inside_fit_follow_update_freq(tmp_path):
    class Custom(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            summary.scalar("custom", batch)  # no writer, no step: the callback provides both

    model = _model()
    callback = summary.keras.TensorBoard(tmp_path, update_freq=2, write_graph=False)
    model.fit(
        *_data(TRAIN, 0), epochs=2, batch_size=BATCH, callbacks=[callback, Custom()], verbose=0
    )
    train = multiplexer(tmp_path).GetAccumulator("train")
    # 6 batches, numbered 1..6; every second one records, with batch index (0..2) as value
    assert scalar_series(train, "custom") == {2: 1.0, 4: 0.0, 6: 2.0}
    assert sorted(scalar_series(train, "batch_loss")) == [2, 4, 6]
    assert sorted(scalar_series(train, "epoch_loss")) == [0, 1]
    assert not summary.should_record_summaries()  # nothing left behind after fit


def test_evaluate_alone_writes_evaluation_scalars(tmp_path):
    model = _model()
    model.fit(*_data(TRAIN, 0), epochs=1, batch_size=BATCH, verbose=0)
    callback = summary.keras.TensorBoard(tmp_path, write_graph=False)
    results = model.evaluate(*_data(VAL, 1), callbacks=[callback], return_dict=True, verbose=0)
    validation = multiplexer(tmp_path).GetAccumulator("validation")
    assert scalar_series(validation, "evaluation_loss_vs_iterations") == {
        STEPS_PER_EPOCH: _f32([results["loss"]])[0]
    }


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"profile_batch": 2}, "profile_batch"),
        ({"embeddings_freq": -1}, "embeddings_freq"),
        ({"update_freq": 0}, "update_freq"),
        ({"histogram_freq": -1}, "histogram_freq"),
    ],
)
def test_unsupported_arguments_are_refused(tmp_path, kwargs, message):
    with pytest.raises(ValueError, match=message):
        summary.keras.TensorBoard(tmp_path, **kwargs)
