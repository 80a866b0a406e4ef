"""The whole server as deployed, on loopback, in a scratch folder: a private PostgreSQL cluster and
Redis server (so they can be killed and restarted without touching the machine's own), migrations,
gunicorn, and real Celery workers on the starter checkpoint.

    with Stack(tmp_path) as stack:
        api = stack.client(stack.manager_token)
        ...
        stack.postgres.restart()

Used by the fault tests (tests/reliability) and the load and fault benchmarks (bench/reliability).
"""

import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from tests.conftest import ProcessGroup, WorkerProcess

REPO = Path(__file__).resolve().parents[2]
STARTER_WEIGHTS = REPO / "weights" / "starter.pth"


class Unavailable(RuntimeError):
    """A server binary this harness needs is not installed (tests skip with this message)."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout: float, what: str, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")


def _postgres_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not found:
        raise Unavailable("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    return found[-1].parent


class PostgresServer:
    """A private cluster on its own port. Runs as the `postgres` user when we are root (initdb refuses root)."""

    def __init__(self):
        self.bin = _postgres_bin()
        # Its own folder under /tmp: the `postgres` user cannot enter pytest's private tmp folders.
        self.root, self.port = Path(tempfile.mkdtemp(prefix="siamlabel-postgres-")), free_port()
        self.data, self.log = self.root / "data", self.root / "postgres.log"
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/siamlabel"

    def _run(self, *args: str) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=120)
        if done.returncode:
            raise RuntimeError(f"{args[0]} failed: {done.stderr.strip()}")

    def start(self) -> "PostgresServer":
        if not self.data.exists():
            if os.geteuid() == 0:
                user = pwd.getpwnam("postgres")
                os.chown(self.root, user.pw_uid, user.pw_gid)
            self.root.chmod(0o755)
            self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
            self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-o", self._options(), "start")
            self._psql("CREATE DATABASE siamlabel")
        else:
            self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-o", self._options(), "start")
        return self

    def _options(self) -> str:
        return f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c max_connections=200"

    def _psql(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{self.port}/postgres", autocommit=True) as conn:
            conn.execute(sql)

    def crash(self) -> None:
        """Stop as a crash would (`immediate`: no checkpoint; committed work comes back from the WAL)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def restart(self, down_seconds: float = 2.0) -> None:
        self.crash()
        time.sleep(down_seconds)
        self.start()

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    def query(self, sql: str, *params) -> list[tuple]:
        import psycopg

        with psycopg.connect(self.url.replace("postgres://", "postgresql://")) as conn:
            return conn.execute(sql, params).fetchall()


