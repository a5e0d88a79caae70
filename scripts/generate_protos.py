#!/usr/bin/env python3
"""Regenerate summary/proto/**/*_pb2.py and *_pb2.pyi from the sources in proto/.

Usage:
    python scripts/generate_protos.py          # rewrite the generated modules
    python scripts/generate_protos.py --check  # exit 1 if they are out of date

The generator is pinned: grpcio-tools 1.62.3, which bundles protoc 25.1 and
emits "Protobuf Python Version: 4.25.1" gencode. That is the newest protoc
whose Python output does not call runtime_version.ValidateProtobufRuntimeVersion,
so the modules load on every protobuf runtime from 3.20.3 to 7.x (protoc 26 and
later produce modules that refuse any runtime older than themselves).

grpcio-tools 1.62.3 requires protobuf<5 and ships wheels for CPython 3.8-3.12
only, so install it in a separate virtual environment, e.g.:

    python3.11 -m venv /tmp/protogen
    /tmp/protogen/bin/python -m pip install grpcio-tools==1.62.3
    /tmp/protogen/bin/python scripts/generate_protos.py
"""

from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import sys
import tempfile
from importlib import metadata
from pathlib import Path

GRPCIO_TOOLS_VERSION = "1.62.3"

ROOT = Path(__file__).resolve().parents[1]
PROTO_ROOT = ROOT / "proto"
PACKAGE = "summary/proto"
GENERATED_SUFFIXES = ("_pb2.py", "_pb2.pyi")
INIT_DOCSTRING = (
    '"""Generated protobuf modules; do not edit. '
    'Regenerate with `python scripts/generate_protos.py`."""\n'
)


def check_generator() -> None:
    """Exit with the exact install command unless the pinned generator is installed."""
    try:
        installed = metadata.version("grpcio-tools")
    except metadata.PackageNotFoundError:
        installed = None
    if installed != GRPCIO_TOOLS_VERSION:
        found = "not installed" if installed is None else f"version {installed}"
        sys.exit(
            f"error: grpcio-tools is {found}; this script needs exactly "
            f"{GRPCIO_TOOLS_VERSION}.\n"
            f"Install it (it pins protobuf<5, so preferably in a separate venv):\n"
            f"    {sys.executable} -m pip install grpcio-tools=={GRPCIO_TOOLS_VERSION}"
        )


def proto_sources() -> list[str]:
    """Paths of all .proto files relative to proto/, as protoc expects them."""
    sources = sorted(
        p.relative_to(PROTO_ROOT).as_posix() for p in (PROTO_ROOT / PACKAGE).rglob("*.proto")
    )
    if not sources:
        sys.exit(f"error: no .proto files under {PROTO_ROOT / PACKAGE}")
    return sources


def generate(out_dir: Path) -> None:
    """Run protoc on every source, writing summary/proto/... under out_dir."""
    import grpc_tools
    from grpc_tools import protoc

    well_known = Path(grpc_tools.__file__).parent / "_proto"  # google/protobuf/*.proto
    args = [
        "protoc",
        f"--proto_path={PROTO_ROOT}",
        f"--proto_path={well_known}",
        f"--python_out={out_dir}",
        f"--pyi_out={out_dir}",
        *proto_sources(),
    ]
    if protoc.main(args) != 0:
        sys.exit("error: protoc failed (see messages above)")
    for directory in {p.parent for p in (out_dir / PACKAGE).rglob("*_pb2.py")}:
        (directory / "__init__.py").write_text(INIT_DOCSTRING)


def generated_files(base: Path) -> set[str]:
    """Generated files (and their package __init__.py) under base/summary/proto."""
    package = base / PACKAGE
    if not package.is_dir():
        return set()
    names = set()
    for path in package.rglob("*"):
        if path.name.endswith(GENERATED_SUFFIXES):
            names.add(path.relative_to(base).as_posix())
            names.add((path.parent / "__init__.py").relative_to(base).as_posix())
    return names


def differences(fresh: Path) -> list[str]:
    """Files that would be added, changed or removed by syncing fresh into ROOT."""
    wanted, present = generated_files(fresh), generated_files(ROOT)
    changed = [
        name
        for name in sorted(wanted)
        if not (ROOT / name).is_file() or not filecmp.cmp(fresh / name, ROOT / name, shallow=False)
    ]
    stale = [name for name in sorted(present - wanted) if not name.endswith("__init__.py")]
    return changed + stale


def sync(fresh: Path) -> list[str]:
    """Copy fresh output into the tree and delete generated files without a source."""
    changed = differences(fresh)
    for name in changed:
        source, target = fresh / name, ROOT / name
        if source.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
        else:
            target.unlink()
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="only report whether the generated files are current"
    )
    options = parser.parse_args(argv)
    check_generator()
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp)
        generate(fresh)
        if options.check:
            stale = differences(fresh)
            for name in stale:
                print(f"out of date: {name}")
            if stale:
                print("run: python scripts/generate_protos.py")
            return 1 if stale else 0
        changed = sync(fresh)
    for name in changed:
        print(f"updated: {name}")
    print(f"{len(changed)} file(s) updated, {len(proto_sources())} proto source(s).")
    return 0


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main())
