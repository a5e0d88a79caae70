"""summary.hparams.KerasCallback: TF's `hp.KerasCallback` around `model.fit` on Keras 3 — session
start at train begin, session end at train end, as TensorBoard's loader reads them."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest

import summary
from summary import hparams as hp
from summary.proto.plugins import hparams_pb2
from tests.tensorboard_loader import accumulator

keras = pytest.importorskip("keras")
if keras.backend.backend() != "torch":
    pytest.skip("Keras was imported with another backend first", allow_module_level=True)

HP_UNITS = hp.HParam("num_units", hp.Discrete([4, 8]))


def _fit(callbacks) -> None:
    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x = np.ones((8, 2), np.float32)
    model.fit(x, x[:, :1], epochs=1, batch_size=4, verbose=0, callbacks=callbacks)


def _plugin_data(acc, tag) -> hparams_pb2.HParamsPluginData:
    content = acc.SummaryMetadata(tag).plugin_data.content
    return hparams_pb2.HParamsPluginData.FromString(content)


@pytest.mark.parametrize("as_path", [True, False])
def test_fit_writes_session_start_and_end(tmp_path, as_path):
    writer = str(tmp_path) if as_path else summary.create_file_writer(str(tmp_path))
    _fit([hp.KerasCallback(writer, {HP_UNITS: 4, "optimizer": "sgd"})])
    acc = accumulator(str(tmp_path))
    assert sorted(acc.Tags()["tensors"]) == [
        "_hparams_/session_end_info",
        "_hparams_/session_start_info",
    ]
    start = _plugin_data(acc, "_hparams_/session_start_info").session_start_info
    values = {"num_units": 4, "optimizer": "sgd"}
    compact = json.dumps(values, sort_keys=True, separators=(",", ":"))
    assert start.group_name == hashlib.sha256(compact.encode()).hexdigest()
    assert start.hparams["num_units"].number_value == 4
    assert start.hparams["optimizer"].string_value == "sgd"
    end = _plugin_data(acc, "_hparams_/session_end_info").session_end_info
    assert end.status == hparams_pb2.STATUS_SUCCESS


def test_trial_id_and_single_use(tmp_path):
    callback = hp.KerasCallback(str(tmp_path), {"lr": 0.5}, trial_id="t1")
    _fit([callback])
    start = _plugin_data(accumulator(str(tmp_path)), "_hparams_/session_start_info")
    assert start.session_start_info.group_name == "t1"
    with pytest.raises(RuntimeError, match="reused"):
        _fit([callback])


def test_bad_values_are_refused_at_construction(tmp_path):
    with pytest.raises(TypeError, match="'lr'"):
        hp.KerasCallback(str(tmp_path / "run"), {"lr": object()})
    assert not (tmp_path / "run").exists()
