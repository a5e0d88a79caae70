"""The three hparams-plugin summaries torch's `add_hparams` writes: experiment, session start
(the values), session end. Each is a null tensor whose metadata carries the message."""

from __future__ import annotations

import numbers
from typing import Any

from google.protobuf import struct_pb2

from summary.ops.inputs import to_float
from summary.ops.metadata import plugin_metadata
from summary.proto.plugins import hparams_pb2
from summary.writer.context import check_name
from summary.writer.errors import op_error, op_type_error

PLUGIN_NAME = "hparams"
EXPERIMENT_TAG = "_hparams_/experiment"
SESSION_START_INFO_TAG = "_hparams_/session_start_info"
SESSION_END_INFO_TAG = "_hparams_/session_end_info"
_OP = "SummaryWriter.add_hparams"


def hparams_metadata(
    hparam_dict: dict[str, Any],
    metric_dict: dict[str, Any],
    hparam_domain_discrete: dict[str, list[Any]] | None = None,
) -> list[tuple[str, bytes]]:
    """(tag, SummaryMetadata bytes) for the experiment, session start and session end."""
    if not isinstance(hparam_dict, dict) or not isinstance(metric_dict, dict):
        raise op_type_error(_OP, None, "hparam_dict and metric_dict must be dicts")
    domains = hparam_domain_discrete or {}
    if not isinstance(domains, dict):
        raise op_type_error(_OP, None, "hparam_domain_discrete must be a dict of lists")
    start = hparams_pb2.SessionStartInfo()
    infos = []
    for name, value in hparam_dict.items():
        if value is None:
            continue
        name = check_name(_OP, name)
        kind, proto_value = _hparam_value(name, value)
        start.hparams[name].CopyFrom(proto_value)
        info = hparams_pb2.HParamInfo(name=name, type=kind)
        if name in domains:
            info.domain_discrete.CopyFrom(_domain(name, domains[name], kind))
        infos.append(info)
    unknown = set(domains) - set(hparam_dict)
    if unknown:
        raise op_error(_OP, None, f"hparam_domain_discrete names unknown hparams {unknown}")
    experiment = hparams_pb2.Experiment(
        hparam_infos=infos,
        metric_infos=[
            hparams_pb2.MetricInfo(name=hparams_pb2.MetricName(tag=check_name(_OP, tag)))
            for tag in metric_dict
        ],
    )
    end = hparams_pb2.SessionEndInfo(status=hparams_pb2.STATUS_SUCCESS)
    return [
        (EXPERIMENT_TAG, _metadata(hparams_pb2.HParamsPluginData(experiment=experiment))),
        (
            SESSION_START_INFO_TAG,
            _metadata(hparams_pb2.HParamsPluginData(session_start_info=start)),
        ),
        (SESSION_END_INFO_TAG, _metadata(hparams_pb2.HParamsPluginData(session_end_info=end))),
    ]


def _metadata(data: hparams_pb2.HParamsPluginData) -> bytes:
    return plugin_metadata(PLUGIN_NAME, data.SerializeToString())


def _hparam_value(name: str, value: Any) -> tuple[hparams_pb2.DataType, struct_pb2.Value]:
    """The hparam's declared type and its value; bool before int (torch records True as 1.0)."""
    if isinstance(value, bool):
        return hparams_pb2.DATA_TYPE_BOOL, struct_pb2.Value(bool_value=value)
    if isinstance(value, str):
        return hparams_pb2.DATA_TYPE_STRING, struct_pb2.Value(string_value=value)
    if isinstance(value, numbers.Real) or hasattr(value, "__array__") or hasattr(value, "numpy"):
        number = to_float(_OP, name, value)
        return hparams_pb2.DATA_TYPE_FLOAT64, struct_pb2.Value(number_value=number)
    if callable(value):
        label = getattr(value, "__name__", str(value))
        return hparams_pb2.DATA_TYPE_STRING, struct_pb2.Value(string_value=label)
    raise op_type_error(
        _OP,
        name,
        f"a hyperparameter must be a bool, number, str or callable, got {type(value).__name__}",
    )


def _domain(name: str, values: Any, kind: int) -> struct_pb2.ListValue:
    if not isinstance(values, (list, tuple)):
        raise op_type_error(_OP, name, "hparam_domain_discrete values must be a list")
    items = []
    for value in values:
        value_kind, proto_value = _hparam_value(name, value)
        if value_kind != kind:
            raise op_type_error(
                _OP, name, f"hparam_domain_discrete holds {value!r}, not of the hparam's type"
            )
        items.append(proto_value)
    return struct_pb2.ListValue(values=items)
