"""The two seams: the web side never imports torch; the tracker never imports Django."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def modules_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys; print(' '.join(sys.modules))"], cwd=REPO,
                         capture_output=True, text=True, env={"DEBUG": "1", "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    return set(out.stdout.split())


def test_web_process_never_imports_torch():
    loaded = modules_after(
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings'); django.setup()\n"
        "import annotator.api.urls, annotator.services.propagation, annotator.services.batches, config.urls\n"
        "from tracking_worker import celery_app, tasks"
    )
    assert "torch" not in loaded
    assert "annotator" in loaded


def test_tracker_never_imports_django():
    loaded = modules_after("import tracking_worker.siammask")
    assert "torch" in loaded
    assert not any(name == "django" or name.startswith("django.") for name in loaded)
