"""One measurement in a fresh process: `python bench/worker.py '<json spec>'` prints a JSON result.

The spec names the workload, the library (or reader), the fresh logdir and the sizes; run.py
starts one worker per measurement so no library's imports, threads or caches touch another's.
"""

from __future__ import annotations

import json
import resource
import sys
from typing import Any


def measure(spec: dict[str, Any]) -> dict[str, Any]:
    task, library, params = spec["task"], spec["library"], spec["params"]
    if task == "read_setup":
        import reading

        return {"path": reading.write_file(spec["logdir"], params)}
    if task == "read":
        import reading

        return reading.read(library, spec["path"], params)
    if task == "slow_disk":
        import slow_disk

        return slow_disk.run(library, spec["logdir"], params)
    if task == "scalar_dicts":
        import metric_dicts

        return metric_dicts.run(library, spec["logdir"], params)
    import writing

    return writing.WORKERS[task](library, spec["logdir"], params)


def main() -> None:
    result = measure(json.loads(sys.argv[1]))
    result["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


if __name__ == "__main__":
    main()
