"""Cold start: the cost of `import <library>` in a fresh interpreter.

Two figures per library: the import statement timed inside a fresh interpreter, and the wall time
of `python -c "import X"` minus that of `python -c "pass"` (start-up, import and exit together).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from typing import Any

HEAVY = ("numpy", "PIL", "google.protobuf", "torch", "tensorboard", "fsspec", "keras")
_TIMED = """
import sys, time
start = time.perf_counter()
{statement}
seconds = time.perf_counter() - start
import json
heavy = [name for name in {heavy!r} if name in sys.modules]
print(json.dumps({{"seconds": seconds, "modules": len(sys.modules), "heavy": heavy}}))
"""


def _wall(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    return time.perf_counter() - start


def measure(statement: str) -> dict[str, Any]:
    """Import time of `statement` in a fresh interpreter; process wall time over a bare one."""
    done = subprocess.run(
        [sys.executable, "-c", _TIMED.format(statement=statement, heavy=HEAVY)],
        check=True,
        capture_output=True,
        text=True,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    bare = _wall("pass")
    result["import_ms"] = result["seconds"] * 1e3
    result["process_ms"] = max(0.0, _wall(statement) - bare) * 1e3
    return result
