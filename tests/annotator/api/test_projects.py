import pytest
from django.core.files.base import ContentFile
from django.test import TestCase

from annotator import media_store
from annotator.models import FineTuneRun, Membership, Track
from annotator.services.finetune_state import state_key


@pytest.mark.django_db
def test_creating_a_project_makes_the_creator_its_manager(clients, cast):
    response = clients.alice.post("/api/projects/", {"name": "New", "labels": ["dog"]}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["role"] == "manager"
    labels = clients.alice.get(f"/api/projects/{body['id']}/labels/").json()["results"]
    assert [lab["name"] for lab in labels] == ["dog"]


@pytest.mark.django_db
def test_projects_list_only_shows_memberships(clients, cast):
    names = [p["name"] for p in clients.alice.get("/api/projects/").json()["results"]]
    assert names == ["P"]


@pytest.mark.django_db
def test_outsider_cannot_read_project(clients, cast):
    assert clients.mallory.get(f"/api/projects/{cast.project.pk}/").status_code == 404
    assert clients.mallory.get(f"/api/projects/{cast.project.pk}/labels/").status_code == 404
    assert clients.mallory.get(f"/api/projects/{cast.project.pk}/members/").status_code == 404


@pytest.mark.django_db
def test_manager_adds_and_changes_members(clients, cast, make_user):
    make_user("dave")
    response = clients.carol.post(f"/api/projects/{cast.project.pk}/members/", {"username": "dave", "role": "annotator"},
                                  format="json")
    assert response.status_code == 201, response.json()
    member_id = response.json()["id"]
    response = clients.carol.patch(f"/api/members/{member_id}/", {"role": "reviewer"}, format="json")
    assert response.json()["role"] == "reviewer"
    assert clients.carol.delete(f"/api/members/{member_id}/").status_code == 204


@pytest.mark.django_db
def test_last_manager_cannot_leave(clients, cast):
    membership = Membership.objects.get(project=cast.project, user=cast.carol)
    response = clients.carol.delete(f"/api/members/{membership.pk}/")
    assert response.status_code == 400
    assert "manager" in response.json()["detail"]


@pytest.mark.django_db
def test_adding_an_unknown_user_is_a_clear_400(clients, cast):
    response = clients.carol.post(f"/api/projects/{cast.project.pk}/members/", {"username": "ghost", "role": "annotator"},
                                  format="json")
    assert response.status_code == 400
    assert "ghost" in response.json()["detail"]


@pytest.mark.django_db
def test_duplicate_label_is_a_conflict(clients, cast):
    response = clients.carol.post(f"/api/projects/{cast.project.pk}/labels/", {"name": "person"}, format="json")
    assert response.status_code == 409


@pytest.mark.django_db
def test_label_colour_is_validated(clients, cast):
    response = clients.carol.post(f"/api/projects/{cast.project.pk}/labels/", {"name": "x", "colour": "red"},
                                  format="json")
    assert response.status_code == 400


@pytest.mark.django_db
def test_renaming_a_label_to_a_taken_name_is_a_conflict(clients, cast):
    person = cast.project.labels.get(name="person")
    response = clients.carol.patch(f"/api/labels/{person.pk}/", {"name": "ball"}, format="json")
    assert response.status_code == 409, response.json()
    response = clients.carol.patch(f"/api/labels/{person.pk}/", {"name": "player", "colour": "#00ff00"}, format="json")
    assert response.json() == {"id": person.pk, "name": "player", "colour": "#00ff00"}


@pytest.mark.django_db
def test_project_update_points_labels_to_their_endpoint(clients, cast):
    url = f"/api/projects/{cast.project.pk}/"
    response = clients.carol.put(url, {"name": "P2", "labels": ["dog"]}, format="json")
    assert response.status_code == 400
    assert "/labels/" in response.json()["detail"]
    response = clients.carol.patch(url, {"description": "tennis"}, format="json")
    assert (response.json()["name"], response.json()["description"]) == ("P", "tennis")


@pytest.mark.django_db
def test_manager_deletes_a_project_with_tracks_and_its_files(clients, cast, track, ready_video, media_root):
    frames_dir = ready_video.frames_dir
    assert frames_dir.is_dir()
    run = FineTuneRun.objects.create(project=cast.project, status="running")
    media_store.get().save(state_key(run.pk, 1), ContentFile(b"state"))  # a fine-tune's stored training state
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert clients.carol.delete(f"/api/projects/{cast.project.pk}/").status_code == 204
    assert not Track.objects.filter(pk=track.pk).exists()
    assert not frames_dir.exists()
    assert not (media_root / "finetune" / str(run.pk)).exists()


@pytest.mark.django_db
def test_a_label_named_twice_at_creation_is_created_once(clients):
    response = clients.alice.post("/api/projects/", {"name": "New", "labels": ["dog", "dog"]}, format="json")
    assert response.status_code == 201, response.json()
    labels = clients.alice.get(f"/api/projects/{response.json()['id']}/labels/").json()["results"]
    assert [label["name"] for label in labels] == ["dog"]
