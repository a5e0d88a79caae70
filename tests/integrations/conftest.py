import os

# Keras picks its backend once, at first import: the integrations run Keras 3 on PyTorch.
os.environ["KERAS_BACKEND"] = "torch"


import importlib.util  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402

import pytest  # noqa: E402


def _tensorflow_python() -> str | None:
    """An interpreter with TensorFlow, clu and flax: this one, or $SUMMARY_TF_PYTHON (a scratch
    environment, since the test environment has no TensorFlow)."""
    if importlib.util.find_spec("tensorflow") is not None:
        return sys.executable
    return os.environ.get("SUMMARY_TF_PYTHON")


@pytest.fixture(scope="session")
def tf_run():
    """Runs `python *args` in a Python with TensorFlow, clu and flax from the project root (our
    KERAS_BACKEND left out); skips where there is none."""
    python = _tensorflow_python()
    if python is None:
        pytest.skip("needs TensorFlow (or SUMMARY_TF_PYTHON naming a Python that has it)")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = {key: value for key, value in os.environ.items() if key != "KERAS_BACKEND"}

    def run(*args: str) -> None:
        result = subprocess.run(
            [python, *args],
            cwd=root,
            env={**env, "PYTHONPATH": root, "TF_CPP_MIN_LOG_LEVEL": "3"},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr

    return run


@pytest.fixture(scope="session")
def tf_reference(tmp_path_factory: pytest.TempPathFactory, tf_run) -> str:
    """A logdir with runs `clu` and `flax` written by clu's and flax's own TF-backed writers
    (tests/integrations/jax_calls.py); skips where no TensorFlow is found."""
    logdir = str(tmp_path_factory.mktemp("tf_reference"))
    tf_run("-m", "tests.integrations.jax_calls", logdir)
    return logdir
