"""DELETE /api/auth/token/ revokes the caller's token; deactivated users are locked out; tokens
expire SIAMLABEL_TOKEN_LIFETIME_HOURS after they were issued.

Obtaining a token (POST) is tested in tests/annotator/api/test_auth_and_schema.py, its rate
limits in test_throttling.py.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def with_token(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def obtain(username: str) -> str:
    response = APIClient().post("/api/auth/token/", {"username": username, "password": f"{username}-pw-123"})
    assert response.status_code == 200, response.json()
    return response.json()["token"]


def test_a_revoked_token_gets_401_and_a_new_one_can_be_obtained(cast):
    old = obtain("alice")
    assert with_token(old).get("/api/projects/").status_code == 200
    assert with_token(old).delete("/api/auth/token/").status_code == 204
    refused = with_token(old).get("/api/projects/")
    assert refused.status_code == 401
    assert refused["WWW-Authenticate"] == "Token"
    assert with_token(old).delete("/api/auth/token/").status_code == 401  # revoking is not a way to probe keys
    new = obtain("alice")
    assert new != old
    assert with_token(new).get("/api/projects/").status_code == 200


def test_revoking_one_users_token_leaves_the_others(cast):
    alice, bob = obtain("alice"), obtain("bob")
    assert with_token(alice).delete("/api/auth/token/").status_code == 204
    assert with_token(bob).get("/api/projects/").status_code == 200
    assert list(Token.objects.values_list("user__username", flat=True)) == ["bob"]


def test_revoking_needs_credentials(cast):
    obtain("alice")
    assert APIClient().delete("/api/auth/token/").status_code == 401
    assert Token.objects.filter(user=cast.alice).exists()


def test_deactivating_a_user_locks_out_their_token(cast):
    key = obtain("alice")
    cast.alice.is_active = False
    cast.alice.save(update_fields=["is_active"])
    response = with_token(key).get("/api/projects/")
    assert response.status_code == 401
    assert "inactive" in response.json()["detail"]
    assert with_token(key).post("/api/projects/", {"name": "sneaky"}, format="json").status_code == 401
    # nor can they obtain a new one
    again = APIClient().post("/api/auth/token/", {"username": "alice", "password": "alice-pw-123"})
    assert again.status_code == 400


def test_openapi_schema_documents_revocation(client):
    operation = client.get("/api/schema/?format=json").json()["paths"]["/api/auth/token/"]
    assert "post" in operation
    assert "204" in operation["delete"]["responses"]


def age(key: str, by: timedelta) -> None:
    """Make a token look issued `by` earlier than it was."""
    Token.objects.filter(key=key).update(created=Token.objects.get(key=key).created - by)


def test_a_token_says_when_it_expires(cast, settings):
    settings.SIAMLABEL_TOKEN_LIFETIME = timedelta(hours=2)
    response = APIClient().post("/api/auth/token/", {"username": "alice", "password": "alice-pw-123"})
    token = Token.objects.get(key=response.json()["token"])
    assert parse_datetime(response.json()["expires"]) == token.created + timedelta(hours=2)


def test_an_expired_token_gets_401_and_the_next_post_issues_a_new_key(cast, settings):
    settings.SIAMLABEL_TOKEN_LIFETIME = timedelta(hours=2)
    old = obtain("alice")
    age(old, timedelta(hours=1, minutes=59))
    assert with_token(old).get("/api/projects/").status_code == 200  # within its lifetime
    assert obtain("alice") == old  # the same key until then
    age(old, timedelta(minutes=2))
    refused = with_token(old).get("/api/projects/")
    assert refused.status_code == 401
    assert refused["WWW-Authenticate"] == "Token"
    assert "expired" in refused.json()["detail"]
    new = obtain("alice")
    assert new != old
    assert not Token.objects.filter(key=old).exists()
    assert with_token(new).get("/api/projects/").status_code == 200
    assert Token.objects.get(key=new).created > timezone.now() - timedelta(minutes=1)


def test_an_expired_token_cannot_revoke_either(cast, settings):
    key = obtain("alice")
    age(key, settings.SIAMLABEL_TOKEN_LIFETIME)
    assert with_token(key).delete("/api/auth/token/").status_code == 401
