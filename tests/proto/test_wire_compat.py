"""Wire compatibility of the generated protobuf modules in summary.proto.

Three kinds of checks:
- exact bytes for facts stated in FORMAT.md (no TensorBoard needed);
- field-by-field comparison of our descriptors with TensorBoard's copies of
  TensorFlow's protos (same numbers, types, labels; names for sanity);
- messages built the same way with both sets of classes serialize to the same
  bytes and each side parses the other's bytes back to an equal message.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from google.protobuf import descriptor as _descriptor
from google.protobuf import descriptor_pb2, json_format

from summary.proto import (
    attr_value_pb2,
    event_pb2,
    graph_pb2,
    node_def_pb2,
    resource_handle_pb2,
    summary_pb2,
    tensor_pb2,
    tensor_shape_pb2,
    types_pb2,
    versions_pb2,
)
from summary.proto.plugins import (
    audio_pb2,
    custom_scalar_pb2,
    histogram_pb2,
    hparams_pb2,
    image_pb2,
    pr_curve_pb2,
    scalar_pb2,
    text_pb2,
)

OUR_MODULES = [
    attr_value_pb2, event_pb2, graph_pb2, node_def_pb2, resource_handle_pb2, summary_pb2,
    tensor_pb2, tensor_shape_pb2, types_pb2, versions_pb2, audio_pb2, custom_scalar_pb2,
    histogram_pb2, hparams_pb2, image_pb2, pr_curve_pb2, scalar_pb2, text_pb2,
]  # fmt: skip


def _f32(x: float) -> bytes:
    return struct.pack("<f", x)


def _f64(x: float) -> bytes:
    return struct.pack("<d", x)


# --- Wire facts, checked without TensorBoard --------------------------------


DOCUMENTED_BYTES = [
    (audio_pb2.AudioPluginData(encoding=audio_pb2.AudioPluginData.WAV), b"\x10\x0b"),
    (audio_pb2.AudioPluginData(converted_to_tensor=True), b"\x18\x01"),
    (pr_curve_pb2.PrCurvePluginData(num_thresholds=201), b"\x10\xc9\x01"),
    (image_pb2.ImagePluginData(converted_to_tensor=True), b"\x10\x01"),
    (scalar_pb2.ScalarPluginData(version=0), b""),
    (histogram_pb2.HistogramPluginData(version=0), b""),
    (image_pb2.ImagePluginData(version=0), b""),
    (text_pb2.TextPluginData(version=0), b""),
    (event_pb2.Event(file_version="CRC test, one two"), b"\x1a\x11CRC test, one two"),
    (event_pb2.Event(wall_time=1.5, step=5), b"\x09" + _f64(1.5) + b"\x10\x05"),
    (event_pb2.Event(graph_def=b"G"), b"\x22\x01G"),
    (event_pb2.Event(source_metadata=event_pb2.SourceMetadata(writer="w")), b"\x52\x03\x0a\x01w"),
    (
        event_pb2.Event(session_log=event_pb2.SessionLog(status=event_pb2.SessionLog.START)),
        b"\x3a\x02\x08\x01",
    ),
    (
        summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag="a", simple_value=1.0)]),
        b"\x0a\x08\x0a\x01a\x15" + _f32(1.0),
    ),
    (
        summary_pb2.SummaryMetadata(
            plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name="scalars"),
            data_class=summary_pb2.DATA_CLASS_SCALAR,
        ),
        b"\x0a\x09\x0a\x07scalars\x20\x01",
    ),
    (
        summary_pb2.HistogramProto(bucket_limit=[1.0, 2.0], bucket=[3.0]),
        b"\x32\x10" + _f64(1.0) + _f64(2.0) + b"\x3a\x08" + _f64(3.0),
    ),
    (
        tensor_pb2.TensorProto(dtype=types_pb2.DT_FLOAT, float_val=[0.25]),
        b"\x08\x01\x2a\x04" + _f32(0.25),
    ),
    (
        tensor_pb2.TensorProto(dtype=types_pb2.DT_STRING, string_val=[b"a", b"bc"]),
        b"\x08\x07\x42\x01a\x42\x02bc",
    ),
    (tensor_pb2.TensorProto(half_val=[1, 2]), b"\x6a\x02\x01\x02"),
    (tensor_pb2.TensorProto(uint64_val=[7]), b"\x8a\x01\x01\x07"),
    (tensor_pb2.TensorProto(float8_val=b"\x01\x02"), b"\x92\x01\x02\x01\x02"),
    (
        tensor_shape_pb2.TensorShapeProto(
            dim=[tensor_shape_pb2.TensorShapeProto.Dim(size=k) for k in (2, 3)]
        ),
        b"\x12\x02\x08\x02\x12\x02\x08\x03",
    ),
    (
        hparams_pb2.HParamsPluginData(
            session_end_info=hparams_pb2.SessionEndInfo(status=hparams_pb2.STATUS_SUCCESS)
        ),
        b"\x22\x02\x08\x01",
    ),
    (hparams_pb2.Experiment(name="e"), b"\x32\x01e"),
    (
        custom_scalar_pb2.Layout(category=[custom_scalar_pb2.Category(title="t", closed=True)]),
        b"\x12\x05\x0a\x01t\x18\x01",
    ),
    (graph_pb2.GraphDef(versions=versions_pb2.VersionDef(producer=27)), b"\x22\x02\x08\x1b"),
]


@pytest.mark.parametrize(
    "message, expected",
    DOCUMENTED_BYTES,
    ids=[f"{type(m).__name__}-{i}" for i, (m, _) in enumerate(DOCUMENTED_BYTES)],
)
def test_serializes_to_documented_bytes(message, expected):
    assert message.SerializeToString() == expected
    assert type(message).FromString(expected) == message


def test_data_type_numbers():
    expected = {
        "DT_INVALID": 0, "DT_FLOAT": 1, "DT_DOUBLE": 2, "DT_INT32": 3, "DT_UINT8": 4,
        "DT_INT16": 5, "DT_INT8": 6, "DT_STRING": 7, "DT_COMPLEX64": 8, "DT_INT64": 9,
        "DT_BOOL": 10, "DT_BFLOAT16": 14, "DT_UINT16": 17, "DT_COMPLEX128": 18, "DT_HALF": 19,
        "DT_RESOURCE": 20, "DT_VARIANT": 21, "DT_UINT32": 22, "DT_UINT64": 23,
        "DT_FLOAT4_E2M1FN": 33,
    }  # fmt: skip
    values = types_pb2.DataType.DESCRIPTOR.values_by_name
    assert {name: values[name].number for name in expected} == expected
    plain = [v for v in types_pb2.DataType.DESCRIPTOR.values if 0 < v.number < 100]
    assert [v.number for v in plain] == list(range(1, 34))
    for value in plain:
        assert values[value.name + "_REF"].number == value.number + 100


def test_enum_numbers():
    assert [summary_pb2.DataClass.Name(i) for i in range(4)] == [
        "DATA_CLASS_UNKNOWN", "DATA_CLASS_SCALAR", "DATA_CLASS_TENSOR", "DATA_CLASS_BLOB_SEQUENCE",
    ]  # fmt: skip
    assert list(event_pb2.LogMessage.Level.values()) == [0, 10, 20, 30, 40, 50]
    assert dict(event_pb2.SessionLog.SessionStatus.items()) == {
        "STATUS_UNSPECIFIED": 0, "START": 1, "STOP": 2, "CHECKPOINT": 3,
    }  # fmt: skip
    assert dict(audio_pb2.AudioPluginData.Encoding.items()) == {"UNKNOWN": 0, "WAV": 11}


def test_oneofs():
    value = summary_pb2.Summary.Value(tag="t", simple_value=1.0)
    value.tensor.dtype = types_pb2.DT_FLOAT
    assert value.WhichOneof("value") == "tensor"
    event = event_pb2.Event(file_version="brain.Event:2")
    event.summary.value.add(tag="t")
    assert event.WhichOneof("what") == "summary"
    assert not event.HasField("file_version")


def test_proto_packages_are_our_own():
    for module in OUR_MODULES:
        file = module.DESCRIPTOR
        assert file.name.startswith("summary/proto/"), file.name
        assert file.package == "summary" or file.package.startswith("summary.plugins."), (
            file.package
        )
        source = descriptor_pb2.FileDescriptorProto()
        file.CopyToProto(source)
        assert source.syntax == "proto3"


def test_undeclared_graph_fields_pass_through():
    # GraphDef.library (2), GraphDef.debug_info (5) and NodeDef.experimental_type (7)
    # are not declared in our protos; they must survive a parse/serialize round trip.
    # Unknown fields are written after the known ones, so keep them last here.
    node = b"\x0a\x01a" + b"\x3a\x02\x08\x01"  # name, experimental_type{type_id: 1}
    library = b"\x12\x02\x0a\x00"  # library{function: {}}
    debug_info = b"\x2a\x03\x0a\x01f"  # debug_info{files: "f"}
    graph = b"\x0a" + bytes([len(node)]) + node + library + debug_info
    parsed = graph_pb2.GraphDef.FromString(graph)
    assert parsed.node[0].name == "a"
    assert parsed.SerializeToString() == graph


# --- Descriptors compared with TensorBoard's --------------------------------

# Fields TensorBoard declares that we leave out on purpose (kept as unknown fields).
OMITTED = {"GraphDef.library", "GraphDef.debug_info", "NodeDef.experimental_type"}

# (our module, their module, message or enum names)
PAIRS = [
    ("summary.proto.event_pb2", "tensorboard.compat.proto.event_pb2",
     ["Event", "SourceMetadata", "LogMessage", "SessionLog", "TaggedRunMetadata"]),
    ("summary.proto.summary_pb2", "tensorboard.compat.proto.summary_pb2",
     ["Summary", "SummaryMetadata", "SummaryDescription", "DataClass"]),
    ("summary.proto.summary_pb2", "tensorboard.compat.proto.histogram_pb2", ["HistogramProto"]),
    ("summary.proto.tensor_pb2", "tensorboard.compat.proto.tensor_pb2",
     ["TensorProto", "VariantTensorDataProto"]),
    ("summary.proto.tensor_shape_pb2", "tensorboard.compat.proto.tensor_shape_pb2",
     ["TensorShapeProto"]),
    ("summary.proto.resource_handle_pb2", "tensorboard.compat.proto.resource_handle_pb2",
     ["ResourceHandleProto"]),
    ("summary.proto.types_pb2", "tensorboard.compat.proto.types_pb2", ["DataType"]),
    ("summary.proto.graph_pb2", "tensorboard.compat.proto.graph_pb2", ["GraphDef"]),
    ("summary.proto.node_def_pb2", "tensorboard.compat.proto.node_def_pb2", ["NodeDef"]),
    ("summary.proto.attr_value_pb2", "tensorboard.compat.proto.attr_value_pb2",
     ["AttrValue", "NameAttrList"]),
    ("summary.proto.versions_pb2", "tensorboard.compat.proto.versions_pb2", ["VersionDef"]),
    ("summary.proto.plugins.scalar_pb2", "tensorboard.plugins.scalar.plugin_data_pb2",
     ["ScalarPluginData"]),
    ("summary.proto.plugins.histogram_pb2", "tensorboard.plugins.histogram.plugin_data_pb2",
     ["HistogramPluginData"]),
    ("summary.proto.plugins.image_pb2", "tensorboard.plugins.image.plugin_data_pb2",
     ["ImagePluginData"]),
    ("summary.proto.plugins.audio_pb2", "tensorboard.plugins.audio.plugin_data_pb2",
     ["AudioPluginData"]),
    ("summary.proto.plugins.text_pb2", "tensorboard.plugins.text.plugin_data_pb2",
     ["TextPluginData"]),
    ("summary.proto.plugins.pr_curve_pb2", "tensorboard.plugins.pr_curve.plugin_data_pb2",
     ["PrCurvePluginData"]),
    ("summary.proto.plugins.hparams_pb2", "tensorboard.plugins.hparams.plugin_data_pb2",
     ["HParamsPluginData", "SessionStartInfo", "SessionEndInfo"]),
    ("summary.proto.plugins.hparams_pb2", "tensorboard.plugins.hparams.api_pb2",
     ["Experiment", "HParamInfo", "MetricInfo", "MetricName", "Interval", "DataType",
      "DatasetType", "Status"]),
    ("summary.proto.plugins.custom_scalar_pb2", "tensorboard.plugins.custom_scalar.layout_pb2",
     ["Layout", "Category", "Chart", "MultilineChartContent", "MarginChartContent"]),
]  # fmt: skip


@pytest.fixture(scope="module")
def tb():
    return pytest.importorskip("tensorboard")


def _local_name(full_name: str) -> str:
    """Message name without its package, e.g. 'Summary.Value'."""
    for prefix in ("summary.plugins.", "tensorboard.hparams.", "summary.", "tensorboard."):
        if full_name.startswith(prefix):
            rest = full_name[len(prefix) :]
            return rest.split(".", 1)[1] if prefix == "summary.plugins." else rest
    return full_name  # google.protobuf.*


def _compare_enums(ours, theirs):
    # Ours may be newer than the installed TensorBoard's (DataType grows), never older.
    assert _local_name(ours.full_name) == _local_name(theirs.full_name)
    ours_values = {v.name: v.number for v in ours.values}
    assert ours_values.items() >= {v.name: v.number for v in theirs.values}.items()


def _is_repeated(field) -> bool:
    # FieldDescriptor.label is deprecated in protobuf 6 and gone in 7.
    if hasattr(field, "is_repeated"):
        return field.is_repeated
    return field.label == _descriptor.FieldDescriptor.LABEL_REPEATED


def _compare_messages(ours, theirs, seen):
    name = _local_name(ours.full_name)
    assert name == _local_name(theirs.full_name)
    if name in seen:
        return
    seen.add(name)
    if ours.full_name.startswith("google.protobuf."):
        assert ours is theirs
        return
    ours_fields = {f.number: f for f in ours.fields}
    for number, their_field in theirs.fields_by_number.items():
        if f"{name}.{their_field.name}" in OMITTED:
            assert number not in ours_fields
            continue
        assert number in ours_fields, f"{name} lacks field {their_field.name} = {number}"
        field = ours_fields.pop(number)
        where = f"{name}.{field.name}"
        assert field.name == their_field.name, where
        assert field.type == their_field.type, where
        assert _is_repeated(field) == _is_repeated(their_field), where
        assert getattr(field.containing_oneof, "name", None) == getattr(
            their_field.containing_oneof, "name", None
        ), where
        if field.type == _descriptor.FieldDescriptor.TYPE_MESSAGE:
            _compare_messages(field.message_type, their_field.message_type, seen)
        elif field.type == _descriptor.FieldDescriptor.TYPE_ENUM:
            _compare_enums(field.enum_type, their_field.enum_type)
    assert not ours_fields, f"{name} has fields TensorBoard lacks: {sorted(ours_fields)}"


@pytest.mark.parametrize(
    "ours_module, their_module, names", PAIRS, ids=[pair[1].split(".", 1)[1] for pair in PAIRS]
)
def test_descriptors_match_tensorboard(tb, ours_module, their_module, names):
    ours, theirs = importlib.import_module(ours_module), importlib.import_module(their_module)
    for name in names:
        if name in ours.DESCRIPTOR.enum_types_by_name:
            _compare_enums(
                ours.DESCRIPTOR.enum_types_by_name[name], theirs.DESCRIPTOR.enum_types_by_name[name]
            )
        else:
            _compare_messages(
                getattr(ours, name).DESCRIPTOR, getattr(theirs, name).DESCRIPTOR, set()
            )


# --- Messages exchanged with TensorBoard's classes ---------------------------
# Each builder fills a message through field names and plain enum numbers only,
# so the same code runs on our class and on TensorBoard's.


def build_event(cls):
    event = cls(wall_time=1700000000.25, step=42)
    event.source_metadata.writer = "summary"
    value = event.summary.value.add(tag="loss")
    value.metadata.plugin_data.plugin_name = "scalars"
    value.metadata.display_name = "Loss"
    value.metadata.summary_description = "*training* loss"
    value.metadata.data_class = 1
    value.tensor.dtype = 1
    value.tensor.tensor_content = _f32(0.5)
    text = event.summary.value.add(tag="notes")
    text.metadata.plugin_data.plugin_name = "text"
    text.tensor.dtype = 7
    text.tensor.tensor_shape.dim.add(size=2)
    text.tensor.string_val.extend([b"hello", "w\u00f6rld".encode()])
    image = event.summary.value.add(tag="legacy/image", node_name="n")
    image.image.height, image.image.width, image.image.colorspace = 2, 3, 4
    image.image.encoded_image_string = b"\x89PNG"
    audio = event.summary.value.add(tag="legacy/audio")
    audio.audio.sample_rate, audio.audio.num_channels = 44100.0, 2
    audio.audio.length_frames, audio.audio.content_type = 10, "audio/wav"
    histo = event.summary.value.add(tag="legacy/histo").histo
    histo.min, histo.max, histo.num, histo.sum, histo.sum_squares = -1.0, 2.0, 3.0, 1.5, 5.0
    histo.bucket_limit.extend([0.0, 2.0, 1.7976931348623157e308])
    histo.bucket.extend([1.0, 0.0, 2.0])
    event.summary.value.add(tag="simple", simple_value=float("inf"))
    return event


def build_tensors(cls):
    tensor = cls(dtype=21, version_number=1)
    variant = tensor.variant_val.add(type_name="t", metadata=b"m")
    inner = variant.tensors.add(dtype=2, double_val=[1.0, -2.5])
    inner.tensor_shape.dim.add(size=2, name="x")
    tensor.tensor_shape.unknown_rank = True
    tensor.half_val.extend([0x3C00, 0x7BFF])
    tensor.int_val.extend([-1, 2**31 - 1])
    tensor.int64_val.append(-(2**63))
    tensor.uint32_val.append(2**32 - 1)
    tensor.uint64_val.append(2**64 - 1)
    tensor.bool_val.extend([True, False])
    tensor.scomplex_val.extend([1.0, 2.0])
    tensor.dcomplex_val.extend([3.0, 4.0])
    tensor.float8_val = b"\x00\x7f"
    handle = tensor.resource_handle_val.add(device="/cpu:0", name="h", hash_code=2**64 - 1)
    handle.dtypes_and_shapes.add(dtype=1).shape.dim.add(size=-1)
    return tensor


def build_graph(cls):
    graph = cls(version=3)
    graph.versions.producer, graph.versions.min_consumer = 1205, 12
    graph.versions.bad_consumers.extend([3, 4])
    node = graph.node.add(name="x", op="Const", device="/device:CPU:0")
    node.attr["dtype"].type = 1
    node.attr["value"].tensor.dtype = 1
    node.attr["value"].tensor.float_val.append(1.0)
    node.attr["_output_shapes"].list.shape.add().dim.add(size=1)
    node.attr["names"].list.s.extend([b"a", b"b"])
    node.attr["types"].list.type.extend([1, 9])
    node.attr["f"].func.name = "fn"
    node.attr["f"].func.attr["T"].i = -3
    node.attr["p"].placeholder = "T"
    node.experimental_debug_info.original_node_names.append("orig")
    add = graph.node.add(name="y", op="AddV2", input=["x", "x:0", "^x"])
    add.attr["T"].type = 101
    add.attr["b"].b = True
    add.attr["s"].s = b"bytes"
    add.attr["f32"].f = 0.5
    return graph


def build_hparams_experiment(cls):
    data = cls(version=0)
    experiment = data.experiment
    experiment.name, experiment.description, experiment.user = "exp", "desc", "me"
    experiment.time_created_secs = 1700000000.5
    lr = experiment.hparam_infos.add(name="lr", display_name="LR", type=3, differs=True)
    lr.domain_interval.min_value, lr.domain_interval.max_value = 1e-4, 1.0
    opt = experiment.hparam_infos.add(name="optimizer", type=1)
    opt.domain_discrete.values.add().string_value = "adam"
    opt.domain_discrete.values.add().string_value = "sgd"
    metric = experiment.metric_infos.add(display_name="Accuracy", dataset_type=2)
    metric.name.group, metric.name.tag = "validation", "accuracy"
    return data


def build_hparams_start(cls):
    data = cls()
    start = data.session_start_info
    start.hparams["lr"].number_value = 0.01
    start.hparams["optimizer"].string_value = "adam"
    start.hparams["dropout"].bool_value = True
    start.model_uri, start.monitor_url, start.group_name = "uri", "url", "g"
    start.start_time_secs = 1700000000.0
    return data


def build_hparams_end(cls):
    data = cls()
    data.session_end_info.status = 2
    data.session_end_info.end_time_secs = 1700000123.0
    return data


def build_layout(cls):
    layout = cls(version=0)
    category = layout.category.add(title="losses", closed=True)
    chart = category.chart.add(title="all")
    chart.multiline.tag.extend([r"loss/.*", r"val_loss"])
    margin = category.chart.add(title="band").margin
    margin.series.add(value="mean", lower="p10", upper="p90")
    return layout


def build_plugin_data(field_values):
    def build(cls):
        return cls(**field_values)

    return build


EXCHANGES = [
    ("summary.proto.event_pb2.Event", "tensorboard.compat.proto.event_pb2.Event", build_event),
    ("summary.proto.tensor_pb2.TensorProto", "tensorboard.compat.proto.tensor_pb2.TensorProto",
     build_tensors),
    ("summary.proto.graph_pb2.GraphDef", "tensorboard.compat.proto.graph_pb2.GraphDef",
     build_graph),
    ("summary.proto.plugins.hparams_pb2.HParamsPluginData",
     "tensorboard.plugins.hparams.plugin_data_pb2.HParamsPluginData", build_hparams_experiment),
    ("summary.proto.plugins.hparams_pb2.HParamsPluginData",
     "tensorboard.plugins.hparams.plugin_data_pb2.HParamsPluginData", build_hparams_start),
    ("summary.proto.plugins.hparams_pb2.HParamsPluginData",
     "tensorboard.plugins.hparams.plugin_data_pb2.HParamsPluginData", build_hparams_end),
    ("summary.proto.plugins.custom_scalar_pb2.Layout",
     "tensorboard.plugins.custom_scalar.layout_pb2.Layout", build_layout),
    ("summary.proto.plugins.audio_pb2.AudioPluginData",
     "tensorboard.plugins.audio.plugin_data_pb2.AudioPluginData",
     build_plugin_data({"version": 0, "encoding": 11, "converted_to_tensor": True})),
    ("summary.proto.plugins.image_pb2.ImagePluginData",
     "tensorboard.plugins.image.plugin_data_pb2.ImagePluginData",
     build_plugin_data({"version": 0, "converted_to_tensor": True})),
    ("summary.proto.plugins.pr_curve_pb2.PrCurvePluginData",
     "tensorboard.plugins.pr_curve.plugin_data_pb2.PrCurvePluginData",
     build_plugin_data({"version": 0, "num_thresholds": 201})),
    ("summary.proto.plugins.scalar_pb2.ScalarPluginData",
     "tensorboard.plugins.scalar.plugin_data_pb2.ScalarPluginData",
     build_plugin_data({"version": 1})),
    ("summary.proto.plugins.histogram_pb2.HistogramPluginData",
     "tensorboard.plugins.histogram.plugin_data_pb2.HistogramPluginData",
     build_plugin_data({"version": 1})),
    ("summary.proto.plugins.text_pb2.TextPluginData",
     "tensorboard.plugins.text.plugin_data_pb2.TextPluginData", build_plugin_data({"version": 1})),
]  # fmt: skip


def _load_class(dotted: str):
    module, name = dotted.rsplit(".", 1)
    return getattr(importlib.import_module(module), name)


def _exchange_id(exchange) -> str:
    _, theirs_name, build = exchange
    return build.__name__ if build.__name__ != "build" else theirs_name.rsplit(".", 1)[1]


@pytest.mark.parametrize(
    "ours_name, theirs_name, build", EXCHANGES, ids=[_exchange_id(e) for e in EXCHANGES]
)
def test_exchange_with_tensorboard(tb, ours_name, theirs_name, build):
    ours_cls, theirs_cls = _load_class(ours_name), _load_class(theirs_name)
    ours, theirs = build(ours_cls), build(theirs_cls)
    ours_bytes = ours.SerializeToString(deterministic=True)
    theirs_bytes = theirs.SerializeToString(deterministic=True)
    assert ours_bytes == theirs_bytes
    assert theirs_cls.FromString(ours_bytes) == theirs
    assert ours_cls.FromString(theirs_bytes) == ours
    assert json_format.MessageToDict(ours) == json_format.MessageToDict(theirs)


def test_graph_def_inside_event_reads_in_tensorboard(tb):
    from tensorboard.compat.proto import event_pb2 as tb_event_pb2
    from tensorboard.compat.proto import graph_pb2 as tb_graph_pb2

    event = event_pb2.Event(
        wall_time=1.0, graph_def=build_graph(graph_pb2.GraphDef).SerializeToString()
    )
    parsed = tb_event_pb2.Event.FromString(event.SerializeToString())
    graph = tb_graph_pb2.GraphDef.FromString(parsed.graph_def)
    assert [n.name for n in graph.node] == ["x", "y"]
    assert graph.node[1].attr["T"].type == 101  # DT_FLOAT_REF
    assert graph.node[0].attr["value"].tensor.float_val == [1.0]


def test_plugin_content_nested_in_summary_metadata(tb):
    from tensorboard.compat.proto import summary_pb2 as tb_summary_pb2
    from tensorboard.plugins.pr_curve import plugin_data_pb2 as tb_pr_curve

    metadata = summary_pb2.SummaryMetadata(data_class=summary_pb2.DATA_CLASS_TENSOR)
    metadata.plugin_data.plugin_name = "pr_curves"
    metadata.plugin_data.content = pr_curve_pb2.PrCurvePluginData(
        num_thresholds=201
    ).SerializeToString()
    parsed = tb_summary_pb2.SummaryMetadata.FromString(metadata.SerializeToString())
    content = tb_pr_curve.PrCurvePluginData.FromString(parsed.plugin_data.content)
    assert (parsed.plugin_data.plugin_name, content.num_thresholds) == ("pr_curves", 201)
    assert parsed.data_class == tb_summary_pb2.DATA_CLASS_TENSOR


# --- Generated code is current ----------------------------------------------


def test_generated_modules_are_current():
    try:
        version = importlib.metadata.version("grpcio-tools")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("grpcio-tools not installed")
    script = Path(__file__).resolve().parents[2] / "scripts" / "generate_protos.py"
    pinned = next(
        line.split('"')[1]
        for line in script.read_text().splitlines()
        if line.startswith("GRPCIO_TOOLS_VERSION")
    )
    if version != pinned:
        pytest.skip(f"grpcio-tools {version} installed, generator pinned to {pinned}")
    result = subprocess.run(
        [sys.executable, str(script), "--check"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