class RedisServer:
    """A private Redis with the append-only file on, as docker-compose.yml runs it."""

    def __init__(self, root: Path):
        if not shutil.which("redis-server"):
            raise Unavailable("redis-server is not installed")
        self.root, self.port = root, free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> "RedisServer":
        self.root.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.root),
             "--appendonly", "yes", "--save", "", "--logfile", str(self.root / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        wait_until(self._pong, 20, "redis to answer")
        return self

    def _pong(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(port=self.port, socket_timeout=1).ping())
        except redis.RedisError:
            return False

    def kill(self) -> None:
        """SIGKILL: what it had acknowledged is in the append-only file already."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def restart(self, down_seconds: float = 2.0) -> None:
        self.kill()
        time.sleep(down_seconds)
        self.start()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=20)


class WebServer(ProcessGroup):
    """gunicorn as in the Dockerfile (3 workers x 4 threads unless told otherwise)."""

    def __init__(self, env: dict, log: Path, workers: int = 3, threads: int = 4):
        self.env, self.log, self.port = env, log, free_port()
        self.workers, self.threads = workers, threads
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self) -> "WebServer":
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
             "--workers", str(self.workers), "--threads", str(self.threads), "--timeout", "300",
             "--graceful-timeout", "60"],
            cwd=REPO, env=self.env, stdout=open(self.log, "ab"), stderr=subprocess.STDOUT, start_new_session=True,
        )
        wait_until(self._answers, 60, "gunicorn to answer")
        return self

    def _answers(self) -> bool:
        if self.proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{self.log.read_text()[-3000:]}")
        try:
            return httpx.get(f"{self.url}/api/health", timeout=2).status_code in (200, 503)
        except httpx.HTTPError:
            return False

    def reload(self) -> None:
        """SIGHUP: gunicorn starts new workers and lets the old ones finish their requests."""
        self.proc.send_signal(signal.SIGHUP)



class Stack:
    """PostgreSQL + Redis + gunicorn + a `gpu` and a `default` worker, seeded with one project.

    After start(): `manager_token`, `annotator_tokens` (one per simulated annotator), `project`
    and `label` ids are set. Fault-test settings are short (lease 6 s, heartbeat 2 s) so recovery
    is quick; the job semantics are the deployed ones.
    """

    def __init__(self, root: Path, annotators: int = 2, web_workers: int = 3, web_threads: int = 4,
                 chunk_frames: int = 4, worker_threads: int | None = None, extra_env: dict | None = None,
                 nice_workers: bool = False):
        self.root, self.nice_workers = root, nice_workers
        self.root.mkdir(parents=True, exist_ok=True)
        self.postgres = PostgresServer()
        self.redis = RedisServer(root / "redis")
        self.annotators = annotators
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "CELERY_", "SIAMLABEL_"))}
        self.env |= {
            "DEBUG": "0", "SECRET_KEY": "reliability-test-secret", "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "0",  # plain http on 127.0.0.1, production settings otherwise
            "DATABASE_URL": self.postgres.url, "CELERY_BROKER_URL": self.redis.url,
            "MEDIA_ROOT": str(root / "media"), "SIAMLABEL_WEIGHTS_DIR": str(STARTER_WEIGHTS.parent),
            "CELERY_VISIBILITY_TIMEOUT": "10", "SIAMLABEL_JOB_LEASE_SECONDS": "6",
            "SIAMLABEL_HEARTBEAT_SECONDS": "2", "SIAMLABEL_CHUNK_FRAMES": str(chunk_frames),
            "SIAMLABEL_LOST_PATIENCE": "1000000", "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(REPO),
        } | (extra_env or {})
        if worker_threads:
            self.env |= {"OMP_NUM_THREADS": str(worker_threads), "MKL_NUM_THREADS": str(worker_threads)}
        self.web = WebServer(self.env, root / "gunicorn.log", web_workers, web_threads)
        self.workers: dict[str, WorkerProcess] = {}
        self._worker_count = 0

    # -- life cycle -------------------------------------------------------------------------
    def __enter__(self) -> "Stack":
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> "Stack":
        if not STARTER_WEIGHTS.is_file():
            raise Unavailable(f"the starter checkpoint {STARTER_WEIGHTS} is missing")
        self.postgres.start()
        self.redis.start()
        self.manage("migrate", "--noinput")
        self.manage("register_checkpoint", "starter", str(STARTER_WEIGHTS), "--variant", "light", "--default")
        seed = json.loads(self.manage("shell", "-c", _SEED.replace("ANNOTATORS", str(self.annotators))).splitlines()[-1])
        self.project, self.label = seed["project"], seed["label"]
        self.manager_token, self.annotator_tokens = seed["manager"], seed["annotators"]
        self.web.start()
        self.start_worker("gpu")
        self.start_worker("default")
        return self

    def stop(self) -> None:
        for worker in self.workers.values():
            worker.stop()
        self.web.stop()
        self.redis.stop()
        self.postgres.stop()

    def manage(self, *args: str) -> str:
        done = subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env=self.env, capture_output=True,
                              text=True, timeout=300)
        if done.returncode:
            raise RuntimeError(f"manage.py {args[0]} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
        return done.stdout

    def start_worker(self, queues: str) -> WorkerProcess:
        self._worker_count += 1
        worker = WorkerProcess(self.env, self.root / f"worker-{queues}-{self._worker_count}.log", queues).start()
        if self.nice_workers:
            # Deployed, the tracker runs on the GPU; here on the same two cores as the web server.
            os.setpriority(os.PRIO_PGRP, worker.proc.pid, 19)
        self.workers[queues] = worker
        return worker

    # -- API helpers ------------------------------------------------------------------------
    def client(self, token: str, timeout: float = 30) -> httpx.Client:
        return httpx.Client(base_url=self.web.url, headers={"Authorization": f"Token {token}"}, timeout=timeout)

    def upload_clip(self, path: Path, name: str, timeout: float = 120) -> dict:
        """Upload a clip as the manager and wait until its frames are extracted."""
        with self.client(self.manager_token) as api, open(path, "rb") as f:
            response = api.post(f"/api/projects/{self.project}/videos/", data={"name": name},
                                files={"file": (path.name, f, "application/octet-stream")})
            response.raise_for_status()
            video_id = response.json()["id"]
            return wait_until(lambda: _ready(api, video_id), timeout, f"video {name} to be extracted", 0.5)

    def job(self, job_id: int) -> dict:
        with self.client(self.manager_token) as api:
            return api.get(f"/api/jobs/{job_id}/").json()

    def wait_job(self, job_id: int, timeout: float = 180) -> dict:
        def finished():
            try:
                job = self.job(job_id)
            except (httpx.HTTPError, ValueError):
                return None  # the server may be restarting
            return job if job.get("status") in ("succeeded", "failed", "cancelled") else None

        try:
            return wait_until(finished, timeout, f"job {job_id} to finish", 0.5)
        except TimeoutError as exc:
            raise TimeoutError(f"{exc}\n{self.logs()}") from None

    def logs(self, lines: int = 40) -> str:
        parts = [f"--- {name} worker ---\n{w.log_tail(lines)}" for name, w in self.workers.items()]
        parts.append("--- gunicorn ---\n" + "\n".join(self.web.log.read_text(errors="replace").splitlines()[-lines:]))
        return "\n".join(parts)


def _ready(api: httpx.Client, video_id: int) -> dict | None:
    video = api.get(f"/api/videos/{video_id}/").json()
    if video["status"] == "failed":
        raise RuntimeError(f"extraction failed: {video['error']}")
    return video if video["status"] == "ready" else None


# Users, memberships and tokens are set up directly (the API has no user sign-up); everything
# else goes through the API. Prints one JSON line: ids and tokens.
_SEED = """
import json
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from annotator.models import Project, Label, Membership
User = get_user_model()
project = Project.objects.create(name="reliability")
label = Label.objects.create(project=project, name="object")
def member(name, role):
    user = User.objects.create_user(name, password=name + "-password")
    Membership.objects.create(user=user, project=project, role=role)
    return Token.objects.create(user=user).key
manager = member("manager", "manager")
annotators = [member(f"annotator{i}", "annotator") for i in range(ANNOTATORS)]
print(json.dumps({"project": project.pk, "label": label.pk, "manager": manager, "annotators": annotators}))
"""
