"""The hparams plugin's three summaries: experiment (the declared hparams and metrics), session
start (one trial's values) and session end. Each is a null tensor whose SummaryMetadata carries
the `HParamsPluginData` message. One encoder serves TF's API (`summary.hparams`, the ops below)
and torch's `add_hparams` (`hparams_metadata`)."""

from __future__ import annotations

import hashlib
import json
import numbers
import time
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
from google.protobuf import struct_pb2

from summary.ops.declare import summary_op
from summary.ops.inputs import to_float
from summary.ops.metadata import plugin_metadata
from summary.proto.plugins import hparams_pb2
from summary.wire.tensors import tensor_bytes
from summary.writer.context import check_name, check_text
from summary.writer.entries import TensorEntry
from summary.writer.errors import op_error, op_type_error
from summary.writer.target import SummaryTarget

PLUGIN_NAME = "hparams"
EXPERIMENT_TAG = "_hparams_/experiment"
SESSION_START_INFO_TAG = "_hparams_/session_start_info"
SESSION_END_INFO_TAG = "_hparams_/session_end_info"
NULL_TENSOR_ARRAY = np.zeros((0,), dtype=np.float32)  # the "null tensor": DT_FLOAT, shape [0]
NULL_TENSOR = tensor_bytes(NULL_TENSOR_ARRAY)
_TORCH_OP = "SummaryWriter.add_hparams"


def hparams_metadata(
    hparam_dict: dict[str, Any],
    metric_dict: dict[str, Any],
    hparam_domain_discrete: dict[str, list[Any]] | None = None,
) -> list[tuple[str, bytes]]:
    """torch's `add_hparams`: (tag, SummaryMetadata bytes) for experiment, session start, end."""
    op = _TORCH_OP
    if not isinstance(hparam_dict, dict) or not isinstance(metric_dict, dict):
        raise op_type_error(op, None, "hparam_dict and metric_dict must be dicts")
    domains = hparam_domain_discrete or {}
    if not isinstance(domains, dict):
        raise op_type_error(op, None, "hparam_domain_discrete must be a dict of lists")
    start = hparams_pb2.SessionStartInfo()
    infos = []
    for name, value in hparam_dict.items():
        if value is None:
            continue
        name = check_name(op, name)
        kind, proto_value = hparam_value(op, name, value)
        start.hparams[name].CopyFrom(proto_value)
        info = hparams_pb2.HParamInfo(name=name, type=kind)
        if name in domains:
            info.domain_discrete.CopyFrom(_domain(op, name, domains[name], kind))
        infos.append(info)
    unknown = set(domains) - set(hparam_dict)
    if unknown:
        raise op_error(op, None, f"hparam_domain_discrete names unknown hparams {unknown}")
    experiment = hparams_pb2.Experiment(
        hparam_infos=infos,
        metric_infos=[
            hparams_pb2.MetricInfo(name=hparams_pb2.MetricName(tag=check_name(op, tag)))
            for tag in metric_dict
        ],
    )
    return [
        (EXPERIMENT_TAG, plugin_data_metadata(experiment=experiment)),
        (SESSION_START_INFO_TAG, plugin_data_metadata(session_start_info=start)),
        (SESSION_END_INFO_TAG, session_end_metadata(hparams_pb2.STATUS_SUCCESS)),
    ]


def plugin_data_metadata(**data: Any) -> bytes:
    """SummaryMetadata for the hparams plugin holding `HParamsPluginData(**data)` (version 0)."""
    content = hparams_pb2.HParamsPluginData(version=0, **data).SerializeToString()
    return plugin_metadata(PLUGIN_NAME, content)


def session_end_metadata(status: hparams_pb2.Status, end_time_secs: float | None = None) -> bytes:
    """The session-end summary's metadata (`end_time_secs` left unset when None, as TF)."""
    end = hparams_pb2.SessionEndInfo(status=status)
    if end_time_secs is not None:
        end.end_time_secs = end_time_secs
    return plugin_data_metadata(session_end_info=end)


def hparam_value(op: str, name: str, value: Any) -> tuple[hparams_pb2.DataType, struct_pb2.Value]:
    """The hparam's declared type and its value; bool before int (torch records True as 1.0)."""
    if isinstance(value, (bool, np.bool_)):
        return hparams_pb2.DATA_TYPE_BOOL, struct_pb2.Value(bool_value=bool(value))
    if isinstance(value, str):
        if not value.isascii():
            check_text(op, name, "the value", value)
        return hparams_pb2.DATA_TYPE_STRING, struct_pb2.Value(string_value=value)
    if isinstance(value, numbers.Real) or hasattr(value, "__array__") or hasattr(value, "numpy"):
        number = to_float(op, name, value)
        return hparams_pb2.DATA_TYPE_FLOAT64, struct_pb2.Value(number_value=number)
    if callable(value) and op == _TORCH_OP:  # torch records a function by its name
        label = getattr(value, "__name__", str(value))
        return hparams_pb2.DATA_TYPE_STRING, struct_pb2.Value(string_value=label)
    kinds = "bool, number, str or callable" if op == _TORCH_OP else "bool, number or str"
    raise op_type_error(op, name, f"a hyperparameter must be a {kinds}, got {type(value).__name__}")


