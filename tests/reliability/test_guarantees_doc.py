"""Every test that docs/guarantees.md names as holding a promise exists (the page cannot rot)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_test_named_on_the_guarantees_page_exists():
    page = (ROOT / "docs" / "guarantees.md").read_text()
    files = list((ROOT / "tests").glob("**/test_*.py"))
    named = set(re.findall(r"\b(test_\w+)", page)) - {path.stem for path in files}
    defined = {
        name for path in files for name in re.findall(r"^def (test_\w+)", path.read_text(), re.M)
    }
    assert sorted(named - defined) == []
    assert len(named) > 40
