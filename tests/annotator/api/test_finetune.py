"""GET/POST /api/projects/{id}/model/, /api/projects/{id}/finetunes/, /api/finetunes/{id}/ (and cancel)."""

import pytest

from annotator.models import FineTuneRun, ModelCheckpoint
from annotator.services import finetune as service
from tests.annotator.finetuning import starter, videos  # noqa: F401

pytestmark = pytest.mark.django_db
RUN_FIELDS = {"id", "project", "status", "steps_done", "steps_total", "loss", "seconds_left", "progress",
              "cancel_requested", "decision", "reason", "evaluation", "parent_checkpoint", "checkpoint",
              "train_videos", "heldout_videos", "frames", "error", "created_at", "started_at", "finished_at"}


def model_url(project):
    return f"/api/projects/{project.pk}/model/"


def finetunes_url(project):
    return f"/api/projects/{project.pk}/finetunes/"


def test_members_see_the_model_in_use_and_whether_it_can_be_fine_tuned(clients, cast, videos, starter):
    body = clients.alice.get(model_url(cast.project)).json()
    assert body["checkpoint"] == {"id": starter.pk, "name": "starter", "variant": "light",
                                  "created_at": body["checkpoint"]["created_at"], "metrics": {}}
    assert body["source"] == "server_default"
    assert body["lineage"] == [{"id": starter.pk, "name": "starter", "created_at": body["checkpoint"]["created_at"],
                                "steps": None, "frames": None, "train_videos": [], "evaluation": {}}]
    accepted = sum(v.tracks.filter(review_status="accepted").count() for v in videos)
    assert (body["last_finetune"], body["finetune_every_accepted"], body["accepted_since_last"]) == (None, 0, accepted)
    assert (body["can_finetune"], body["cannot_finetune_reason"]) == (True, "")


def test_a_manager_starts_a_fine_tune_and_everyone_follows_it(clients, cast, videos, starter):
    answer = clients.carol.post(finetunes_url(cast.project), {"steps": 7}, format="json")
    assert answer.status_code == 201, answer.json()
    run = answer.json()
    assert set(run) == RUN_FIELDS
    assert (run["status"], run["steps_total"], run["progress"], run["evaluation"]) == ("queued", 7, 0.0, {})
    assert run["parent_checkpoint"] == {"id": starter.pk, "name": "starter"} and run["checkpoint"] is None
    assert len(run["train_videos"]) >= 2 and len(run["heldout_videos"]) >= 1
    assert clients.bob.get(f"/api/finetunes/{run['id']}/").json() == run
    listing = clients.alice.get(finetunes_url(cast.project)).json()
    assert (listing["count"], listing["results"][0]["id"]) == (1, run["id"])
    model = clients.alice.get(model_url(cast.project)).json()
    assert model["last_finetune"]["id"] == run["id"] and model["can_finetune"] is False


def test_a_second_fine_tune_is_refused_with_409_while_one_is_active(clients, cast, videos):
    first = clients.carol.post(finetunes_url(cast.project), {}, format="json").json()
    again = clients.carol.post(finetunes_url(cast.project), {}, format="json")
    assert again.status_code == 409
    assert again.json()["finetune_id"] == first["id"]


def test_insufficient_data_is_a_400_with_the_reason(clients, cast, starter):
    answer = clients.carol.post(finetunes_url(cast.project), {}, format="json")
    assert answer.status_code == 400
    assert "not enough training data" in answer.json()["detail"]
    assert not FineTuneRun.objects.exists()
    body = clients.carol.get(model_url(cast.project)).json()
    assert body["can_finetune"] is False and "not enough training data" in body["cannot_finetune_reason"]


def test_bad_steps_are_refused(clients, cast, videos):
    answer = clients.carol.post(finetunes_url(cast.project), {"steps": 0}, format="json")
    assert answer.status_code == 400 and "steps" in answer.json()["errors"]


def test_only_managers_start_cancel_or_switch_and_outsiders_see_nothing(clients, cast, videos, starter):
    for client in (clients.alice, clients.bob):
        assert client.post(finetunes_url(cast.project), {}, format="json").status_code == 403
        assert client.post(model_url(cast.project), {"checkpoint": None}, format="json").status_code == 403
    run = service.start_finetune(project=cast.project, by=cast.carol)
    assert clients.alice.post(f"/api/finetunes/{run.pk}/cancel/").status_code == 403
    for url in (model_url(cast.project), finetunes_url(cast.project), f"/api/finetunes/{run.pk}/"):
        assert clients.mallory.get(url).status_code == 404
    assert clients.mallory.post(f"/api/finetunes/{run.pk}/cancel/").status_code == 404
    answer = clients.carol.post(f"/api/finetunes/{run.pk}/cancel/")
    assert (answer.status_code, answer.json()["status"], answer.json()["cancel_requested"]) == (200, "cancelled", True)


def test_switching_back_to_the_parent_is_one_call(clients, cast, starter):
    tuned = ModelCheckpoint.objects.create(
        name="tuned", file="starter.pth", sha256="t" * 64, variant="light", parent=starter, project=cast.project,
        metrics={"lineage": {"steps": 9, "frames": 12, "train_videos": [1, 2]},
                 "evaluation": {"old": {"JF": 0.5}, "new": {"JF": 0.6}}},
    )
    body = clients.carol.post(model_url(cast.project), {"checkpoint": tuned.pk}, format="json").json()
    assert (body["checkpoint"]["id"], body["source"]) == (tuned.pk, "project")
    assert [(e["id"], e["steps"], e["frames"], e["train_videos"]) for e in body["lineage"]] == [
        (tuned.pk, 9, 12, [1, 2]), (starter.pk, None, None, [])]
    assert body["lineage"][0]["evaluation"]["new"]["JF"] == 0.6
    body = clients.carol.post(model_url(cast.project), {"checkpoint": starter.pk}, format="json").json()
    assert (body["checkpoint"]["id"], body["source"]) == (starter.pk, "project")
    body = clients.carol.post(model_url(cast.project), {"checkpoint": None}, format="json").json()
    assert (body["checkpoint"]["id"], body["source"]) == (starter.pk, "server_default")
    assert clients.carol.post(model_url(cast.project), {"checkpoint": 999999}, format="json").status_code == 400


def test_the_automatic_trigger_is_a_project_setting(clients, cast):
    url = f"/api/projects/{cast.project.pk}/"
    assert clients.alice.get(url).json()["finetune_every_accepted"] == 0
    assert clients.carol.patch(url, {"finetune_every_accepted": 20}, format="json").status_code == 200
    assert clients.alice.get(model_url(cast.project)).json()["finetune_every_accepted"] == 20
    assert clients.carol.patch(url, {"finetune_every_accepted": -1}, format="json").status_code == 400
    assert clients.carol.patch(url, {"finetune_every_accepted": 0}, format="json").status_code == 200
    cast.project.refresh_from_db()
    assert cast.project.finetune_every_accepted == 0
