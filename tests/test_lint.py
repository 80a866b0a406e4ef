"""No dead imports or locals: ruff's pyflakes checks F401 (unused import) and F841 (unused local).

Only these two: the F811 it would also report are pytest fixtures imported and then named as
arguments, which is how fixtures are shared here.
"""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FOLDERS = ["annotator", "tracking_worker", "formats", "config", "bench", "scripts", "tests"]


def test_no_unused_imports_or_locals():
    folders = [f for f in FOLDERS if (REPO / f).is_dir()]
    out = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--select", "F401,F841",
                          "--output-format", "concise", *folders], cwd=REPO, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
