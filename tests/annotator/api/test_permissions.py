"""The matrix of roles x endpoints: members act by role (403), outsiders see nothing (404)."""

import pytest

from annotator.models import Track
from tests import clips

READ = [
    "/api/projects/{project}/", "/api/projects/{project}/labels/", "/api/projects/{project}/members/",
    "/api/projects/{project}/videos/", "/api/videos/{video}/", "/api/videos/{video}/tracks/",
    "/api/videos/{video}/frames/0.jpg", "/api/tracks/{track}/", "/api/tracks/{track}/annotations/",
    "/api/tracks/{track}/comments/",
]


def write_requests(ids):
    """(method, url, body, capability) for each action that changes something."""
    return [
        ("patch", "/api/projects/{project}/", {"name": "renamed"}, "manage"),
        ("post", "/api/projects/{project}/labels/", {"name": "new-label"}, "manage"),
        ("post", "/api/projects/{project}/members/", {"username": "erin", "role": "annotator"}, "manage"),
        ("post", "/api/videos/{video}/tracks/", {"label": ids["label"], "frame": 0, "box": [1, 1, 9, 9]}, "edit_tracks"),
        ("put", "/api/tracks/{track}/annotations/2/", {"version": "current", "box": [1, 1, 9, 9]}, "edit_tracks"),
        ("post", "/api/tracks/{track}/propagate/", {"frame": 0, "direction": "forward"}, "edit_tracks"),
        ("post", "/api/tracks/{track}/submit/", {"version": "current"}, "edit_tracks"),
        ("post", "/api/tracks/{track}/comments/", {"text": "look here", "frame": 1}, "comment"),
    ]


ALLOWED = {
    "alice": {"edit_tracks", "comment"},
    "bob": {"comment"},
    "carol": {"manage", "edit_tracks", "comment"},
}


@pytest.fixture
def ids(cast, track, make_user):
    make_user("erin")
    return {"project": cast.project.pk, "video": track.video_id, "track": track.pk,
            "label": cast.project.labels.first().pk}


@pytest.mark.django_db
@pytest.mark.parametrize("url", READ)
def test_members_read_and_outsiders_get_404(clients, ids, url):
    url = url.format(**ids)
    for name in ("alice", "bob", "carol"):
        assert getattr(clients, name).get(url).status_code == 200, (name, url)
    assert clients.mallory.get(url).status_code == 404, url


@pytest.mark.django_db
@pytest.mark.parametrize("user", ["alice", "bob", "carol", "mallory"])
def test_write_matrix(clients, ids, user):
    for method, url, body, capability in write_requests(ids):
        if body.get("version") == "current":
            body = body | {"version": Track.objects.get(pk=ids["track"]).version}
        status = getattr(getattr(clients, user), method)(url.format(**ids), body, format="json").status_code
        if user == "mallory":
            assert status == 404, (user, method, url, status)
        elif capability in ALLOWED[user]:
            assert status < 300, (user, method, url, status)
        else:
            assert status == 403, (user, method, url, status)


@pytest.mark.django_db
def test_only_reviewers_and_managers_decide_reviews(clients, track):
    clients.alice.post(f"/api/tracks/{track.pk}/submit/", {"version": 1}, format="json")
    assert clients.alice.post(f"/api/tracks/{track.pk}/reject/", {"version": 2}, format="json").status_code == 403
    assert clients.mallory.post(f"/api/tracks/{track.pk}/reject/", {"version": 2}, format="json").status_code == 404
    assert clients.carol.post(f"/api/tracks/{track.pk}/reject/", {"version": 2}, format="json").status_code == 200


@pytest.mark.django_db
def test_outsider_cannot_modify_track(clients, track):
    box = clips.square_box(1)
    assert clients.mallory.put(f"/api/tracks/{track.pk}/annotations/1/", {"version": 1, "box": box},
                               format="json").status_code == 404
    assert clients.mallory.delete(f"/api/tracks/{track.pk}/").status_code == 404
    assert clients.mallory.post(f"/api/projects/{track.video.project_id}/videos/", {}).status_code == 404
