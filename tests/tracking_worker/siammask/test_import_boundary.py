"""tracking_worker.siammask (and the CLI module) never import Django (style 2.3)."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize("module", ["tracking_worker.siammask", "tracking_worker.track"])
def test_importing_does_not_import_django(module, repo_root):
    code = f"import sys, {module}; print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=repo_root, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


def test_public_names_are_the_design_api():
    import tracking_worker.siammask as siammask

    assert set(siammask.__all__) == {"load_model", "Tracker", "TrackerConfig", "MultiTracker"}
