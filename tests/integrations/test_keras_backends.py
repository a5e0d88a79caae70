"""summary.keras.TensorBoard on Keras 3 with the JAX backend (test_keras.py covers torch in
depth): a fit in a child process, since Keras picks its backend once per process, read back by
TensorBoard and compared with the History the child saw."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from tests.tensorboard_loader import multiplexer, plugin_of, scalar_series, values

if importlib.util.find_spec("keras") is None or importlib.util.find_spec("jax") is None:
    pytest.skip("needs keras and jax", allow_module_level=True)

EPOCHS = 2

FIT = textwrap.dedent(
    """
    import json, sys
    import keras, numpy as np
    import summary.keras

    assert keras.backend.backend() == "jax"
    keras.utils.set_random_seed(1)
    model = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(3, activation="relu"), keras.layers.Dense(1)]
    )
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse", metrics=["mae"])
    x = np.random.default_rng(0).random((48, 4)).astype(np.float32)
    callback = summary.keras.TensorBoard(sys.argv[1], histogram_freq=1)
    history = model.fit(
        x, x.sum(axis=1), validation_split=0.25, epochs=int(sys.argv[2]), batch_size=12,
        shuffle=False, callbacks=[callback], verbose=0,
    )
    weights = {w.path: np.asarray(w.value).tolist() for w in model.weights}
    print(json.dumps({
        "history": history.history,
        "weights": weights,
        "torch": "torch" in sys.modules,
    }))
    """
)


def test_fit_on_the_jax_backend_writes_what_history_says(tmp_path):
    log_dir = tmp_path / "logs"
    result = subprocess.run(
        [sys.executable, "-c", FIT, str(log_dir), str(EPOCHS)],
        env={**os.environ, "KERAS_BACKEND": "jax"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert not seen["torch"]  # the JAX path imports no other framework
    mux = multiplexer(log_dir)
    train, validation = mux.GetAccumulator("train"), mux.GetAccumulator("validation")
    for name in ("loss", "mae"):
        for accumulator, key in ((train, name), (validation, f"val_{name}")):
            logged = [float(np.float32(v)) for v in seen["history"][key]]
            assert scalar_series(accumulator, f"epoch_{name}") == dict(enumerate(logged))
            assert plugin_of(accumulator, f"epoch_{name}") == "scalars"
    for path, final in seen["weights"].items():
        tag = f"{path}/histogram"
        assert plugin_of(train, tag) == "histograms"
        (*_, (step, _, buckets)) = values(train, tag)
        assert step == EPOCHS - 1
        assert buckets[:, 2].sum() == np.size(final)
        assert buckets[0, 0] == np.float32(np.min(final))
        assert buckets[-1, 1] == np.float32(np.max(final))
