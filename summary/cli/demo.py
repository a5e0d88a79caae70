"""`demo`: write a small, realistic training run of every data type to look at in TensorBoard."""

from __future__ import annotations

import argparse
import math
import os

import numpy as np

import summary
from summary import hparams as hp
from summary.proto import graph_pb2

EPOCHS = 10
SAMPLE_RATE = 8000
HYPERPARAMETERS = (
    ("optimizer", "SGD with momentum 0.9"),
    ("learning_rate", "0.1, halved every 50 steps"),
    ("batch_size", "64"),
    ("hidden_units", "128"),
    ("seed", "0"),
)


def add_parser(subcommands: argparse._SubParsersAction) -> None:
    parser = subcommands.add_parser(
        "demo",
        help="write a demo run of every data type",
        description="Write a demo training run (train/ and eval/ runs) into LOGDIR.",
    )
    parser.add_argument("--logdir", default="runs/demo", help="where to write (default runs/demo)")
    parser.add_argument("--steps", type=int, default=200, help="training steps (default 200)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    write_demo(args.logdir, args.steps)
    print(f"wrote a demo run to {args.logdir}; view it with: tensorboard --logdir {args.logdir}")
    return 0


def write_demo(logdir: str, steps: int = 200) -> None:
    """A `train/` run (falling loss, sharpening weights, samples, graph, hyperparameters) and an
    `eval/` run (loss, accuracy and a PR curve that improves every epoch). Deterministic."""
    rng = np.random.default_rng(0)
    epoch_steps = _epoch_steps(steps)
    with summary.create_file_writer(os.path.join(logdir, "train")):
        summary.graph(model_graph())
        _write_plugin_dashboards()
        summary.text("hyperparameters", [list(row) for row in HYPERPARAMETERS], step=0)
        summary.text("notes", "A **demo** run written by `python -m summary demo`.", step=0)
        for step in range(steps):
            progress = step / max(1, steps - 1)
            summary.scalar("loss", 2.5 * math.exp(-4 * progress) + 0.05 * math.sin(step), step)
            summary.scalar("accuracy", 1 - 0.9 * math.exp(-5 * progress), step)
            summary.scalar("learning_rate", 0.1 * 0.5 ** (step // 50), step)
            if step in epoch_steps:
                _write_train_epoch(rng, step, progress)
    with summary.create_file_writer(os.path.join(logdir, "eval")):
        for step in epoch_steps:
            progress = step / max(1, steps - 1)
            summary.scalar("loss", 2.7 * math.exp(-3.5 * progress) + 0.1, step)
            summary.scalar("accuracy", 1 - 0.95 * math.exp(-4 * progress), step)
            labels, predictions = classifier_outputs(rng, progress)
            summary.pr_curve("pr_curve", labels, predictions, step, num_thresholds=51)
            summary.histogram("predictions", predictions, step)


def _write_plugin_dashboards() -> None:
    """The train run as an HParams trial (its hyperparameters and metrics), a Custom Scalars
    layout and a point cloud for the Mesh dashboard."""
    optimizer = hp.HParam("optimizer", hp.Discrete(["adam", "sgd_momentum"]))
    learning_rate = hp.HParam("learning_rate", hp.RealInterval(0.001, 0.1))
    hidden_units = hp.HParam("hidden_units", hp.Discrete([64, 128, 256]))
    hp.hparams_config(
        hparams=[optimizer, learning_rate, hidden_units],
        metrics=[hp.Metric("accuracy", display_name="train accuracy"), hp.Metric("loss")],
    )
    hp.hparams({optimizer: "sgd_momentum", learning_rate: 0.1, hidden_units: 128}, trial_id="demo")
    summary.custom_scalars(
        {
            "training": {
                "loss and accuracy": ["Multiline", ["loss", "accuracy"]],
                "learning rate": ["Multiline", ["learning_rate"]],
            }
        }
    )
    angle = np.linspace(0, 6 * np.pi, 500)
    spiral = np.stack([np.cos(angle), np.sin(angle), angle / (3 * np.pi) - 1], axis=-1)
    colors = np.stack([255 * angle / angle[-1], 128 + 0 * angle, 255 - 255 * angle / angle[-1]], -1)
    summary.mesh("spiral", spiral[None], colors=colors[None].astype(np.uint8), step=0)


def _epoch_steps(steps: int) -> list[int]:
    """The steps at which an epoch ends: EPOCHS evenly spaced steps, the last one included."""
    if steps <= 0:
        return []
    return sorted({round(i * (steps - 1) / (EPOCHS - 1)) for i in range(EPOCHS)})


def _write_train_epoch(rng: np.random.Generator, step: int, progress: float) -> None:
    spread = 0.5 * (1 - 0.85 * progress)  # weights settle around ±0.5
    signs = rng.choice((-0.5, 0.5), size=2000)
    summary.histogram("weights/dense", signs + rng.normal(0, spread, size=2000), step)
    summary.histogram("weights/bias", rng.normal(0.1 * progress, 0.05 + 0.2 * spread, 128), step)
    summary.image("samples", sample_images(rng, progress), step, max_outputs=3)
    summary.audio("tone", tone(rng, progress), SAMPLE_RATE, step)


def classifier_outputs(rng: np.random.Generator, progress: float) -> tuple[np.ndarray, np.ndarray]:
    """Labels and predicted probabilities of a classifier whose separation grows with progress."""
    labels = rng.random(500) < 0.4
    logits = (2 * labels - 1) * (0.2 + 4 * progress) + rng.normal(0, 1, size=500)
    return labels, 1 / (1 + np.exp(-logits))


def sample_images(rng: np.random.Generator, progress: float) -> np.ndarray:
    """Three 32x32 RGB rings in [0, 1] that emerge from noise as training progresses."""
    y, x = np.mgrid[-1:1:32j, -1:1:32j]
    rings = [0.5 + 0.5 * np.cos(np.hypot(x, y) * freq) for freq in (6, 10, 14)]
    clean = np.stack([np.stack([r, r[::-1], r.T], axis=-1) for r in rings])
    noise = rng.random(clean.shape)
    return np.clip(progress * clean + (1 - progress) * noise, 0, 1).astype(np.float32)


def tone(rng: np.random.Generator, progress: float) -> np.ndarray:
    """Half a second of a 440 Hz tone, [1, frames, 1], whose noise fades as training progresses."""
    t = np.arange(SAMPLE_RATE // 2) / SAMPLE_RATE
    clip = 0.5 * np.sin(2 * np.pi * 440 * t) + 0.4 * (1 - progress) * rng.normal(0, 0.5, t.size)
    return np.clip(clip, -1, 1).astype(np.float32)[None, :, None]


def model_graph() -> graph_pb2.GraphDef:
    """A small GraphDef of the demo model (input → dense → relu → dense → softmax)."""
    graph = graph_pb2.GraphDef()
    layers = (
        ("input", "Placeholder", ()),
        ("dense/kernel", "VariableV2", ()),
        ("dense/MatMul", "MatMul", ("input", "dense/kernel")),
        ("relu", "Relu", ("dense/MatMul",)),
        ("logits/kernel", "VariableV2", ()),
        ("logits/MatMul", "MatMul", ("relu", "logits/kernel")),
        ("softmax", "Softmax", ("logits/MatMul",)),
    )
    for name, op, inputs in layers:
        graph.node.add(name=name, op=op, input=inputs)
    return graph
