"""fetch_weights: a real HTTP server on 127.0.0.1 plays the authors' site. Only a complete file that
loads strictly as the sharp SiamMask is registered; every failure registers nothing and leaves no
file behind."""

import hashlib
import http.server
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from annotator.models import ModelCheckpoint
from annotator.services.checkpoints import register_checkpoint

pytestmark = [pytest.mark.django_db, pytest.mark.slow]  # an 86 MB checkpoint, strict loads in child processes

REPO = Path(__file__).resolve().parents[3]

# In a child process: the test process, like the web process, stays free of torch.
WRITE_STATE_DICTS = """
import sys, torch
from tracking_worker.siammask.network import SiamMask
torch.manual_seed(0)
state = SiamMask().state_dict()
torch.save(state, sys.argv[1])
torch.save({k: v for k, v in state.items() if not k.startswith("refine_model.")}, sys.argv[2])
"""


@pytest.fixture(scope="session")
def served_files(tmp_path_factory) -> Path:
    """A sharp SiamMask state dict (~86 MB) and the same without its refine module, written once."""
    folder = tmp_path_factory.mktemp("served")
    subprocess.run([sys.executable, "-c", WRITE_STATE_DICTS, folder / "SiamMask_DAVIS.pth", folder / "no_refine.pth"],
                   cwd=REPO, check=True)
    return folder


@pytest.fixture(scope="session")
def sharp_checkpoint(served_files) -> Path:
    return served_files / "SiamMask_DAVIS.pth"


class WeightsSite(http.server.BaseHTTPRequestHandler):
    """Serves `routes`: path -> (body as bytes or a file, the Content-Length it announces)."""

    routes: dict[str, tuple[bytes | Path, int | None]] = {}

    def do_GET(self):
        if self.path not in self.routes:
            self.send_error(404, "Not Found")
            return
        body, announced = self.routes[self.path]
        size = body.stat().st_size if isinstance(body, Path) else len(body)
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(announced if announced is not None else size))
        self.end_headers()
        if isinstance(body, Path):
            with open(body, "rb") as f:
                shutil.copyfileobj(f, self.wfile)
        else:
            self.wfile.write(body)  # HTTP/1.0: the connection closes after this, even if short

    def log_message(self, *args):
        pass


@pytest.fixture
def site(served_files, sharp_checkpoint, monkeypatch):
    """Base URL of a local server with the routes the tests use."""
    for proxy in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(proxy, raising=False)
    not_a_checkpoint = b"<html><body>This mirror has moved.</body></html>"
    handler = type("Site", (WeightsSite,), {"routes": {
        "/SiamMask_DAVIS.pth": (sharp_checkpoint, None),
        "/truncated.pth": (sharp_checkpoint.read_bytes()[: 1 << 20], sharp_checkpoint.stat().st_size),
        "/moved.pth": (not_a_checkpoint, None),
        "/no_refine.pth": (served_files / "no_refine.pth", None),
    }})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def weights_dir(settings, tmp_path):
    settings.SIAMLABEL_WEIGHTS_DIR = tmp_path / "weights"
    return settings.SIAMLABEL_WEIGHTS_DIR


@pytest.fixture
def starter(weights_dir):
    """The checkpoint that is the default before any fetch."""
    weights_dir.mkdir()
    (weights_dir / "starter.pth").write_bytes(b"starter")
    return register_checkpoint(name="starter", file="starter.pth", variant="light", make_default=True)


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())  # hidden partial downloads included


def assert_nothing_registered(weights_dir: Path) -> None:
    assert list(ModelCheckpoint.objects.values_list("name", "is_default")) == [("starter", True)]
    assert files_in(weights_dir) == ["starter.pth"]


def test_fetched_weights_are_checked_hashed_and_made_default(site, sharp_checkpoint, weights_dir, starter):
    digest = hashlib.sha256(sharp_checkpoint.read_bytes()).hexdigest()
    call_command("fetch_weights", "davis", "--default", "--url", f"{site}/SiamMask_DAVIS.pth", "--sha256", digest)

    davis = ModelCheckpoint.objects.get(name="davis")
    assert (davis.file, davis.sha256, davis.variant, davis.config) == ("SiamMask_DAVIS.pth", digest, "sharp", "davis")
    assert davis.is_default
    starter.refresh_from_db()
    assert not starter.is_default
    assert files_in(weights_dir) == ["SiamMask_DAVIS.pth", "starter.pth"]
    assert (weights_dir / "SiamMask_DAVIS.pth").read_bytes() == sharp_checkpoint.read_bytes()


