"""End-to-end fixtures: a live Django server, a real Celery worker process and Debian's Chromium.

The tests skip, saying why, when /usr/bin/chromium or the playwright package is missing. Nothing
here downloads a browser (never `playwright install`).
"""

import os
import subprocess
import sys
import time
import uuid
from urllib.parse import quote, urlsplit, urlunsplit
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("SIAMLABEL_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
BUILT_APP = ROOT / "annotator" / "static" / "annotator" / "dist" / "app.js"
PASSWORD = "e2e-password-123"

# Playwright's sync API runs an event loop in the test thread; the ORM calls in these tests are
# still plain synchronous code, so Django's async-safety check does not apply to them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None


def pytest_collection_modifyitems(config, items):
    reason = None
    if sync_playwright is None:
        reason = "playwright is not installed (pip install playwright==1.65.2; the browser itself comes from apt)"
    elif not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing (apt-get install chromium)"
    elif not BUILT_APP.exists():
        reason = "the front end is not built (make -C frontend build)"
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def e2e_media(tmp_path_factory):
    return tmp_path_factory.mktemp("e2e-media")


@pytest.fixture
def e2e_settings(settings, e2e_media):
    settings.MEDIA_ROOT = e2e_media
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return settings


@pytest.fixture
def e2e_cast(transactional_db, e2e_settings):
    """alice (annotator) and bob (reviewer) in project P with labels person and ball."""
    from django.contrib.auth import get_user_model

    from annotator.choices import Role
    from annotator.models import Membership
    from annotator.services.projects import create_project

    users = get_user_model().objects
    alice, bob, carol = (users.create_user(username=n, password=PASSWORD) for n in ("alice", "bob", "carol"))
    project = create_project(name="P", by=carol, labels=["person", "ball"])
    Membership.objects.create(project=project, user=alice, role=Role.ANNOTATOR)
    Membership.objects.create(project=project, user=bob, role=Role.REVIEWER)
    return type("Cast", (), {"alice": alice, "bob": bob, "carol": carol, "project": project})


def tracker_checkpoint() -> Path:
    """The committed starter weights (or SIAMLABEL_E2E_CHECKPOINT): e2e runs the real tracker."""
    path = Path(os.environ.get("SIAMLABEL_E2E_CHECKPOINT", ROOT / "weights" / "starter.pth"))
    if not path.is_file():
        pytest.fail(f"no tracker weights at {path}")
    return path


def database_url() -> str:
    from django.db import connection

    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def e2e_broker_url() -> str:
    """A Redis database of its own, so workers of other suites sharing the test broker take no e2e task.

    SIAMLABEL_E2E_BROKER_URL, or the test broker (CELERY_BROKER_URL) with database 13.
    """
    if os.environ.get("SIAMLABEL_E2E_BROKER_URL"):
        return os.environ["SIAMLABEL_E2E_BROKER_URL"]
    parts = urlsplit(os.environ["CELERY_BROKER_URL"])
    return urlunsplit(parts._replace(path="/13"))


@pytest.fixture(scope="module")
def e2e_broker():
    """Point this process's Celery app (the live server sends tasks with it) at the e2e broker.

    Module-scoped so the app points back at the usual broker before other suites' workers run.
    """
    from config.celery import app

    keys = ("broker_url", "broker_write_url", "broker_read_url")

    def use(values):
        # the write/read URLs win over broker_url once Celery has filled them in: set all three
        app.conf.update(values)
        # drop pooled connections to the previous broker (they are created lazily again)
        app._pool = None
        app.amqp._producer_pool = None

    previous = {k: app.conf[k] for k in keys}
    url = e2e_broker_url()
    use(dict.fromkeys(keys, url))
    yield url
    use(previous)


@pytest.fixture(scope="module")
def e2e_worker_env() -> dict[str, str]:
    """Extra environment for the module's worker (e.g. SIAMLABEL_* settings); a module overrides it."""
    return {}


@pytest.fixture(scope="module")
def celery_worker_process(django_db_setup, django_db_blocker, e2e_media, e2e_broker, e2e_worker_env):
    """A real worker on the gpu and default queues, using the test database and the e2e media folder."""
    from django.db import connection

    if connection.vendor != "postgresql" or not os.environ.get("CELERY_BROKER_URL", "").startswith("redis"):
        pytest.skip("the e2e worker needs PostgreSQL and Redis (run through `make test`)")
    with django_db_blocker.unblock():
        url = database_url()
    name = f"e2e-{uuid.uuid4().hex[:8]}"
    cmd = [str(Path(sys.executable).parent / "celery"), "-A", "config", "worker", "-Q", "gpu,default",
           "-P", "solo", "--concurrency", "1", "-n", f"{name}@%h", "--without-gossip", "--without-mingle",
           "--loglevel", "INFO"]
    checkpoint = tracker_checkpoint()
    env = os.environ | {"DATABASE_URL": url, "MEDIA_ROOT": str(e2e_media), "PYTHONUNBUFFERED": "1",
                        "CELERY_BROKER_URL": e2e_broker,
                        "DEBUG": "0", "SECRET_KEY": os.environ.get("SECRET_KEY", "test-only-secret")} | e2e_worker_env
    ARTIFACTS.mkdir(exist_ok=True)
    log = open(ARTIFACTS / "e2e-worker.log", "w")
    process = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while b"ready." not in (ARTIFACTS / "e2e-worker.log").read_bytes():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the Celery worker did not start; see {ARTIFACTS / 'e2e-worker.log'}")
            time.sleep(0.2)
        yield type("Worker", (), {"process": process, "checkpoint": checkpoint})
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture
def worker(celery_worker_process, e2e_cast):
    """The worker, with the starter checkpoint registered as the default model."""
    from annotator.services.checkpoints import register_checkpoint

    register_checkpoint(name="e2e", file=str(celery_worker_process.checkpoint), variant="light", make_default=True)
    return celery_worker_process


@pytest.fixture
def video_with_track(e2e_cast, celery_worker_process, tmp_path):
    """A 12-frame 160x120 clip, extracted by the real worker, and one track boxed (no mask) on frame 0."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from annotator.models import Video
    from annotator.services import tracks as track_services
    from annotator.services import videos as video_services
    from tests import clips
    from tests.conftest import wait_for

    path = clips.write_video(tmp_path / "clip.avi")
    upload = SimpleUploadedFile("clip.avi", path.read_bytes(), content_type="video/x-msvideo")
    video = video_services.create_video(project=e2e_cast.project, name="clip", upload=upload, by=e2e_cast.alice)
    video = wait_for(lambda: Video.objects.filter(pk=video.pk, status__in=["ready", "failed"]).first(), 60,
                     f"the worker to extract the clip (log: {ARTIFACTS / 'e2e-worker.log'})")
    assert video.status == "ready", video.error
    track = track_services.create_track(video=video, label=e2e_cast.project.labels.first(), frame_index=0,
                                        bbox=clips.square_box(0), by=e2e_cast.alice)
    return video, track


@pytest.fixture
def new_page(browser, live_server):
    """Open a fresh browser context (its own cookies) logged in as a user; close them afterwards."""
    contexts = []

    def open_as(user, path="/"):
        context = browser.new_context(viewport={"width": 1280, "height": 720}, base_url=live_server.url)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.js_errors = errors
        page.goto(f"/login/?next={quote(path)}")
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"**{path.split('?')[0]}*")
        return page

    yield open_as
    for context in contexts:
        context.close()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path
