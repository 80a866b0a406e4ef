"""The embedded mode with nothing configured (a fresh shell, README's manage.py commands): DEBUG off,
a generated SECRET_KEY kept in SIAMLABEL_VAR_DIR, plain http, friendly error pages; a deployment
(DATABASE_URL named) still refuses to start without a key."""

import os
import stat
import subprocess

from tests.deploy.test_production_settings import PYTHON, REPO, environment, settings_in


def bare(tmp_path, **values) -> dict:
    """A fresh shell: PATH and HOME only, and where the embedded mode keeps its state."""
    return {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "SIAMLABEL_VAR_DIR": str(tmp_path / "var")} | values


def manage(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([PYTHON, "manage.py", *args], cwd=REPO, capture_output=True, text=True, env=env)


def test_manage_commands_run_from_an_empty_environment_with_a_generated_key(tmp_path):
    first = manage(bare(tmp_path), "check")
    assert first.returncode == 0, first.stderr
    key_file = tmp_path / "var" / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600  # the key signs sessions: its owner's only
    key = key_file.read_text()
    assert len(key.strip()) >= 50
    assert manage(bare(tmp_path), "check").returncode == 0
    assert key_file.read_text() == key  # generated once: sessions survive a restart


def test_the_embedded_mode_serves_plain_http_with_debug_off(tmp_path):
    values = settings_in(environment(tmp_path))
    assert not (values["SECURE_SSL_REDIRECT"] or values["SESSION_COOKIE_SECURE"] or values["CSRF_COOKIE_SECURE"])
    assert values["SECURE_HSTS_SECONDS"] == 0


def test_a_deployment_without_a_secret_key_refuses_to_start(tmp_path):
    done = manage(bare(tmp_path, DATABASE_URL="postgres://postgres@127.0.0.1:5432/siamlabel"), "check")
    assert done.returncode != 0
    assert "SECRET_KEY is not set" in done.stderr
    assert not (tmp_path / "var" / "secret_key").exists()


def test_a_missing_page_is_the_friendly_one(tmp_path):
    code = ("from django.test import Client; r = Client().get('/no-such-page/', HTTP_HOST='127.0.0.1'); "
            "print('status', r.status_code); print(r.content.decode())")
    done = manage(bare(tmp_path), "shell", "-c", code)
    assert done.returncode == 0, done.stderr
    body = done.stdout.split("status 404\n", 1)[1]  # after the shell's own banner
    assert "Page not found" in body and "Back to your projects" in body
    assert "URLconf" not in body and "api/" not in body  # DEBUG's page lists every URL pattern


def test_the_embedded_broker_connects_without_a_hostname_warning(tmp_path):
    # `manage.py serve`'s log repeated kombu's "No hostname was supplied" for each connection
    code = ("import django; django.setup(); from config.celery import app; "
            "conn = app.connection_for_write(); conn.ensure_connection(max_retries=1); "
            "print(conn.as_uri()); conn.release()")
    done = subprocess.run([PYTHON, "-c", code], cwd=REPO, capture_output=True, text=True,
                          env=bare(tmp_path, DJANGO_SETTINGS_MODULE="config.settings"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("filesystem://")
    assert "No hostname was supplied" not in done.stderr, done.stderr
