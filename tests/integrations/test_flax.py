"""summary.integrations.flax: flax.metrics.tensorboard's SummaryWriter methods written by `summary`,
on JAX arrays, read back by TensorBoard's loader and compared with flax's own TF-backed writer
(where a TensorFlow is found) or with the TF encodings documented in docs/data/ (everywhere)."""

from __future__ import annotations

import importlib.util
import os

import numpy as np
import pytest

if importlib.util.find_spec("flax") is None or importlib.util.find_spec("jax") is None:
    pytest.skip("needs flax and jax", allow_module_level=True)

import jax.numpy as jnp  # noqa: E402

from summary.integrations.flax import SummaryWriter  # noqa: E402
from tests.integrations import jax_calls, tf_encodings  # noqa: E402
from tests.integrations.tensorboard_view import view  # noqa: E402


@pytest.fixture
def writer(tmp_path):
    writer = SummaryWriter(tmp_path / "run")
    yield writer
    writer.close()


def _rgb(images):
    """flax writes grayscale as RGB: the channel repeated three times."""
    return [tf_encodings.pixels(np.repeat(image[..., None], 3, axis=-1)) for image in images]


def test_has_flaxs_methods():
    flax_methods = {"scalar", "image", "audio", "histogram", "text", "write", "hparams"}
    assert flax_methods | {"flush", "close"} <= set(vars(SummaryWriter))


def test_writes_the_documented_tf_encodings(writer):
    jax_calls.flax_calls(writer)
    seen = view(writer._writer.logdir)
    data = jax_calls.flax_inputs()
    assert seen["loss"] == ("scalars", b"", [(1, "float32", (), 0.5)])
    assert seen["count"] == ("scalars", b"", [(2, "float32", (), 7.0)])
    images = {
        "hw": (["5", "4"], _rgb([data["hw"]])),
        "khw": (["5", "4"], _rgb(data["khw"])),
        "hwc": (["5", "4"], [tf_encodings.pixels(data["hwc"])]),
        "khwc": (["5", "4"], _rgb(data["khwc"][:2, ..., 0])),  # max_outputs=2
    }
    for tag, (size, pixels) in images.items():
        assert seen[tag] == ("images", b"", [(2, "object", (2 + len(pixels),), (size, pixels))])
    clips = [tf_encodings.wav(clip, 8000) for clip in data["clip"].astype(np.float32)]
    assert seen["clip"] == ("audio", b"\x10\x0b", [(3, "object", (2,), (clips, [[], []]))])
    tf_encodings.check_histogram(seen["w"][2], 4, data["w"], 5)
    tf_encodings.check_histogram(seen["b"][2], 4, np.arange(12.0), 30)
    assert seen["note"] == ("text", b"", [(5, "object", (), b"hello *flax*")])
    assert seen["raw"] == ("custom_plugin", b"\x01\x02", [(6, "int32", (4,), [0, 1, 2, 3])])
    flat = {"lr": 0.1, "opt.name": "adam", "opt.betas": "(0.9, 0.99)", "flag": True}
    tf_encodings.check_hparams(seen, flat)


def test_matches_flaxs_own_tensorflow_writer(writer, tf_reference):
    jax_calls.flax_calls(writer)
    assert view(writer._writer.logdir) == view(os.path.join(tf_reference, "flax"))


def test_without_auto_flush_values_are_written_by_close(tmp_path):
    writer = SummaryWriter(tmp_path, auto_flush=False)
    writer.scalar("loss", jnp.float32(0.25), 3)
    writer.close()
    writer.close()  # idempotent, as flax's
    assert view(str(tmp_path))["loss"] == ("scalars", b"", [(3, "float32", (), 0.25)])


BAD_CALLS = {
    "scalar": lambda w: w.scalar("bad", jnp.ones(2), 1),
    "image": lambda w: w.image("bad", np.zeros((1, 2, 2, 2, 3)), 1),
    "audio": lambda w: w.audio("bad", np.zeros(8), 1),
    "histogram": lambda w: w.histogram("bad", np.ones(3) * 1j, 1),
    "text": lambda w: w.text("bad", 3.5, 1),
    "write": lambda w: w.write("bad", np.ones(2), 1, metadata=42),
    "hparams": lambda w: w.hparams({3: 0.5}),
}


@pytest.mark.parametrize("method", sorted(BAD_CALLS))
def test_bad_input_names_the_method_and_the_tag_and_writes_nothing(writer, method):
    with pytest.raises((TypeError, ValueError), match=rf"flax\.SummaryWriter\.{method}"):
        BAD_CALLS[method](writer)
    writer.flush()
    assert view(writer._writer.logdir) == {}


@pytest.mark.parametrize("method", sorted(set(BAD_CALLS) - {"hparams"}))
def test_bad_input_names_the_tag(writer, method):
    with pytest.raises((TypeError, ValueError), match=r"\('bad'\)"):
        BAD_CALLS[method](writer)
