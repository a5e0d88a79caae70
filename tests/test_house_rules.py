"""House rules checked over summary/'s source: no frame introspection, and no module reaches
into another of our modules' `_private` names (a name shared across files is public-internal).
"""

import ast
from pathlib import Path

import summary

PACKAGE = Path(summary.__file__).parent


def _modules() -> list[tuple[Path, ast.Module]]:
    return [
        (path, ast.parse(path.read_text(), str(path)))
        for path in sorted(PACKAGE.rglob("*.py"))
        if "proto" not in path.relative_to(PACKAGE).parts  # generated
    ]


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _root(node: ast.expr) -> str | None:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def test_no_frame_introspection():
    found = [
        f"{path.relative_to(PACKAGE)}:{node.lineno}"
        for path, tree in _modules()
        for node in ast.walk(tree)
        if (isinstance(node, ast.Attribute) and node.attr in ("_getframe", "f_locals", "f_back"))
        or (isinstance(node, ast.Name) and node.id in ("_getframe", "currentframe"))
    ]
    assert found == []


def test_no_private_name_imported_from_another_module():
    found = []
    for path, tree in _modules():
        ours = set()  # names bound to our modules or their members by an import
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (
                node.level or (node.module or "").startswith("summary")
            ):
                for alias in node.names:
                    if _is_private(alias.name):
                        found.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {alias.name}")
                    ours.add(alias.asname or alias.name)
            elif isinstance(node, ast.Import):
                ours.update(
                    a.asname or a.name.split(".")[0]
                    for a in node.names
                    if a.name.startswith("summary")
                )
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and _is_private(node.attr)
                and _root(node.value) in ours
            ):
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.attr}")
    assert found == []
