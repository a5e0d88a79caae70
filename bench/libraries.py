"""The libraries under test, each behind the same small interface: open a writer, get its ops.

Every op is returned as a plain callable `op(tag, *data, step)` bound to an open writer, so the
timed loops call each library's own entry point with no adapter layer in between (for the ops
whose signatures match) and pay the same loop overhead.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

OPS = ("scalar", "histogram", "images", "text", "pr_curve", "embedding", "video")
PR_THRESHOLDS = 127  # tensorboardX and torch silently cap num_thresholds at 127; all use 127


@dataclass
class Library:
    """A library under test: its display name and the module that must be importable."""

    name: str
    module: str
    import_statement: str

    def available(self) -> bool:
        try:
            return importlib.util.find_spec(self.module) is not None
        except (ImportError, ValueError):
            return False


LIBRARIES = {
    lib.name: lib
    for lib in (
        Library("summary", "summary", "import summary"),
        Library("summary (add_*)", "summary", "import summary"),
        Library("tensorboardX", "tensorboardX", "import tensorboardX"),
        Library("torch.utils.tensorboard", "torch", "import torch.utils.tensorboard"),
        Library("tf.summary", "tensorflow", "import tensorflow"),
    )
}
SUBJECT = "summary"


@dataclass
class Session:
    """An open writer of one library: its ops (None where the library has no such op)."""

    ops: dict[str, Callable[..., Any] | None]
    flush: Callable[[], None]
    close: Callable[[], None]
    notes: dict[str, str] = field(default_factory=dict)

    def op(self, name: str) -> Callable[..., Any] | None:
        return self.ops.get(name)


def open_session(library: str, logdir: str) -> Session:
    """A fresh writer of `library` on `logdir` (imports the library)."""
    return _OPENERS[library](logdir)


def _summary(logdir: str) -> Session:
    import summary

    writer = summary.create_file_writer(logdir)
    writer.set_as_default()
    histogram = getattr(summary, "histogram", None)
    image = getattr(summary, "image", None)
    text = getattr(summary, "text", None)
    pr_curve = getattr(summary, "pr_curve", None)
    embedding = getattr(summary, "embedding", None)
    ops: dict[str, Callable[..., Any] | None] = {
        "scalar": summary.scalar,
        "histogram": histogram,
        "images": None if image is None else lambda t, x, s: image(t, x, s, max_outputs=len(x)),
        "text": text,
        "pr_curve": None
        if pr_curve is None
        else lambda t, labels, p, s: pr_curve(t, labels, p, s, num_thresholds=PR_THRESHOLDS),
        "embedding": None if embedding is None else lambda t, mat, s: embedding(t, mat, step=s),
    }
    return Session(ops, writer.flush, writer.close)


def _summary_add_methods(logdir: str) -> Session:
    """`summary.SummaryWriter`'s tensorboardX-style methods, for code ported from the peers."""
    from summary import SummaryWriter

    writer = SummaryWriter(logdir)
    if not hasattr(writer, "add_scalar"):
        return Session(dict.fromkeys(OPS), writer.flush, writer.close)
    session = _peer(writer)
    session.notes = {"images": "add_images tiles one grid on the caller's thread, as torch"}
    return session


def _peer(writer: Any) -> Session:
    ops: dict[str, Callable[..., Any] | None] = {
        "scalar": writer.add_scalar,
        "histogram": writer.add_histogram,
        "images": lambda t, x, s: writer.add_images(t, x, s, dataformats="NHWC"),
        "text": writer.add_text,
        "pr_curve": lambda t, labels, p, s: writer.add_pr_curve(
            t, labels, p, s, num_thresholds=PR_THRESHOLDS
        ),
        "embedding": lambda t, mat, s: writer.add_embedding(mat, global_step=s, tag=t),
        "video": _video_op(writer),
    }
    notes = {"images": "one grid PNG per batch (add_images)"}
    return Session(ops, writer.flush, writer.close, notes)


def _video_op(writer: Any) -> Callable[..., Any] | None:
    """`add_video`, where it can write a GIF (torch and tensorboardX need moviepy 1.x)."""
    if not hasattr(writer, "add_video"):
        return None
    if not writer.__module__.startswith("summary") and importlib.util.find_spec("moviepy") is None:
        return None
    return writer.add_video


def _tensorboardx(logdir: str) -> Session:
    from tensorboardX import SummaryWriter

    return _peer(SummaryWriter(logdir))


def _torch(logdir: str) -> Session:
    from torch.utils.tensorboard import SummaryWriter

    return _peer(SummaryWriter(logdir))


def _tensorflow(logdir: str) -> Session:
    import tensorflow as tf

    writer = tf.summary.create_file_writer(logdir)
    writer.set_as_default()
    ops: dict[str, Callable[..., Any] | None] = {
        "scalar": lambda t, v, s: tf.summary.scalar(t, v, step=s),
        "histogram": lambda t, v, s: tf.summary.histogram(t, v, step=s),
        "images": lambda t, x, s: tf.summary.image(t, x, step=s, max_outputs=len(x)),
        "text": lambda t, v, s: tf.summary.text(t, v, step=s),
        "pr_curve": None,
        "embedding": None,
    }
    return Session(ops, writer.flush, writer.close)


_OPENERS: dict[str, Callable[[str], Session]] = {
    "summary": _summary,
    "summary (add_*)": _summary_add_methods,
    "tensorboardX": _tensorboardx,
    "torch.utils.tensorboard": _torch,
    "tf.summary": _tensorflow,
}
