import pytest

from summary.writer import context


@pytest.fixture(autouse=True)
def _no_leftover_defaults():
    """Each test starts without a process-wide default writer or step."""
    context._process.writer = None
    context._process.step = None
    yield
    context._process.writer = None
    context._process.step = None


@pytest.fixture
def logdir(tmp_path):
    return str(tmp_path / "logs")
