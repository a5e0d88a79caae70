"""The legacy TF 1.x `tf.summary` surface: `*_pb` protos, graph-mode ops, Session, FileWriter.

TF 1.x code ports line for line: build summary ops once (inputs may be placeholders), merge
them with `merge_all()`, evaluate with `Session.run(merged, feed_dict)` every step, and write
the bytes with `FileWriter.add_summary(summary, global_step)`.
"""

from summary.v1.file_writer import FileWriter, FileWriterCache
from summary.v1.graph_mode import Graph, GraphKeys
from summary.v1.ops import (
    all_v2_summary_ops,
    audio,
    histogram,
    image,
    merge,
    merge_all,
    placeholder,
    scalar,
    tensor_summary,
    text,
)
from summary.v1.protos import (
    audio_pb,
    histogram_pb,
    image_pb,
    pr_curve_pb,
    scalar_pb,
    text_pb,
)
from summary.v1.session import Session

__all__ = [
    "FileWriter",
    "FileWriterCache",
    "Graph",
    "GraphKeys",
    "Session",
    "all_v2_summary_ops",
    "audio",
    "audio_pb",
    "histogram",
    "histogram_pb",
    "image",
    "image_pb",
    "merge",
    "merge_all",
    "placeholder",
    "pr_curve_pb",
    "scalar",
    "scalar_pb",
    "tensor_summary",
    "text",
    "text_pb",
]
