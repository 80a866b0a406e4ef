"""`manage.py serve` leaves no process behind when it is stopped: Ctrl-C, SIGTERM, or a hangup.

Its children run in sessions of their own, so a closed terminal reaches serve alone; serve must
then stop gunicorn, the workers and their children itself (docs/operations.md).
"""

import os
import signal
import time
from collections import defaultdict
from pathlib import Path

import httpx
import pytest

from tests.conftest import wait_for
from tests.deploy.test_embedded_mode import Serve, health_with_workers

pytestmark = [pytest.mark.integration, pytest.mark.slow]
# gunicorn and its 2 workers, the default worker and its 2 pool children, the gpu worker (solo)
CHILDREN = 7


def descendants(pid: int) -> set[int]:
    """Return the ids of every process below `pid`, read from /proc."""
    children = defaultdict(set)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue  # exited while we read
        children[ppid].add(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        for child in children[todo.pop()] - found:
            found.add(child)
            todo.append(child)
    return found


def all_started(pid: int) -> set[int] | None:
    children = descendants(pid)
    return children if len(children) >= CHILDREN else None


def running(pids: set[int]) -> set[int]:
    """Return those of `pids` still running (a zombie waiting to be reaped has stopped)."""
    alive = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state not in ("Z", "X"):
            alive.add(pid)
    return alive


@pytest.fixture
def serve(tmp_path):
    server = Serve(tmp_path / "var", tmp_path / "serve.log").start()
    server.children = set()
    yield server
    server.stop(timeout=30)
    for pid in running(server.children):  # a failed test leaves nothing behind either
        os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize("signum", [signal.SIGHUP, signal.SIGTERM, signal.SIGINT], ids=lambda s: s.name)
def test_a_stop_signal_stops_every_process_serve_started(serve, signum):
    api = httpx.Client(base_url=serve.url, timeout=10)
    wait_for(lambda: health_with_workers(api), 240, "serve's gunicorn and workers", serve, interval=1)
    children = serve.children = wait_for(lambda: all_started(serve.proc.pid), 60, "every child of serve", serve)

    os.kill(serve.proc.pid, signum)
    assert serve.proc.wait(timeout=60) == 0, serve.log_tail()
    deadline = time.monotonic() + 10  # serve waited for its children; a grandchild may take a moment more
    while running(children) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert running(children) == set(), f"still running after serve exited\n{serve.log_tail()}"
    log = serve.log_path.read_text()
    assert f"{signum.name}: stopping..." in log
    # each worker stops its own pool: no pool child killed under it, none restarted during the shutdown
    assert "exited with 'signal" not in log, serve.log_tail()
