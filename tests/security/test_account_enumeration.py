"""Nobody but a project's manager can learn from the API whether a username exists.

Adding a member names a user: the role check comes before the name is looked up, so members
without the manage right and outsiders get one answer whatever the name; managers get a clear
error. (Anyone may create a project and manage it: additions are rate-limited, test_throttling.py.)
Signing in answers the same for an unknown user and a wrong password.
"""

import re

import pytest
from django.test import Client
from rest_framework.test import APIClient

from annotator.models import Membership

pytestmark = pytest.mark.django_db

# an account outside P, no account, a member of P already, and a body that is not valid at all
NAMES = [{"username": "dave", "role": "annotator"}, {"username": "ghost", "role": "annotator"},
         {"username": "bob", "role": "annotator"}, {"username": "dave", "role": "emperor"}]


@pytest.fixture
def dave(make_user):
    return make_user("dave")


@pytest.mark.parametrize("who, status", [("alice", 403), ("bob", 403), ("mallory", 404)])
def test_non_managers_get_the_same_answer_for_every_name(clients, cast, dave, who, status):
    members = f"/api/projects/{cast.project.pk}/members/"
    answers = {(r.status_code, r.content) for r in
               (getattr(clients, who).post(members, body, format="json") for body in NAMES)}
    assert len(answers) == 1, answers
    assert answers.pop()[0] == status
    assert not Membership.objects.filter(user=dave).exists()


def test_managers_get_a_clear_error_for_each_name(clients, cast, dave):
    members = f"/api/projects/{cast.project.pk}/members/"
    unknown = clients.carol.post(members, NAMES[1], format="json")
    assert (unknown.status_code, unknown.json()["detail"]) == (400, "no user named 'ghost'")
    member = clients.carol.post(members, NAMES[2], format="json")
    assert (member.status_code, member.json()["detail"]) == (409, "'bob' is already a member of this project")
    assert clients.carol.post(members, NAMES[3], format="json").status_code == 400
    assert clients.carol.post(members, NAMES[0], format="json").status_code == 201


def test_signing_in_does_not_say_whether_the_user_exists(cast):
    unknown = APIClient().post("/api/auth/token/", {"username": "ghost", "password": "whatever-123"})
    wrong = APIClient().post("/api/auth/token/", {"username": "alice", "password": "whatever-123"})
    assert (unknown.status_code, unknown.content) == (wrong.status_code, wrong.content)
    # the page the same but for its CSRF token (a new mask on every page)
    pages = [re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", page.content) for page in
             (Client().post("/login/", {"username": name, "password": "whatever-123"}) for name in ("ghost", "alice"))]
    assert pages[0] == pages[1]
    assert b"Wrong username or password." in pages[0]
