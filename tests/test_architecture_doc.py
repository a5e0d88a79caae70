"""docs/architecture.md names only what exists: every file path it cites is in the repository and
every identifier in `code` is defined in summary/ (a renamed class fails here, not in a reader)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
SOURCE = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "summary").rglob("*.py"))
SPANS = re.findall(r"`([^`\n]+)`", PAGE)
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*(\(\))?")


def test_cited_paths_exist():
    paths = [span for span in SPANS if re.fullmatch(r"[\w./-]+\.(py|md|proto)", span)]
    assert len(paths) > 15
    missing = [path for path in paths if not (ROOT / path).exists()]
    assert not missing


def test_named_identifiers_are_defined():
    names = [span.removesuffix("()") for span in SPANS if IDENTIFIER.fullmatch(span)]
    assert len(names) > 40
    undefined = [
        name
        for name in names
        if not re.search(rf"\b{re.escape(name.rsplit('.', 1)[-1])}\b", SOURCE)
    ]
    assert not undefined