def test_fetching_again_keeps_the_file_and_the_default(site, sharp_checkpoint, weights_dir, starter):
    url = f"{site}/SiamMask_DAVIS.pth"
    call_command("fetch_weights", "davis", "--default", "--url", url, verbosity=0)
    call_command("fetch_weights", "davis", "--url", url, verbosity=0)

    assert list(ModelCheckpoint.objects.values_list("name", "is_default")) == [("davis", True), ("starter", False)]
    assert files_in(weights_dir) == ["SiamMask_DAVIS.pth", "starter.pth"]


def test_a_different_file_already_in_place_is_not_replaced(site, weights_dir, starter):
    (weights_dir / "SiamMask_DAVIS.pth").write_bytes(b"someone else's weights")
    with pytest.raises(CommandError, match="already exists with other contents"):
        call_command("fetch_weights", "davis", "--url", f"{site}/SiamMask_DAVIS.pth", verbosity=0)
    assert (weights_dir / "SiamMask_DAVIS.pth").read_bytes() == b"someone else's weights"
    assert list(ModelCheckpoint.objects.values_list("name", flat=True)) == ["starter"]
    assert files_in(weights_dir) == ["SiamMask_DAVIS.pth", "starter.pth"]


def test_a_file_with_another_sha256_than_pinned_is_refused(site, weights_dir, starter):
    with pytest.raises(CommandError, match=f"not the expected {'0' * 64}"):
        call_command("fetch_weights", "davis", "--default", "--url", f"{site}/SiamMask_DAVIS.pth",
                     "--sha256", "0" * 64, verbosity=0)
    assert_nothing_registered(weights_dir)


def test_a_truncated_download_is_refused(site, sharp_checkpoint, weights_dir, starter):
    expected = f"truncated: {1 << 20} of {sharp_checkpoint.stat().st_size} bytes arrived"
    with pytest.raises(CommandError, match=expected):
        call_command("fetch_weights", "davis", "--default", "--url", f"{site}/truncated.pth", verbosity=0)
    assert_nothing_registered(weights_dir)


@pytest.mark.parametrize(("path", "reason"), [
    ("/moved.pth", r"torch.load\(weights_only=True\) cannot read it \(it is an HTML page\)"),
    ("/no_refine.pth", r"checkpoint does not match .*missing keys \(\d+\): refine_model\."),
], ids=["html_page", "without_refine_module"])
def test_a_file_that_is_not_a_sharp_checkpoint_is_refused(site, weights_dir, starter, path, reason):
    with pytest.raises(CommandError, match=f"{site}{path} sent is not a valid SiamMask sharp checkpoint: {reason}"):
        call_command("fetch_weights", "davis", "--default", "--url", f"{site}{path}", verbosity=0)
    assert_nothing_registered(weights_dir)


def test_an_http_error_status_is_reported(site, weights_dir, starter):
    with pytest.raises(CommandError, match=r"/gone.pth answered HTTP 404 Not Found"):
        call_command("fetch_weights", "vot", "--url", f"{site}/gone.pth", verbosity=0)
    assert_nothing_registered(weights_dir)


def test_an_unreachable_server_fails_at_once_and_says_how_to_register_by_hand(weights_dir, starter):
    with socket.socket() as closed:  # bound but not listening: connections are refused
        closed.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{closed.getsockname()[1]}/SiamMask_VOT.pth"
        started = time.monotonic()
        with pytest.raises(CommandError) as info:
            call_command("fetch_weights", "vot", "--default", "--url", url, verbosity=0)
    assert time.monotonic() - started < 5
    message = str(info.value)
    assert "cannot reach 127.0.0.1" in message and "Connection refused" in message
    assert f"copy it to {weights_dir / 'SiamMask_VOT.pth'}" in message
    assert (f".venv/bin/python manage.py register_checkpoint vot {weights_dir / 'SiamMask_VOT.pth'} "
            "--config vot --default") in message
    assert_nothing_registered(weights_dir)

