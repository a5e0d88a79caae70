"""The rule that turns a user's string into a path below the logdir (summary/writer/naming.py)."""

from __future__ import annotations

import pytest

from summary.writer.naming import directory_name, relative_path


def test_directory_names():
    assert directory_name("a/b\\c%d:e") == "a%2fb%5cc%25d%3ae"
    assert directory_name("..") == "%2e%2e"
    assert directory_name("a.b") == "a.b"
    assert directory_name("x\x00\n") == "x%00%0a"
    assert directory_name("") == "%2f"


@pytest.mark.parametrize("name", ["exp1", "lr_0.1/trial 3", "loss_train", "a%20b", "a.b/c...d"])
def test_ordinary_names_keep_torch_layout(name):
    assert relative_path(name) == name


@pytest.mark.parametrize(
    "name, path",
    [
        ("../x", "%2e%2e/x"),
        ("loss_../../x", "loss_../%2e%2e/x"),
        ("/etc/passwd", "%2f/etc/passwd"),
        ("a//b", "a/%2f/b"),
        (".", "%2e"),
        ("a\\..\\b", "a%5c..%5cb"),
        ("C:x", "C%3ax"),
        ("x\x00y/z", "x%00y/z"),
    ],
)
def test_unsafe_components_are_escaped(name, path):
    assert relative_path(name) == path
    assert all(part.strip(".") for part in path.split("/"))
