"""summary.keras.TensorBoard(embeddings_freq=...): the Projector serves the Embedding weights."""

from __future__ import annotations

import json

import numpy as np
import pytest

import summary
from tests.tensorboard_server import LOADER_IDS, LOADER_PARAMS, running_tensorboard

keras = pytest.importorskip("keras")
if keras.backend.backend() != "torch":
    pytest.skip("Keras was imported with another backend first", allow_module_level=True)

VOCABULARY, DIM = 12, 4


class WeightsAtEpochEnd(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.weights = []

    def on_epoch_end(self, epoch, logs=None):
        layer = self.model.get_layer("tokens")
        self.weights.append(layer.embeddings.value.detach().cpu().numpy().copy())


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    log_dir = tmp_path_factory.mktemp("keras_embedding")
    words = [f"w{i}" for i in range(VOCABULARY)]
    (log_dir / "meta.tsv").write_text(
        "word\tindex\n" + "".join(f"{w}\t{i}\n" for i, w in enumerate(words))
    )
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((5,), dtype="int32"),
            keras.layers.Embedding(VOCABULARY, DIM, name="tokens"),
            keras.layers.GlobalAveragePooling1D(),
            keras.layers.Dense(1),
        ]
    )
    model.compile(optimizer="sgd", loss="mse")
    x = np.random.default_rng(0).integers(0, VOCABULARY, (32, 5))
    y = np.random.default_rng(1).random((32, 1)).astype(np.float32)
    recorder = WeightsAtEpochEnd()
    callback = summary.keras.TensorBoard(
        log_dir, embeddings_freq=1, embeddings_metadata={"tokens": "meta.tsv"}
    )
    model.fit(x, y, epochs=2, batch_size=8, callbacks=[recorder, callback], verbose=0)
    return log_dir, recorder.weights, words


@pytest.fixture(scope="module", params=LOADER_PARAMS, ids=LOADER_IDS)
def server(request, fitted, tmp_path_factory):
    log = str(tmp_path_factory.mktemp("log"))
    with running_tensorboard(str(fitted[0]), request.param, log) as running:
        yield running


def test_the_projector_shows_the_embedding_weights(server, fitted):
    _, weights, words = fitted
    server.poll_json("/data/plugin/projector/runs", lambda runs: "train" in runs)
    info = json.loads(server.get("/data/plugin/projector/info", run="train"))
    assert {e["tensorName"] for e in info["embeddings"]} == {"tokens:00000", "tokens:00001"}
    for epoch, expected in enumerate(weights):
        data = server.get("/data/plugin/projector/tensor", run="train", name=f"tokens:{epoch:05d}")
        got = np.frombuffer(data, np.float32).reshape(VOCABULARY, DIM)
        np.testing.assert_array_equal(got, expected)
    table = server.get("/data/plugin/projector/metadata", run="train", name="tokens:00001")
    lines = table.decode().splitlines()
    assert lines == ["word\tindex"] + [f"{w}\t{i}" for i, w in enumerate(words)]


def test_unknown_layer_in_embeddings_metadata_is_refused(tmp_path):
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    callback = summary.keras.TensorBoard(
        tmp_path, embeddings_freq=1, embeddings_metadata={"x": "m"}
    )
    with pytest.raises(ValueError, match="embeddings_metadata"):
        callback.set_model(model)
