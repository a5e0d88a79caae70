"""`import summary` stays small: rarely needed submodules and Pillow load on first use."""

import subprocess
import sys


def run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_import_summary_defers_reader_v1_distributed_keras_and_pillow():
    loaded = run(
        "import sys, summary\n"
        "names = ('summary.reader', 'summary.v1', 'summary.distributed', 'summary.keras', 'PIL')\n"
        "print(sorted(n for n in names if n in sys.modules))"
    )
    assert loaded == "[]"


def test_lazy_submodules_load_on_attribute_access_and_from_import():
    out = run(
        "import summary\n"
        "print(callable(summary.reader.load), callable(summary.v1.scalar_pb),\n"
        "      callable(summary.distributed.process_index), 'v1' in dir(summary))\n"
        "from summary.v1 import merge\n"
        "from summary import reader\n"
        "print(reader is summary.reader)"
    )
    assert out.splitlines() == ["True True True True", "True"]
