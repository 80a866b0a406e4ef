"""Browser sessions need the CSRF token for every write; token-authenticated clients do not.

The app shell signs in with Django's session cookie, so a page on another site could make the
browser send it: DRF's SessionAuthentication enforces CSRF on unsafe methods. A token lives in
a header no other site can set, so token-authenticated writes need no CSRF token.
"""

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from annotator.models import Project, Track

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(cast):
    """carol (manager of P) signed in with a session, CSRF checks on as in a real browser."""
    client = Client(enforce_csrf_checks=True)
    assert client.login(username="carol", password="carol-pw-123")
    return client


def csrf_token(client: Client) -> str:
    client.get("/login/")  # any page with a form sets the cookie
    return client.cookies["csrftoken"].value


def writes(cast, track):
    """(method, url, body, a function returning the state the write would change)."""
    return [
        ("post", "/api/projects/", {"name": "created"}, lambda: Project.objects.filter(name="created").count()),
        ("patch", f"/api/projects/{cast.project.pk}/", {"name": "renamed"},
         lambda: Project.objects.get(pk=cast.project.pk).name),
        ("put", f"/api/tracks/{track.pk}/annotations/3/", {"version": 1, "box": [1, 1, 9, 9]},
         lambda: track.annotations.count()),
        ("delete", f"/api/tracks/{track.pk}/", None, lambda: Track.objects.filter(pk=track.pk).count()),
        ("delete", "/api/auth/token/", None, lambda: Token.objects.filter(user=cast.carol).count()),
    ]


def send(client, method, url, body, **headers):
    return getattr(client, method)(url, body, content_type="application/json", headers=headers)


def test_session_writes_without_the_csrf_token_are_refused_and_change_nothing(browser, cast, track):
    Token.objects.create(user=cast.carol)
    for method, url, body, state in writes(cast, track):
        before = state()
        response = send(browser, method, url, body)
        assert response.status_code == 403, (method, url, response.status_code)
        assert "CSRF" in response.json()["detail"], response.json()
        assert state() == before, (method, url)


def test_session_writes_with_the_csrf_token_succeed(browser, cast, track):
    Token.objects.create(user=cast.carol)
    token = csrf_token(browser)
    for method, url, body, state in writes(cast, track):
        before = state()
        response = send(browser, method, url, body, **{"X-CSRFToken": token})
        assert 200 <= response.status_code < 300, (method, url, response.status_code, response.content)
        assert state() != before, (method, url)


def test_a_wrong_csrf_token_is_refused(browser, cast):
    csrf_token(browser)
    response = send(browser, "post", "/api/projects/", {"name": "created"}, **{"X-CSRFToken": "x" * 32})
    assert response.status_code == 403
    assert not Project.objects.filter(name="created").exists()


def test_token_authenticated_writes_need_no_csrf_token(cast, track):
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=cast.carol).key}")
    assert client.post("/api/projects/", {"name": "created"}, format="json").status_code == 201
    assert client.delete(f"/api/tracks/{track.pk}/").status_code == 204


def test_the_login_form_itself_needs_the_csrf_token(cast):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": "carol", "password": "carol-pw-123"})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session
