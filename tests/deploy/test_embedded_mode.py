"""`make run` on a fresh machine: `manage.py serve` on the embedded default (SQLite, the filesystem
broker, gunicorn and real worker processes, all state under SIAMLABEL_VAR_DIR) propagates a clip
through the API."""

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests import clips
from tests.conftest import ProcessGroup, wait_for
from tests.reliability.stack import free_port

pytestmark = [pytest.mark.integration, pytest.mark.slow]
REPO = Path(__file__).resolve().parents[2]
PASSWORD = "embedded-demo-password"


class Serve(ProcessGroup):
    """`manage.py serve` as `make run` starts it: DEBUG off, no service and no secret configured."""

    def __init__(self, var_dir: Path, log_path: Path):
        self.var_dir, self.log_path, self.port = var_dir, log_path, free_port()
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self) -> "Serve":
        # what the test process was given for PostgreSQL, Redis and media: a fresh machine has none of it
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("SIAMLABEL_", "CELERY_", "SECRET_KEY")) and k not in (
                   "DATABASE_URL", "MEDIA_ROOT", "STATIC_ROOT", "FILE_UPLOAD_TEMP_DIR", "DEBUG")}
        env |= {"PYTHONUNBUFFERED": "1", "SIAMLABEL_VAR_DIR": str(self.var_dir),
                "SIAMLABEL_DEMO_PASSWORD": PASSWORD,
                "SIAMLABEL_SHARED_DIR": str(self.var_dir / "no-shared-data"),  # the small generated demo clip
                # the synthetic square is not what the built-in model learnt; this test is about the stack
                "SIAMLABEL_LOST_PATIENCE": "1000000"}
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen([sys.executable, "manage.py", "serve", "--port", str(self.port)], cwd=REPO,
                                         env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        return self


@pytest.fixture
def serve(tmp_path):
    server = Serve(tmp_path / "var", tmp_path / "serve.log").start()
    yield server
    server.stop(timeout=30)  # serve stops its gunicorn and workers on SIGTERM


def health_with_workers(api: httpx.Client) -> dict | None:
    try:
        body = api.get("/api/health").json()
    except (httpx.HTTPError, ValueError):
        return None  # still migrating, or gunicorn not listening yet
    return body if body["workers"] == "ok" else None  # a live worker on each of gpu and default


def finished(api: httpx.Client, job_id: int) -> dict | None:
    job = api.get(f"/api/jobs/{job_id}/").json()
    return job if job["status"] not in ("queued", "running") else None


def test_make_run_propagates_a_clip_through_the_api(serve, tmp_path):
    api = httpx.Client(base_url=serve.url, timeout=30)
    health = wait_for(lambda: health_with_workers(api), 240, "serve's gunicorn and workers", serve, interval=1)
    assert (health["database"], health["broker"]) == ("ok", "ok")
    assert (serve.var_dir / "db.sqlite3").is_file() and (serve.var_dir / "broker" / "queue").is_dir()

    token = api.post("/api/auth/token/", json={"username": "demo", "password": PASSWORD})
    assert token.status_code == 200, token.text
    api.headers["Authorization"] = f"Token {token.json()['token']}"
    # the demo account is staff: it sees the details
    assert api.get("/api/health").json()["details"]["default_checkpoint"]["name"] == "mobile (built-in)"
    project = next(p for p in api.get("/api/projects/").json()["results"] if p["name"] == "Demo")
    label = api.get(f"/api/projects/{project['id']}/labels/").json()["results"][0]["id"]
    clip = clips.write_video(tmp_path / "square.avi")
    with open(clip, "rb") as f:
        upload = api.post(f"/api/projects/{project['id']}/videos/", data={"name": "square"},
                          files={"file": ("square.avi", f, "video/x-msvideo")})
    assert upload.status_code == 201, upload.text
    video_id = upload.json()["id"]
    wait_for(lambda: api.get(f"/api/videos/{video_id}/").json()["status"] == "ready", 120,
             "the default worker to extract the clip", serve, interval=0.5)

    track = api.post(f"/api/videos/{video_id}/tracks/",
                     json={"label": label, "frame": 0, "box": clips.square_box(0)}).json()
    started = api.post(f"/api/tracks/{track['id']}/propagate/", json={"frame": 0, "direction": "forward"})
    assert started.status_code == 202, started.text
    job = wait_for(lambda: finished(api, started.json()["id"]), 240, "the gpu worker to propagate", serve, interval=0.5)
    assert job["status"] == "succeeded", job
    frames = api.get(f"/api/tracks/{track['id']}/annotations/").json()
    assert [a["frame"] for a in frames] == list(range(12))
    assert {a["source"] for a in frames[1:]} == {"propagated"}

    # DEBUG is off, over plain http: WhiteNoise serves the built front end, a missing page is the plain one
    web = httpx.Client(base_url=serve.url, timeout=30)
    assert web.get("/static/annotator/dist/app.js").status_code == 200
    assert web.get("/favicon.ico").status_code == 200
    missing = web.get("/no-such-page/")
    assert missing.status_code == 404 and "Page not found" in missing.text and "URLconf" not in missing.text
    assert "No hostname was supplied" not in serve.log_path.read_text()  # kombu's warning on a host-less URL
