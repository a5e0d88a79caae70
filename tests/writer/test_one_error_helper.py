"""Every ValueError/TypeError naming a `summary.` op is built by op_error/op_type_error, so the
`add_*` methods can rename it to the method the user called (a hand-typed message cannot be)."""

import ast
import pathlib

import summary

ROOT = pathlib.Path(summary.__file__).parent


def hand_typed_errors():
    for path in sorted(ROOT.rglob("*.py")):
        if "proto" in path.relative_to(ROOT).parts:
            continue
        source = path.read_text()
        for node in ast.walk(ast.parse(source)):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("ValueError", "TypeError")
                and node.args
                and (ast.get_source_segment(source, node.args[0]) or "")
                .lstrip("f")
                .startswith('"summary.')
            ):
                yield f"{path.relative_to(ROOT)}:{node.lineno}"


def test_no_error_message_is_hand_typed():
    assert list(hand_typed_errors()) == []
