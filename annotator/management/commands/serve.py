"""Start the whole application on one machine: migrate, seed the demo, run web + workers.

    python manage.py serve            # what `make run` does

Ctrl-C, SIGTERM and SIGHUP (the terminal closed) stop everything it started: gunicorn, the
workers and their children (docs/operations.md, "Stopping `manage.py serve`").
"""

import ctypes
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager

from django.conf import settings
from django.core.management import BaseCommand, call_command

from annotator.services.demo import seed_demo

STOP_SIGNALS = (signal.SIGHUP, signal.SIGINT, signal.SIGTERM)
PR_SET_PDEATHSIG = 1  # linux/prctl.h
STOP_SECONDS = 15  # how long the children get to finish their work before SIGKILL


class Stopped(Exception):
    """A stop signal arrived."""


def _raise_stopped(signum, _frame):
    raise Stopped(signal.Signals(signum).name)


@contextmanager
def _signals_held():
    """Hold stop signals back while a child is started, so none leaves it running unrecorded."""
    signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)


def _in_child() -> None:
    """Undo the held signals in the child, and have Linux SIGTERM it if serve dies without cleaning up (SIGKILL)."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class Command(BaseCommand):
    help = "Run the web server and Celery workers on the embedded default (or the configured services)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--no-demo", action="store_true", help="Do not create the demo account and project.")

    def handle(self, *args, port, host, no_demo, **options):
        for signum in STOP_SIGNALS:
            signal.signal(signum, _raise_stopped)
        processes: list[subprocess.Popen] = []
        try:
            call_command("migrate", interactive=False, verbosity=0)
            call_command("collectstatic", interactive=False, verbosity=0)
            demo = None if no_demo else seed_demo(log=self.stdout.write)
            self._start(host, port, processes)
            url = f"http://{host}:{port}/"
            self.stdout.write(self.style.SUCCESS(f"\nSiamLabel is running at {url}"))
            if demo:
                self.stdout.write(f"  sign in as '{demo.username}' with password: {demo.password}")
            self.stdout.write(f"  API docs: {url}api/docs/   health: {url}api/health   (Ctrl-C stops everything)\n")
            self.stdout.flush()  # piped to a file or a log, the banner would otherwise wait for the exit
            while all(p.poll() is None for p in processes):
                time.sleep(0.5)
            self.stderr.write("a process stopped unexpectedly; shutting down")
        except (Stopped, KeyboardInterrupt) as stop:
            self.stdout.write(f"\n{stop or 'SIGINT'}: stopping...")
        finally:
            for signum in STOP_SIGNALS:  # a second Ctrl-C or hangup must not cut the clean-up short
                signal.signal(signum, signal.SIG_IGN)
            self._stop(processes)

    def _start(self, host: str, port: int, processes: list[subprocess.Popen]) -> None:
        python = sys.executable
        celery = [python, "-m", "celery", "-A", "config", "worker", "--without-gossip",
                  "--without-mingle", "--loglevel", "INFO"]
        commands = [
            [python, "-m", "gunicorn", "config.wsgi:application", "--bind", f"{host}:{port}", "--workers", "2",
             "--threads", "4", "--timeout", "300", "--access-logfile", "-"],
            celery + ["-Q", "default", "-n", "default@%h", "--concurrency", "2"],
            celery + ["-Q", "gpu", "-n", "gpu@%h", "--pool", "solo"],
        ]
        env = os.environ | {"PYTHONUNBUFFERED": "1"}
        for command in commands:
            # its own session: a Ctrl-C reaches serve alone, which stops each child's whole group in order
            with _signals_held():
                processes.append(subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, start_new_session=True,
                                                  preexec_fn=_in_child))

    def _stop(self, processes: list[subprocess.Popen]) -> None:
        """SIGTERM each child, which stops its own workers (gunicorn's, Celery's pool), then SIGKILL what is left.

        Only the leader gets the SIGTERM: a Celery pool child killed under its parent is logged as an
        error and replaced by a new one while the parent shuts down.
        """
        for p in processes:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_SECONDS
        for p in processes:
            try:
                p.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                pass
        for p in processes:  # a leader gone can leave group members behind (a worker's pool child)
            _signal_group(p, signal.SIGKILL)
            p.wait()


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    try:
        os.killpg(process.pid, signum)
    except ProcessLookupError:  # the whole group has exited
        pass
