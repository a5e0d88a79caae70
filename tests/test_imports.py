"""`import summary` pulls in no framework and no TensorBoard."""

import subprocess
import sys


def test_import_summary_imports_no_framework():
    code = (
        "import sys, summary, summary.reader\n"
        "bad = [m for m in ('torch', 'jax', 'tensorflow', 'tensorboard', 'keras') "
        "if m in sys.modules]\n"
        "print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
