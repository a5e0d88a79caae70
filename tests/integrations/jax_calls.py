"""The same clu and flax writer calls, on JAX arrays, for our writers and for clu's and flax's own
TF-backed ones; `python -m tests.integrations.jax_calls LOGDIR` (in an environment with
TensorFlow) writes the reference runs LOGDIR/clu and LOGDIR/flax with clu's and flax's writers.

Only numpy, jax, clu, flax and tensorboard are imported here: no `summary`, so the reference
process needs nothing of ours.
"""

from __future__ import annotations

import sys
from typing import Any

import jax.numpy as jnp
import numpy as np
from tensorboard.compat.proto import summary_pb2


def custom_metadata() -> bytes:
    """A SummaryMetadata for `write_summaries`/`write`: a plugin of our own, with content."""
    metadata = summary_pb2.SummaryMetadata()
    metadata.plugin_data.plugin_name = "custom_plugin"
    metadata.plugin_data.content = b"\x01\x02"
    return metadata.SerializeToString()


def clu_inputs() -> dict[str, np.ndarray]:
    """The arrays `clu_calls` writes (NumPy; the calls pass them as JAX arrays)."""
    rng = np.random.default_rng(0)
    return {
        "rgb": rng.random((2, 4, 5, 3), dtype=np.float32),
        "gray": rng.integers(0, 256, (4, 5, 1), dtype=np.uint8),
        "clip": rng.uniform(-1, 1, (2, 64, 1)).astype(np.float32),
        "w": rng.normal(size=100).astype(np.float32),
    }


def clu_calls(writer: Any) -> None:
    """One call of every MetricWriter method whose output TF's writer and ours both write."""
    data = {key: jnp.asarray(value) for key, value in clu_inputs().items()}
    writer.write_scalars(1, {"loss": jnp.float32(0.25), "acc": 0.75, "count": jnp.int32(3)})
    writer.write_scalars(2, {"loss": jnp.asarray(0.125)})
    writer.write_images(2, {"rgb": data["rgb"], "gray": data["gray"]})
    writer.write_audios(3, {"clip": data["clip"]}, sample_rate=8000)
    writer.write_texts(4, {"note": "**bold** text"})
    writer.write_histograms(5, {"w": data["w"], "b": jnp.arange(10.0)}, num_buckets={"w": 7})
    writer.write_summaries(
        6,
        {"raw": jnp.arange(6, dtype=jnp.float32).reshape(2, 3)},
        metadata={"raw": custom_metadata()},
    )
    writer.write_hparams(
        {"lr": 0.1, "model": {"depth": 3, "name": "mlp"}, "layers": [8, 4], "unset": None}
    )
    writer.flush()


def flax_inputs() -> dict[str, np.ndarray]:
    """The arrays `flax_calls` writes."""
    rng = np.random.default_rng(1)
    return {
        "hw": rng.random((4, 5), dtype=np.float32),
        "khw": rng.integers(0, 256, (2, 4, 5), dtype=np.uint8),
        "hwc": rng.random((4, 5, 3), dtype=np.float32),
        "khwc": rng.integers(0, 256, (4, 4, 5, 1), dtype=np.uint8),
        "clip": rng.uniform(-1.5, 1.5, (2, 64, 1)),
        "w": rng.normal(size=(10, 10)).astype(np.float32),
    }


def flax_calls(writer: Any) -> None:
    """One call of every flax SummaryWriter method, in each image shape flax accepts."""
    data = flax_inputs()
    writer.scalar("loss", jnp.float32(0.5), 1)
    writer.scalar("count", 7, 2)
    writer.image("hw", jnp.asarray(data["hw"]), 2)
    writer.image("khw", data["khw"], 2)
    writer.image("hwc", jnp.asarray(data["hwc"]), 2)
    writer.image("khwc", data["khwc"], 2, max_outputs=2)
    writer.audio("clip", jnp.asarray(data["clip"]), 3, sample_rate=8000)
    writer.histogram("w", jnp.asarray(data["w"]), 4, bins=5)
    writer.histogram("b", jnp.arange(12.0), 4)
    writer.text("note", "hello *flax*", 5)
    writer.write("raw", jnp.arange(4, dtype=jnp.int32), 6, metadata=custom_metadata())
    writer.hparams({"lr": 0.1, "opt": {"name": "adam", "betas": (0.9, 0.99)}, "flag": True})
    writer.flush()


def write_reference(logdir: str) -> None:
    """clu's and flax's own TF-backed writers, making the same calls."""
    from clu.metric_writers import SummaryWriter as CluWriter
    from flax.metrics.tensorboard import SummaryWriter as FlaxWriter

    clu_writer = CluWriter(f"{logdir}/clu")
    clu_calls(clu_writer)
    clu_writer.close()
    flax_writer = FlaxWriter(f"{logdir}/flax")
    flax_calls(flax_writer)
    flax_writer.close()


if __name__ == "__main__":
    write_reference(sys.argv[1])
