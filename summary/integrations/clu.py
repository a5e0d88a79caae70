"""CommonLoopUtils (`clu.metric_writers`) with `summary` as its TensorBoard backend, no TensorFlow.

    from summary.integrations import clu as summary_clu
    summary_clu.install()                 # clu.metric_writers now uses our SummaryWriter
    from clu import metric_writers
    writer = metric_writers.create_default_writer(logdir)   # AsyncMultiWriter: logging + ours

clu's `clu/metric_writers/__init__.py` imports its TF-backed `summary_writer` module, so without
TensorFlow `import clu.metric_writers` fails before any of its TF-free parts (interface, async
and multi writers, `create_default_writer`) can be reached. `install()` is the one explicit step
that fixes it: it loads clu's own package from clu's files with a stand-in `summary_writer`
module whose `SummaryWriter` is ours, so every name clu exports, and every writer
`create_default_writer` builds, is clu's except that one. Where TensorFlow is installed, clu loads
as usual and `install()` replaces its `SummaryWriter` in the same places. Importing this module
changes nothing; `SummaryWriter` (below) loads `clu.metric_writers` the same way on first use.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from typing import Any

_PACKAGE = "clu.metric_writers"
_STAND_IN = "clu.metric_writers.summary_writer"
_EXTRA_HINT = "the clu integration needs the `clu` package: pip install clu"


def install() -> types.ModuleType:
    """Make `clu.metric_writers` use our `SummaryWriter` (with or without TensorFlow) and return
    that package; idempotent."""
    package = _metric_writers()
    ours = _our_writer_class()
    for module in (package, sys.modules[_STAND_IN], sys.modules[f"{_PACKAGE}.utils"]):
        module.SummaryWriter = ours  # type: ignore[attr-defined]
    return package


def _metric_writers() -> types.ModuleType:
    """`clu.metric_writers`, imported as usual if that works, else loaded with our stand-in."""
    loaded = sys.modules.get(_PACKAGE)
    if loaded is not None:
        return loaded
    try:
        importlib.import_module("clu")
    except ImportError as error:
        raise ImportError(_EXTRA_HINT) from error
    try:
        return importlib.import_module(_PACKAGE)
    except ImportError:  # clu's TF-backed summary_writer: TensorFlow is missing
        return _load_with_stand_in()


def _load_with_stand_in() -> types.ModuleType:
    """clu's own `clu.metric_writers` package, its `summary_writer` module replaced by ours."""
    import clu

    spec = importlib.util.find_spec(_PACKAGE)
    if spec is None or spec.loader is None or spec.submodule_search_locations is None:
        raise ImportError(f"{_EXTRA_HINT} (clu has no {_PACKAGE} package)")
    package = importlib.util.module_from_spec(spec)
    stand_in = types.ModuleType(_STAND_IN, "summary's SummaryWriter in place of clu's TF one")
    sys.modules[_PACKAGE] = package
    sys.modules[_STAND_IN] = stand_in
    try:
        stand_in.SummaryWriter = _our_writer_class()  # type: ignore[attr-defined]
        package.summary_writer = stand_in  # type: ignore[attr-defined]
        spec.loader.exec_module(package)  # clu's __init__: imports the stand-in, not TensorFlow
    except BaseException:
        del sys.modules[_PACKAGE], sys.modules[_STAND_IN]
        raise
    clu.metric_writers = package
    return package


def _our_writer_class() -> type:
    """Our MetricWriter; importing it imports `clu.metric_writers.interface` (package loaded)."""
    from summary.integrations.clu_writer import SummaryWriter

    return SummaryWriter


def __getattr__(name: str) -> Any:
    """`SummaryWriter`, loaded lazily: clu (and jax) are imported only when it is used."""
    if name == "SummaryWriter":
        _metric_writers()
        return _our_writer_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
