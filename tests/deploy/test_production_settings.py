"""Production (DEBUG=0) is HTTPS-only by default and passes `manage.py check --deploy`; `make run`
(DEBUG=1) keeps plain http. Settings are read in subprocesses, from the environment alone."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PYTHON = str(REPO / ".venv/bin/python") if (REPO / ".venv/bin/python").exists() else sys.executable
# What this test process was given (the test database, broker, ...) must not leak into a "fresh" environment.
OURS = ("SECURE_", "SESSION_", "CSRF_", "CACHE_URL", "SIAMLABEL_", "DATABASE_URL", "CELERY_", "ALLOWED_HOSTS",
        "SECRET_KEY", "DEBUG")
SHOWN = ["SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD",
         "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_PROXY_SSL_HEADER", "CSRF_TRUSTED_ORIGINS"]


def environment(tmp_path, **values) -> dict:
    # the e2e suite sets DJANGO_ALLOW_ASYNC_UNSAFE for Playwright in this process; no deployment has it
    env = {k: v for k, v in os.environ.items() if not k.startswith(OURS) and k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return env | {"SIAMLABEL_VAR_DIR": str(tmp_path / "var")} | values


def production(tmp_path, **values) -> dict:
    return environment(tmp_path, DEBUG="0", SECRET_KEY=secrets.token_urlsafe(50),
                       ALLOWED_HOSTS="label.example.org", **values)


def settings_in(env: dict) -> dict:
    code = ("import json; from django.conf import settings as s; "
            f"print(json.dumps({{k: getattr(s, k) for k in {SHOWN!r}}} | {{'cache': s.CACHES['default']['BACKEND'], "
            "'rates': s.REST_FRAMEWORK['DEFAULT_THROTTLE_RATES'], "
            "'token_hours': s.SIAMLABEL_TOKEN_LIFETIME.total_seconds() / 3600}))")
    done = subprocess.run([PYTHON, "-c", code], cwd=REPO, capture_output=True, text=True,
                          env=env | {"DJANGO_SETTINGS_MODULE": "config.settings"})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_check_deploy_finds_nothing_in_the_production_environment(tmp_path):
    done = subprocess.run([PYTHON, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], cwd=REPO,
                          capture_output=True, text=True, env=production(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues (0 silenced)." in done.stdout


def test_production_defaults_are_https_only(tmp_path):
    values = settings_in(production(tmp_path))
    assert values["SECURE_SSL_REDIRECT"] and values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["SECURE_HSTS_SECONDS"] == 365 * 24 * 3600
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] and values["SECURE_HSTS_PRELOAD"]
    assert values["SECURE_PROXY_SSL_HEADER"] is None  # trusting a header needs a proxy that sets it
    assert values["cache"].endswith("FileBasedCache")
    assert values["rates"] == {"sign_in_ip": "20/min", "sign_in_username": "5/min", "member_add": "60/hour"}
    assert values["token_hours"] == 14 * 24


def test_make_run_serves_plain_http(tmp_path):
    values = settings_in(environment(tmp_path, DEBUG="1"))
    assert not (values["SECURE_SSL_REDIRECT"] or values["SESSION_COOKIE_SECURE"] or values["CSRF_COOKIE_SECURE"])
    assert values["SECURE_HSTS_SECONDS"] == 0


def test_each_setting_comes_from_the_environment(tmp_path):
    values = settings_in(production(
        tmp_path, SECURE_SSL_REDIRECT="0", SECURE_HSTS_SECONDS="300", SECURE_HSTS_INCLUDE_SUBDOMAINS="0",
        SECURE_HSTS_PRELOAD="0", SESSION_COOKIE_SECURE="0", CSRF_COOKIE_SECURE="0",
        SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https", CSRF_TRUSTED_ORIGINS="https://label.example.org",
        CACHE_URL="redis://127.0.0.1:6379/5", SIAMLABEL_THROTTLE_SIGN_IN_IP="100/hour",
        SIAMLABEL_THROTTLE_SIGN_IN_USERNAME="3/min", SIAMLABEL_THROTTLE_MEMBER_ADD="10/day",
        SIAMLABEL_TOKEN_LIFETIME_HOURS="8",
    ))
    assert values == {
        "SECURE_SSL_REDIRECT": False, "SECURE_HSTS_SECONDS": 300, "SECURE_HSTS_INCLUDE_SUBDOMAINS": False,
        "SECURE_HSTS_PRELOAD": False, "SESSION_COOKIE_SECURE": False, "CSRF_COOKIE_SECURE": False,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "CSRF_TRUSTED_ORIGINS": ["https://label.example.org"],
        "cache": "django.core.cache.backends.redis.RedisCache",
        "rates": {"sign_in_ip": "100/hour", "sign_in_username": "3/min", "member_add": "10/day"},
        "token_hours": 8.0,
    }


@pytest.mark.parametrize("name, value", [
    ("SECURE_PROXY_SSL_HEADER", "X-Forwarded-Proto"),
    ("SIAMLABEL_THROTTLE_SIGN_IN_IP", "lots"),
    ("SIAMLABEL_TOKEN_LIFETIME_HOURS", "0"),
    ("CACHE_URL", "dbcache://throttle_table"),
])
def test_a_bad_value_stops_the_app_with_its_name(tmp_path, name, value):
    done = subprocess.run([PYTHON, "manage.py", "check"], cwd=REPO, capture_output=True, text=True,
                          env=production(tmp_path, **{name: value}))
    assert done.returncode != 0
    assert name in done.stderr


@pytest.mark.django_db
def test_plain_http_is_redirected_except_health_probes(client, settings):
    settings.SECURE_SSL_REDIRECT = True  # the suite serves plain http (tests/conftest.py turns it off)
    redirected = client.get("/api/projects/")
    assert (redirected.status_code, redirected["Location"]) == (301, "https://testserver/api/projects/")
    assert client.get("/login/").status_code == 301
    assert client.get("/api/health").status_code in (200, 503)  # a load balancer's probe inside the network
    secure = client.get("/login/", secure=True)
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
