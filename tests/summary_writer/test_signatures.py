"""Every public method of torch's SummaryWriter has the same signature on ours: parameter names,
order, kinds and defaults. Ours may add keyword-only parameters only where tensorboardX has the
same name (EXTRAS below says where each comes from)."""

from __future__ import annotations

import inspect

import pytest

from summary import SummaryWriter

torch_tensorboard = pytest.importorskip("torch.utils.tensorboard")
TorchWriter = torch_tensorboard.SummaryWriter

# Keyword-only extras of ours, each also a parameter of tensorboardX's method of that name.
EXTRAS = {
    "add_scalar": {"summary_description"},  # tensorboardX: the tag's description
    "add_hparams": {"name"},  # tensorboardX: the sub-run's name (its third positional)
}
# The constructor's extras: tensorboardX's `logdir` and `write_to_disk`, TF's `flush_millis`
# and `name` (create_file_writer's); its defaults are None for "ours" (see test_constructor).
INIT_EXTRAS = {"logdir", "write_to_disk", "flush_millis", "name"}
PUBLIC = sorted(
    name for name, member in vars(TorchWriter).items() if callable(member) and name[0] != "_"
)


def _shape(signature: inspect.Signature) -> list[tuple[str, object, object]]:
    return [(p.name, p.kind, p.default) for p in signature.parameters.values()]


def _split(name: str, signature: inspect.Signature, allowed: set[str]):
    """Our parameters without the allowed keyword-only extras (which must be keyword-only)."""
    kept = []
    for parameter in signature.parameters.values():
        if parameter.name in allowed and parameter.name not in _torch_names(name):
            assert parameter.kind is parameter.KEYWORD_ONLY, (name, parameter.name)
            continue
        kept.append(parameter)
    return signature.replace(parameters=kept)


def _torch_names(name: str) -> set[str]:
    return set(inspect.signature(getattr(TorchWriter, name)).parameters)


def test_public_methods_listed():
    assert {"add_scalar", "add_video", "add_onnx_graph", "flush", "close"} <= set(PUBLIC)


@pytest.mark.parametrize("name", PUBLIC)
def test_same_signature_as_torch(name):
    ours = _split(name, inspect.signature(getattr(SummaryWriter, name)), EXTRAS.get(name, set()))
    assert _shape(ours) == _shape(inspect.signature(getattr(TorchWriter, name)))


@pytest.mark.parametrize("name", sorted(EXTRAS))
def test_extras_are_tensorboardx_parameters(name):
    tensorboardx = pytest.importorskip("tensorboardX")
    assert EXTRAS[name] <= set(
        inspect.signature(getattr(tensorboardx.SummaryWriter, name)).parameters
    )


def test_constructor():
    """Same positional parameters as torch, in order; None defaults mean ours (a 1 s flush
    and the `.v2` suffix instead of torch's 120 s and no suffix, see docs/migrating-from-
    tensorboardx.md); the extras are keyword-only."""
    ours = _split("__init__", inspect.signature(SummaryWriter.__init__), INIT_EXTRAS)
    theirs = inspect.signature(TorchWriter.__init__)
    assert [(p.name, p.kind) for p in ours.parameters.values()] == [
        (p.name, p.kind) for p in theirs.parameters.values()
    ]
    assert ours.parameters["comment"].default == theirs.parameters["comment"].default == ""
