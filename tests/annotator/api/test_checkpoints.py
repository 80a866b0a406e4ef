"""GET /api/checkpoints/, a project's default model (PATCH /api/projects/{id}/) and a job's `checkpoint`."""

import pytest

from annotator.models import ModelCheckpoint, PropagationJob

pytestmark = pytest.mark.django_db


@pytest.fixture
def server_default():
    return ModelCheckpoint.objects.create(name="server", file="a.pth", sha256="a" * 64, variant="light",
                                          is_default=True)


@pytest.fixture
def davis():
    return ModelCheckpoint.objects.create(name="SiamMask DAVIS", file="b.pth", sha256="b" * 64, variant="sharp",
                                          metrics={"J": 0.5, "F": 0.7})


def test_any_member_lists_the_checkpoints_with_their_sha256_and_jf(clients, server_default, davis):
    rows = clients.alice.get("/api/checkpoints/").json()["results"]
    assert [(r["name"], r["variant"], r["sha256"], r["is_default"], r["jf"]) for r in rows] == [
        ("server", "light", "a" * 64, True, None), ("SiamMask DAVIS", "sharp", "b" * 64, False, pytest.approx(0.6))]


def test_a_recorded_jf_wins_over_j_and_f():
    assert ModelCheckpoint(metrics={"J&F": 0.8, "J": 0.1, "F": 0.1}).jf == 0.8


def test_a_manager_sets_the_projects_default_model(clients, cast, server_default, davis):
    response = clients.carol.patch(f"/api/projects/{cast.project.pk}/", {"default_checkpoint": davis.pk},
                                   format="json")
    assert response.status_code == 200, response.json()
    body = clients.alice.get(f"/api/projects/{cast.project.pk}/").json()
    assert (body["default_checkpoint"], body["default_model"]["name"]) == (davis.pk, "SiamMask DAVIS")
    clients.carol.patch(f"/api/projects/{cast.project.pk}/", {"default_checkpoint": None}, format="json")
    assert clients.alice.get(f"/api/projects/{cast.project.pk}/").json()["default_model"]["name"] == "server"


def test_an_annotator_cannot_set_the_default_model(clients, cast, davis):
    response = clients.alice.patch(f"/api/projects/{cast.project.pk}/", {"default_checkpoint": davis.pk},
                                   format="json")
    assert response.status_code == 403
    cast.project.refresh_from_db()
    assert cast.project.default_checkpoint is None


def test_mallory_cannot_set_the_default_model(clients, cast, davis):
    response = clients.mallory.patch(f"/api/projects/{cast.project.pk}/", {"default_checkpoint": davis.pk},
                                     format="json")
    assert response.status_code == 404


def test_a_propagation_starts_with_the_projects_default_model(clients, cast, track, server_default, davis):
    cast.project.default_checkpoint = davis
    cast.project.save(update_fields=["default_checkpoint"])
    job = clients.alice.post(f"/api/tracks/{track.pk}/propagate/", {"frame": 0}, format="json").json()
    assert job["checkpoint"] == davis.pk


def test_a_propagation_may_override_the_model_and_the_precision(clients, track, server_default, davis):
    job = clients.alice.post(f"/api/videos/{track.video_id}/propagate/",
                             {"tracks": [track.pk], "frame": 0, "checkpoint": davis.pk, "precision": "fast"},
                             format="json").json()
    assert (job["checkpoint"], job["precision"]) == (davis.pk, "fast")
    assert PropagationJob.objects.get(pk=job["id"]).checkpoint == davis


def test_an_unknown_checkpoint_is_a_400(clients, track, server_default):
    response = clients.alice.post(f"/api/tracks/{track.pk}/propagate/", {"frame": 0, "checkpoint": 999999},
                                  format="json")
    assert response.status_code == 400


def test_a_new_project_may_name_its_default_model(clients, davis):
    body = clients.carol.post("/api/projects/", {"name": "Q", "default_checkpoint": davis.pk}, format="json").json()
    assert (body["default_checkpoint"], body["default_model"]["name"]) == (davis.pk, "SiamMask DAVIS")