def _domain(op: str, name: str, values: Any, kind: int) -> struct_pb2.ListValue:
    if not isinstance(values, (list, tuple)):
        raise op_type_error(op, name, "hparam_domain_discrete values must be a list")
    items = []
    for value in values:
        value_kind, proto_value = hparam_value(op, name, value)
        if value_kind != kind:
            raise op_type_error(
                op, name, f"hparam_domain_discrete holds {value!r}, not of the hparam's type"
            )
        items.append(proto_value)
    return struct_pb2.ListValue(values=items)


def session_start_metadata(
    op: str, values: Mapping[str, Any], trial_id: Any, start_time_secs: Any
) -> bytes:
    """TF's session start: values by name (sorted), group name `trial_id` or the sha256 hex of
    the values' sorted-keys compact JSON, start time now unless given."""
    if not isinstance(values, Mapping):
        raise op_type_error(op, SESSION_START_INFO_TAG, "hparams must be a dict of name to value")
    plain = {}
    for key, value in values.items():
        name = check_name(op, getattr(key, "name", key))  # an HParam or its name
        if name in plain:
            raise op_error(op, name, "multiple values specified for this hparam")
        if isinstance(value, np.generic):
            value = value.item()
        if not isinstance(value, (bool, int, float, str)):
            raise op_type_error(
                op, name, f"a hyperparameter must be a bool, number or str, got {value!r}"
            )
        plain[name] = value
    if trial_id is None:
        compact = json.dumps(plain, sort_keys=True, separators=(",", ":"))
        group_name = hashlib.sha256(compact.encode("utf-8")).hexdigest()
    elif isinstance(trial_id, str):
        check_text(op, SESSION_START_INFO_TAG, "trial_id", trial_id)
        group_name = trial_id
    else:
        raise op_type_error(op, SESSION_START_INFO_TAG, f"trial_id must be a str, got {trial_id!r}")
    start = hparams_pb2.SessionStartInfo(
        group_name=group_name,
        start_time_secs=time.time() if start_time_secs is None else _seconds(op, start_time_secs),
    )
    for name in sorted(plain):
        start.hparams[name].CopyFrom(hparam_value(op, name, plain[name])[1])
    return plugin_data_metadata(session_start_info=start)


def experiment_metadata(
    op: str, hparams: Iterable[Any] | None, metrics: Iterable[Any] | None, time_created_secs: Any
) -> bytes:
    """TF's experiment: `HParam` and `Metric` objects (summary.hparams) as HParamInfo and
    MetricInfo, created now unless given."""
    for given in (hparams, metrics):
        if given is not None and not isinstance(given, (list, tuple)):
            raise op_type_error(
                op, EXPERIMENT_TAG, f"hparams and metrics must be lists, got {given!r:.40}"
            )
    infos = []
    for hparam in hparams or ():
        as_info = getattr(hparam, "as_info", None)
        if as_info is None:
            raise op_type_error(op, EXPERIMENT_TAG, f"hparams holds {hparam!r}, not an HParam")
        infos.append(as_info())
    metric_infos = []
    for metric in metrics or ():
        as_proto = getattr(metric, "as_proto", None)
        if as_proto is None:
            raise op_type_error(op, EXPERIMENT_TAG, f"metrics holds {metric!r}, not a Metric")
        metric_infos.append(as_proto())
    created = time.time() if time_created_secs is None else _seconds(op, time_created_secs)
    experiment = hparams_pb2.Experiment(
        hparam_infos=infos, metric_infos=metric_infos, time_created_secs=created
    )
    return plugin_data_metadata(experiment=experiment)


def _seconds(op: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise op_type_error(op, SESSION_START_INFO_TAG, f"a time must be seconds, got {value!r}")
    return float(value)


def _enqueue(target: SummaryTarget, tag: str, metadata: bytes) -> None:
    target.enqueue_tensor(TensorEntry(tag, 0, time.time(), lambda: NULL_TENSOR, metadata, 0))


@summary_op("hparams_config", tag=None)
def hparams_config(
    target: SummaryTarget,
    hparams: Iterable[Any] | None = None,
    metrics: Iterable[Any] | None = None,
    time_created_secs: float | None = None,
) -> None:
    """The experiment: which hparams (`HParam`) and metrics (`Metric`) its trials have, at
    step 0 under `_hparams_/experiment`; write it once, usually in the logdir's root run."""
    try:
        metadata = experiment_metadata("hparams_config", hparams, metrics, time_created_secs)
    except UnicodeError as error:  # a name or description with a lone surrogate
        raise op_error("hparams_config", EXPERIMENT_TAG, f"not valid Unicode: {error}") from None
    _enqueue(target, EXPERIMENT_TAG, metadata)


@summary_op("hparams", tag=None)
def hparams(
    target: SummaryTarget,
    hparams: Mapping[Any, Any],
    trial_id: str | None = None,
    start_time_secs: float | None = None,
) -> None:
    """One trial's hparam values (keys `HParam` or names) at step 0 under
    `_hparams_/session_start_info`; without `trial_id` the group is named by their hash."""
    metadata = session_start_metadata("hparams", hparams, trial_id, start_time_secs)
    _enqueue(target, SESSION_START_INFO_TAG, metadata)
