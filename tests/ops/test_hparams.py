"""summary.hparams (TF's HParams API): TF's tutorial pattern read back by the real TensorBoard
server's hparams plugin, TensorBoard's own group-name rule, and refused calls writing nothing."""

from __future__ import annotations

import hashlib
import json

import pytest

import summary
from summary import hparams as hp
from summary.proto.plugins import hparams_pb2
from tests.ops.rejections import assert_rejected
from tests.tensorboard_loader import accumulator
from tests.tensorboard_server import LOADER_IDS, LOADER_PARAMS, running_tensorboard

HP_UNITS = hp.HParam("num_units", hp.Discrete([32, 16]))
HP_DROPOUT = hp.HParam("dropout", hp.RealInterval(0.1, 0.2), description="dropout rate")
HP_OPTIMIZER = hp.HParam("optimizer", hp.Discrete(["sgd", "adam"]))
METRIC = "accuracy"
TRIALS = [  # (values, accuracy); the last one uses plain string keys
    ({HP_UNITS: 16, HP_DROPOUT: 0.1, HP_OPTIMIZER: "adam"}, 0.75),
    ({HP_UNITS: 32, HP_DROPOUT: 0.2, HP_OPTIMIZER: "sgd"}, 0.5),
    ({"num_units": 32, "dropout": 0.1, "optimizer": "adam"}, 0.875),
]


def write_tutorial(logdir) -> None:
    """TF's HParams tutorial with `from summary import hparams as hp` as its only change."""
    with summary.create_file_writer(str(logdir)):
        assert hp.hparams_config(
            hparams=[HP_UNITS, HP_DROPOUT, HP_OPTIMIZER],
            metrics=[hp.Metric(METRIC, display_name="Accuracy")],
        )
    for index, (values, accuracy) in enumerate(TRIALS):
        with summary.create_file_writer(str(logdir / f"run-{index}")):
            assert hp.hparams(values)
            assert summary.scalar(METRIC, accuracy, step=1)


def plain(values) -> dict:
    return {getattr(key, "name", key): value for key, value in values.items()}


def test_discrete_sorts_its_values_and_infers_its_type():
    assert hp.Discrete([32, 16]).values == [16, 32]
    assert hp.Discrete(["sgd", "adam"]).dtype is str
    with pytest.raises(TypeError):
        hp.Discrete([1, "a"])
    with pytest.raises(ValueError):
        hp.Discrete([])


def test_without_a_default_writer_nothing_is_written():
    assert hp.hparams({"a": 1}) is False
    assert hp.hparams_config(hparams=[HP_UNITS]) is False


def test_session_start_as_tensorboard_reads_it(tmp_path):
    write_tutorial(tmp_path)
    for index, (values, _) in enumerate(TRIALS):
        acc = accumulator(str(tmp_path / f"run-{index}"))
        content = acc.SummaryMetadata("_hparams_/session_start_info").plugin_data
        assert content.plugin_name == "hparams"
        start = hparams_pb2.HParamsPluginData.FromString(content.content).session_start_info
        compact = json.dumps(plain(values), sort_keys=True, separators=(",", ":"))
        assert start.group_name == hashlib.sha256(compact.encode()).hexdigest()
        assert {k: v.WhichOneof("kind") for k, v in start.hparams.items()} == {
            "num_units": "number_value",
            "dropout": "number_value",
            "optimizer": "string_value",
        }
        assert start.start_time_secs > 0


def test_trial_id_names_the_group(tmp_path):
    with summary.create_file_writer(str(tmp_path)):
        assert hp.hparams({"lr": 0.1}, trial_id="trial-7", start_time_secs=12.5)
    content = accumulator(str(tmp_path)).SummaryMetadata("_hparams_/session_start_info")
    start = hparams_pb2.HParamsPluginData.FromString(content.plugin_data.content)
    assert start.session_start_info.group_name == "trial-7"
    assert start.session_start_info.start_time_secs == 12.5


@pytest.fixture(scope="module", params=LOADER_PARAMS, ids=LOADER_IDS)
def server(request, tmp_path_factory):
    logdir = tmp_path_factory.mktemp("hparams_tutorial")
    write_tutorial(logdir)
    with running_tensorboard(str(logdir), request.param, str(tmp_path_factory.mktemp("log"))) as s:
        yield s


@pytest.mark.timeout(240)
def test_server_experiment_has_the_declared_domains(server):
    experiment = server.poll_json(
        "/data/plugin/hparams/experiment",
        lambda body: len(body.get("hparamInfos", [])) == 3,
        request=json.dumps({"experimentName": ""}),
    )
    infos = {info["name"]: info for info in experiment["hparamInfos"]}
    assert infos["num_units"]["domainDiscrete"] == [16, 32]
    assert infos["optimizer"]["domainDiscrete"] == ["adam", "sgd"]
    assert infos["dropout"]["domainInterval"] == {"minValue": 0.1, "maxValue": 0.2}
    assert infos["dropout"]["description"] == "dropout rate"
    metrics = [(m["name"]["tag"], m.get("displayName")) for m in experiment["metricInfos"]]
    assert metrics == [(METRIC, "Accuracy")]


@pytest.mark.timeout(240)
def test_server_session_groups_are_the_trials_with_their_metric(server):
    request = {
        "experimentName": "",
        "allowedStatuses": ["STATUS_UNKNOWN", "STATUS_SUCCESS", "STATUS_FAILURE", "STATUS_RUNNING"],
        "colParams": [],
        "startIndex": 0,
        "sliceSize": 100,
    }
    body = server.poll_json(
        "/data/plugin/hparams/session_groups",
        lambda body: (
            len(body.get("sessionGroups", [])) == len(TRIALS)
            and all(group.get("metricValues") for group in body["sessionGroups"])
        ),
        request=json.dumps(request),
    )
    seen = {}
    for group in body["sessionGroups"]:
        values = group["hparams"]
        key = (values["num_units"], values["dropout"], values["optimizer"])
        metrics = group["metricValues"]
        seen[key] = [(m["name"]["tag"], m["value"], m["trainingStep"]) for m in metrics]
    expected = {}
    for values, accuracy in TRIALS:
        named = plain(values)
        key = (named["num_units"], named["dropout"], named["optimizer"])
        expected[key] = [(METRIC, accuracy, 1)]
    assert seen == expected


@pytest.mark.parametrize(
    ("call", "error", "named"),
    [
        (lambda: hp.hparams({"lr": [1, 2]}), TypeError, "summary.hparams('lr')"),
        (lambda: hp.hparams({"lr": 0.1}, trial_id=3), TypeError, "summary.hparams("),
        (lambda: hp.hparams({HP_UNITS: 1, "num_units": 2}), ValueError, "'num_units'"),
        (lambda: hp.hparams(["lr"]), TypeError, "summary.hparams('_hparams_/session_start"),
        (lambda: hp.hparams_config(hparams=["lr"]), TypeError, "summary.hparams_config("),
        (lambda: hp.hparams_config(metrics=["acc"]), TypeError, "'_hparams_/experiment'"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(tmp_path, call, error, named):
    assert_rejected(str(tmp_path), call, error, named)
