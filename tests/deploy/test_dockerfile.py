"""The Dockerfile's shape (issue 16): a Node stage builds the front end, the Python stage installs the
pinned requirements, no make, a non-root user, base images and the torch index as build arguments.

No container engine runs in CI; docs/operations.md ("The image") records a real build with podman.
"""

import fnmatch
import json
import os
import re
import subprocess
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]


def instructions() -> list[tuple[str, str]]:
    """Return the Dockerfile's (INSTRUCTION, arguments) pairs, continuation lines joined."""
    text = re.sub(r"\\\n", " ", (REPO / "Dockerfile").read_text())
    pairs = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            pairs.append((keyword.upper(), rest.strip()))
    return pairs


def stages() -> dict[str, list[tuple[str, str]]]:
    """Return each stage's instructions by stage name (the global ARGs under "")."""
    result, name = {"": []}, ""
    for keyword, rest in instructions():
        if keyword == "FROM":
            name = rest.split(" AS ")[-1].strip() if " AS " in rest else str(len(result))
            result[name] = []
        result[name].append((keyword, rest))
    return result


def arg_defaults(pairs) -> dict[str, str]:
    return dict(rest.split("=", 1) for keyword, rest in pairs if keyword == "ARG" and "=" in rest)


def test_a_node_stage_builds_the_front_end_and_the_app_stage_copies_it():
    by_stage = stages()
    assert list(by_stage)[1:] == ["frontend", "app"]
    assert by_stage["frontend"][0] == ("FROM", "${NODE_IMAGE} AS frontend")
    assert ("RUN", "npm ci --no-audit --no-fund") in by_stage["frontend"]
    assert ("RUN", "npm run build") in by_stage["frontend"]
    assert by_stage["app"][0] == ("FROM", "${PYTHON_IMAGE} AS app")
    copies = [rest for keyword, rest in by_stage["app"] if keyword == "COPY"]
    assert "--from=frontend /src/annotator/static/annotator/dist/ annotator/static/annotator/dist/" in copies


def test_base_images_are_build_arguments_with_public_defaults():
    defaults = arg_defaults(stages()[""])
    node = re.fullmatch(r"node:(\d+)(?:\.(\d+))?[\w.-]*", defaults["NODE_IMAGE"])
    python = re.fullmatch(r"python:3\.11[\w.-]*", defaults["PYTHON_IMAGE"])
    assert node and python, defaults
    # the locked Vite's engines field: "^20.19.0 || >=22.12.0"; a bare "22" tag is the newest 22.x
    engines = json.loads((REPO / "frontend/package-lock.json").read_text())["packages"]["node_modules/vite"]["engines"]
    assert engines["node"] == "^20.19.0 || >=22.12.0"
    major, minor = int(node[1]), node[2]
    assert major >= 22 and (major > 22 or minor is None or int(minor) >= 12), defaults["NODE_IMAGE"]


def test_nothing_needs_make_and_requirements_are_pinned_files():
    runs = " ; ".join(rest for keyword, rest in instructions() if keyword == "RUN")
    assert not re.search(r"\bmake\b", runs)
    assert 'pip install --extra-index-url "$TORCH_INDEX_URL" -r requirements.txt' in runs
    assert "pip install --no-deps -r requirements-nodeps.txt" in runs


def test_torch_comes_from_a_build_argument_defaulting_to_the_cpu_build():
    assert arg_defaults(stages()["app"])["TORCH_INDEX_URL"] == "https://download.pytorch.org/whl/cpu"


def test_the_app_runs_as_a_non_root_user_through_the_entrypoint():
    app = stages()["app"]
    users = [rest for keyword, rest in app if keyword == "USER"]
    assert users and users[-1] not in ("root", "0")
    entrypoint = json.loads(next(rest for keyword, rest in app if keyword == "ENTRYPOINT"))
    script = REPO / entrypoint[0].removeprefix("/app/")
    assert script.is_file() and os.access(script, os.X_OK)


def test_the_entrypoint_runs_the_command_it_is_given():
    result = subprocess.run(["sh", "scripts/docker-entrypoint.sh", "echo", "started"], cwd=REPO,
                            capture_output=True, text=True, env=os.environ | {"SIAMLABEL_SETUP": "0"})
    assert (result.returncode, result.stdout) == (0, "started\n"), result.stderr


def test_dockerignore_keeps_local_state_out_of_the_image():
    patterns = [line.strip() for line in (REPO / ".dockerignore").read_text().splitlines()
                if line.strip() and not line.startswith("#")]

    def ignored(path: str) -> bool:
        # Docker's rule, enough for these patterns: a pattern matches the path or a folder above it;
        # "**/x" matches x at any depth
        parts = path.split("/")
        prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
        return any(any(fnmatch.fnmatch(part, p[3:]) for part in parts) if p.startswith("**/")
                   else any(fnmatch.fnmatch(prefix, p) for prefix in prefixes) for p in patterns)

    for path in [".venv/bin/python", "var/db.sqlite3", "frontend/node_modules/vite/package.json",
                 "weights/SiamMask_DAVIS.pth", ".git/HEAD", "annotator/static/annotator/dist/app.js"]:
        assert ignored(path), path
    for path in ["weights/mobile.pth", "weights/starter.pth", "manage.py", "frontend/src/main.ts",
                 "requirements-nodeps.txt", "scripts/docker-entrypoint.sh"]:
        assert not ignored(path), path


def test_compose_builds_the_gpu_worker_with_cuda_torch():
    services = yaml.safe_load((REPO / "docker-compose.yml").read_text())["services"]
    gpu_args = services["worker-gpu"]["build"]["args"]
    assert "/whl/cu" in gpu_args["TORCH_INDEX_URL"]
    assert services["worker-gpu"]["image"] != services["web"]["image"]
    assert "/whl/cpu" in services["web"]["build"]["args"]["TORCH_INDEX_URL"]
    # the web server prepares the database through the entrypoint (the image's CMD); workers wait for it
    assert "command" not in services["web"]
    for name in ("worker-default", "worker-gpu"):
        assert services[name]["depends_on"]["web"] == {"condition": "service_healthy"}
