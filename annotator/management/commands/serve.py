"""Start the whole application on one machine: migrate, seed the demo, run web + workers.

    python manage.py serve            # what `make run` does

Ctrl-C stops everything it started.
"""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import BaseCommand, call_command

from annotator.services.demo import seed_demo


class Command(BaseCommand):
    help = "Run the web server and Celery workers on the embedded default (or the configured services)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--no-demo", action="store_true", help="Do not create the demo account and project.")

    def handle(self, *args, port, host, no_demo, **options):
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        demo = None if no_demo else seed_demo(log=self.stdout.write)
        processes = self._start(host, port)
        url = f"http://{host}:{port}/"
        self.stdout.write(self.style.SUCCESS(f"\nSiamLabel is running at {url}"))
        if demo:
            self.stdout.write(f"  sign in as '{demo.username}' with password: {demo.password}")
        self.stdout.write(f"  API docs: {url}api/docs/   health: {url}api/health   (Ctrl-C stops everything)\n")
        self._wait(processes)

    def _start(self, host: str, port: int) -> list[subprocess.Popen]:
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
        return [subprocess.Popen(c, cwd=settings.BASE_DIR, env=env, start_new_session=True) for c in commands]

    def _wait(self, processes: list[subprocess.Popen]) -> None:
        def stop(*_):
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)
        try:
            while all(p.poll() is None for p in processes):
                time.sleep(0.5)
            self.stderr.write("a process stopped unexpectedly; shutting down")
        except KeyboardInterrupt:
            self.stdout.write("\nstopping...")
        finally:
            for p in processes:
                if p.poll() is None:
                    os.killpg(p.pid, signal.SIGTERM)
            deadline = time.monotonic() + 15
            for p in processes:
                try:
                    p.wait(timeout=max(deadline - time.monotonic(), 0.1))
                except subprocess.TimeoutExpired:
                    os.killpg(p.pid, signal.SIGKILL)
