"""The ```python blocks of a docs page, run as a reader would paste them."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs"


def python_blocks(page: str) -> list[str]:
    """The page's ```python blocks, in order (`page` relative to docs/)."""
    blocks = re.findall(r"```python\n(.*?)```", (DOCS / page).read_text(), flags=re.S)
    assert blocks, f"docs/{page} has no python example"
    return blocks


def run_examples(page: str, blocks: list[str] | None = None) -> dict:
    """Execute the page's python blocks (or the given ones) in order, in one namespace, in the
    current directory. A block starting with `# needs: <module>` runs only when it is installed.
    """
    namespace: dict = {"__name__": "__docs__"}
    for number, block in enumerate(python_blocks(page) if blocks is None else blocks, 1):
        needs = re.match(r"# needs: (\S+)", block)
        if needs and importlib.util.find_spec(needs.group(1)) is None:
            continue
        exec(compile(block, f"docs/{page} (python block {number})", "exec"), namespace)
    return namespace
