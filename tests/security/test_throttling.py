"""Password guessing is rate-limited per client address and per username, on the token endpoint and
the login page alike (one budget for both); adding members is rate-limited per user.

Limits are the defaults docs/operations.md documents (20 sign-ins a minute per address, 5 per
username, 60 member additions an hour per user); tests/conftest.py empties the counters per test.
"""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from annotator.models import Membership

pytestmark = pytest.mark.django_db

TOKEN = "/api/auth/token/"
PER_ADDRESS, PER_USERNAME = 20, 5


def token_attempt(username: str, password: str = "wrong-password", forwarded_for: str | None = None):
    meta = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for else {}
    return APIClient().post(TOKEN, {"username": username, "password": password}, **meta)


def assert_throttled(response, limit_seconds: int = 60):
    assert response.status_code == 429, response.content[:300]
    assert 0 < int(response["Retry-After"]) <= limit_seconds


def test_guessing_one_accounts_password_is_refused_after_five_tries(cast):
    for _ in range(PER_USERNAME):
        assert token_attempt("alice").status_code == 400
    refused = token_attempt("alice", "alice-pw-123")  # even the right password, from now on
    assert_throttled(refused)
    assert "throttled" in refused.json()["detail"]
    assert token_attempt("ALICE").status_code == 429  # one budget whatever the case
    assert token_attempt("bob", "bob-pw-123").status_code == 200  # other accounts are unaffected


def test_one_address_trying_many_usernames_is_refused_after_twenty(cast):
    for i in range(PER_ADDRESS):
        assert token_attempt(f"user{i}").status_code == 400
    assert_throttled(token_attempt("carol", "carol-pw-123"))


def test_a_forged_x_forwarded_for_does_not_buy_a_fresh_budget(cast):
    for i in range(PER_ADDRESS):
        assert token_attempt(f"user{i}", forwarded_for=f"10.0.0.{i}").status_code == 400
    assert_throttled(token_attempt("carol", "carol-pw-123", forwarded_for="10.0.1.1"))


def test_behind_a_proxy_each_forwarded_client_has_its_own_budget(cast, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    for i in range(PER_ADDRESS):
        assert token_attempt(f"user{i}", forwarded_for="10.0.0.1").status_code == 400
    assert_throttled(token_attempt("carol", "carol-pw-123", forwarded_for="10.0.0.1"))
    assert token_attempt("carol", "carol-pw-123", forwarded_for="10.0.0.2").status_code == 200


def test_limits_come_from_the_settings(cast, settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] | {"sign_in_username": "2/hour"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    assert token_attempt("alice").status_code == 400
    assert token_attempt("alice").status_code == 400
    assert_throttled(token_attempt("alice"), limit_seconds=3600)


def test_the_login_page_answers_429_and_signs_nobody_in(cast):
    browser = Client()
    for _ in range(PER_USERNAME):
        assert browser.post("/login/", {"username": "carol", "password": "nope"}).status_code == 200  # the form again
    refused = browser.post("/login/", {"username": "carol", "password": "carol-pw-123"})
    assert_throttled(refused)
    assert b"Too many sign-in attempts" in refused.content
    assert "_auth_user_id" not in browser.session
    assert browser.post("/login/", {"username": "bob", "password": "bob-pw-123"}).status_code == 302


def test_the_login_page_and_the_token_endpoint_share_one_budget(cast):
    for _ in range(PER_USERNAME - 2):
        token_attempt("carol")
    browser = Client()
    for _ in range(2):
        browser.post("/login/", {"username": "carol", "password": "nope"})
    assert_throttled(browser.post("/login/", {"username": "carol", "password": "carol-pw-123"}))
    assert_throttled(token_attempt("carol", "carol-pw-123"))


def test_the_login_page_counts_per_address_too(cast):
    browser = Client()
    for i in range(PER_ADDRESS):
        browser.post("/login/", {"username": f"user{i}", "password": "nope"})
    assert_throttled(browser.post("/login/", {"username": "carol", "password": "carol-pw-123"}))


def test_signing_in_works_when_the_cache_cannot_be_written(cast, settings, tmp_path):
    (tmp_path / "a-file").write_text("")
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                                   "LOCATION": str(tmp_path / "a-file" / "cache")}}  # below a file: every write fails
    for _ in range(PER_USERNAME + 1):
        assert token_attempt("alice", "alice-pw-123").status_code == 200


def test_revoking_a_token_is_not_counted_as_a_sign_in(clients):
    for _ in range(PER_ADDRESS + 1):
        assert clients.alice.delete(TOKEN).status_code in (204, 401)
    assert token_attempt("alice", "alice-pw-123").status_code == 200


def test_a_manager_adding_members_is_refused_after_sixty_an_hour(clients, cast, make_user):
    members = f"/api/projects/{cast.project.pk}/members/"
    for i in range(60):
        response = clients.carol.post(members, {"username": f"nobody{i}", "role": "annotator"}, format="json")
        assert response.status_code == 400
    make_user("dave")
    refused = clients.carol.post(members, {"username": "dave", "role": "annotator"}, format="json")
    assert_throttled(refused, limit_seconds=3600)
    assert not Membership.objects.filter(user__username="dave").exists()
    assert clients.carol.get(members).status_code == 200  # reading the members is not limited


def test_the_admin_signs_in_through_the_limited_login_page(cast, admin_user):
    browser = Client()
    assert browser.get("/admin/", follow=True).redirect_chain[-1][0] == "/login/?next=%2Fadmin%2F"
    guessed = browser.post("/admin/login/", {"username": "admin", "password": "password"})  # not checked there
    assert (guessed.status_code, guessed["Location"]) == (302, "/login/")
    assert "_auth_user_id" not in browser.session
    assert browser.post("/login/?next=/admin/", {"username": "admin", "password": "password"})["Location"] == "/admin/"
    assert browser.get("/admin/").status_code == 200
