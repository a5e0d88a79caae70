"""The slow fault-injection runs (`@pytest.mark.slow`) run only when asked for: `-m slow`."""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("-m"):
        return  # a marker expression chooses
    skip = pytest.mark.skip(reason="slow: run with `python -m pytest -m slow tests/reliability`")
    for item in items:
        if "slow" in item.keywords and HERE in Path(str(item.path)).parents:
            item.add_marker(skip)
