"""The seams: the web side imports neither torch nor tracking_worker; the tracker never imports
Django; formats imports neither Django nor torch (docs/architecture.md, "Seams")."""

import ast
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DJANGO_SETUP = ("import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings'); "
                "django.setup()\n")


def modules_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys; print(' '.join(sys.modules))"], cwd=REPO,
                         capture_output=True, text=True, env={"DEBUG": "1", "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    return set(out.stdout.split())


def under(loaded: set[str], package: str) -> list[str]:
    return sorted(name for name in loaded if name == package or name.startswith(package + "."))


def imported_packages(folder: str) -> dict[str, set[str]]:
    """Return {file: top-level packages it imports}, counting imports inside functions too."""
    found = {}
    for path in sorted((REPO / folder).rglob("*.py")):
        names = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(REPO))] = names
    return found


def test_web_process_never_imports_torch():
    loaded = modules_after(
        DJANGO_SETUP
        + "import annotator.api.urls, annotator.services.propagation, annotator.services.batches, config.urls\n"
        "import config.celery, tracking_worker.tasks"  # what every worker imports before its first task
    )
    assert "torch" not in loaded
    assert "annotator" in loaded


def test_web_process_never_imports_tracking_worker():
    loaded = modules_after(
        DJANGO_SETUP
        + "import importlib, pkgutil, annotator, config.urls, config.wsgi\n"
        "for module in pkgutil.walk_packages(annotator.__path__, 'annotator.'):\n"
        "    importlib.import_module(module.name)"
    )
    assert "annotator.api.views.health" in loaded and "annotator.management.commands.serve" in loaded
    assert under(loaded, "tracking_worker") == []


def test_annotator_and_config_code_never_import_tracking_worker():
    # also catches imports inside functions, which importing the modules does not run
    offenders = [path for folder in ("annotator", "config")
                 for path, packages in imported_packages(folder).items() if "tracking_worker" in packages]
    assert offenders == []


def test_tracker_never_imports_django():
    loaded = modules_after("import tracking_worker.siammask")
    assert "torch" in loaded
    assert under(loaded, "django") == []


def test_formats_import_neither_django_nor_torch_nor_either_app():
    loaded = modules_after("import formats.davis, formats.mask_geometry")
    assert "torch" not in loaded
    assert under(loaded, "django") == []
    outside = {"annotator", "config", "django", "torch", "tracking_worker"}
    assert {path: packages & outside for path, packages in imported_packages("formats").items()
            if packages & outside} == {}
