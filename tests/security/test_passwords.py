"""Passwords are stored with the configured (strong) hasher on every path that sets one.

The suite's conftest swaps in MD5 for speed; these tests put the project's own setting back.
Paths that set passwords: Django's create_user (the cast, the admin), the demo account that
`manage.py serve` / `make run` seeds (annotator/services/demo.py), and `createsuperuser`.
"""

import stat

import pytest
from django.conf import global_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import identify_hasher
from django.core.management import call_command
from django.utils.module_loading import import_string

import config.settings as configured
from annotator.services import demo

pytestmark = pytest.mark.django_db
STRONG = {"pbkdf2_sha256", "argon2", "scrypt", "bcrypt_sha256"}


@pytest.fixture
def algorithm(settings):
    """Restore the project's PASSWORD_HASHERS; return the algorithm new passwords must use."""
    settings.PASSWORD_HASHERS = getattr(configured, "PASSWORD_HASHERS", global_settings.PASSWORD_HASHERS)
    name = import_string(settings.PASSWORD_HASHERS[0]).algorithm
    assert name in STRONG, f"the first password hasher is {name}, not a strong one"
    return name


def assert_hashed(user, password: str, algorithm: str) -> None:
    user.refresh_from_db()
    assert user.password.startswith(f"{algorithm}$"), user.password[:20]
    assert password not in user.password
    assert identify_hasher(user.password).algorithm == algorithm
    assert user.check_password(password)


def test_create_user_hashes_with_the_default_hasher(algorithm):
    user = get_user_model().objects.create_user(username="erin", password="erin-secret-pw")
    assert_hashed(user, "erin-secret-pw", algorithm)


def test_the_demo_account_is_hashed_and_its_generated_password_file_is_private(algorithm, settings, tmp_path,
                                                                             monkeypatch):
    settings.VAR_DIR = tmp_path / "var"
    monkeypatch.delenv("SIAMLABEL_DEMO_PASSWORD", raising=False)
    account = demo.seed_demo(log=lambda message: None)
    assert_hashed(get_user_model().objects.get(username=account.username), account.password, algorithm)
    password_file = settings.VAR_DIR / "demo-password.txt"
    assert password_file.read_text().strip() == account.password  # by design: printed once, kept for the owner
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600


def test_the_demo_password_from_the_environment_is_hashed(algorithm, settings, tmp_path, monkeypatch):
    settings.VAR_DIR = tmp_path / "var"
    monkeypatch.setenv("SIAMLABEL_DEMO_PASSWORD", "demo-env-password")
    account = demo.seed_demo(log=lambda message: None)
    assert account.password == "demo-env-password"
    assert_hashed(get_user_model().objects.get(username="demo"), "demo-env-password", algorithm)
    assert not (settings.VAR_DIR / "demo-password.txt").exists()


def test_createsuperuser_hashes_the_password(algorithm, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "root-secret-pw")
    call_command("createsuperuser", interactive=False, username="root", email="root@example.com", verbosity=0)
    assert_hashed(get_user_model().objects.get(username="root"), "root-secret-pw", algorithm)
