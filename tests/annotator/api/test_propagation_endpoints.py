import pytest

from annotator.models import PropagationJob


@pytest.mark.django_db
def test_propagate_creates_a_queued_job(clients, track):
    response = clients.alice.post(f"/api/tracks/{track.pk}/propagate/", {"frame": 0, "direction": "both"}, format="json")
    assert response.status_code == 202, response.json()
    job = response.json()
    assert (job["status"], job["direction"], job["tracks"]) == ("queued", "both", [track.pk])
    assert clients.bob.get(f"/api/jobs/{job['id']}/").json()["status"] == "queued"


@pytest.mark.django_db
def test_second_propagation_of_a_track_gets_409_naming_the_running_job(clients, track):
    first = clients.alice.post(f"/api/tracks/{track.pk}/propagate/", {"frame": 0}, format="json").json()
    second = clients.alice.post(f"/api/tracks/{track.pk}/propagate/", {"frame": 0}, format="json")
    assert second.status_code == 409
    assert second.json()["job_id"] == first["id"]


@pytest.mark.django_db
def test_cancelling_a_queued_job_ends_it_and_frees_the_track(clients, track):
    job = clients.alice.post(f"/api/tracks/{track.pk}/propagate/", {"frame": 0}, format="json").json()
    assert clients.alice.post(f"/api/jobs/{job['id']}/cancel/").json()["status"] == "cancelled"
    again = clients.alice.post(f"/api/tracks/{track.pk}/propagate/", {"frame": 0}, format="json")
    assert again.status_code == 202


@pytest.mark.django_db
def test_propagating_from_an_unannotated_frame_is_refused(clients, track):
    response = clients.alice.post(f"/api/tracks/{track.pk}/propagate/", {"frame": 5}, format="json")
    assert response.status_code == 400
    assert "no annotation on frame 5" in response.json()["detail"]
    assert not PropagationJob.objects.exists()


@pytest.mark.django_db
def test_bad_direction_is_refused(clients, track):
    response = clients.alice.post(f"/api/tracks/{track.pk}/propagate/", {"frame": 0, "direction": "sideways"}, format="json")
    assert response.status_code == 400


@pytest.mark.django_db
def test_outsider_cannot_see_jobs(clients, track):
    job = clients.alice.post(f"/api/tracks/{track.pk}/propagate/", {"frame": 0}, format="json").json()
    assert clients.mallory.get(f"/api/jobs/{job['id']}/").status_code == 404
    assert clients.mallory.post(f"/api/jobs/{job['id']}/cancel/").status_code == 404


@pytest.mark.django_db
def test_a_videos_active_jobs_are_listed_for_a_reopened_workspace(clients, track):
    job = clients.alice.post(f"/api/tracks/{track.pk}/propagate/", {"frame": 0}, format="json").json()
    active = clients.bob.get(f"/api/videos/{track.video_id}/jobs/?active=1").json()["results"]
    assert [j["id"] for j in active] == [job["id"]]
    clients.alice.post(f"/api/jobs/{job['id']}/cancel/")
    assert clients.bob.get(f"/api/videos/{track.video_id}/jobs/?active=1").json()["results"] == []
    assert len(clients.bob.get(f"/api/videos/{track.video_id}/jobs/").json()["results"]) == 1
    assert clients.mallory.get(f"/api/videos/{track.video_id}/jobs/").status_code == 404


@pytest.mark.django_db
def test_a_job_that_lost_its_target_says_where_why_and_how_far_it_got(clients, track):
    job_id = clients.alice.post(f"/api/tracks/{track.pk}/propagate/", {"frame": 0}, format="json").json()["id"]
    lost = {"reason": "target lost", "frame": 4, "measure": "quality", "value": 0.12, "threshold": 0.3,
            "score": 0.97, "quality": 0.12}
    edited = {"reason": "manual frame made during the job", "frame": 9, "edited_at": 9}
    # what the worker records when it ends the run (tests/tracking_worker/propagation cover the worker side)
    PropagationJob.objects.filter(pk=job_id).update(status="succeeded", frames_done=6, frames_total=11,
                                                    stop_reasons={"1": {str(track.pk): lost, "999": edited}})
    body = clients.bob.get(f"/api/jobs/{job_id}/").json()
    assert (body["status"], body["frames_done"], body["frames_total"]) == ("succeeded", 6, 11)
    assert body["progress"] == pytest.approx(6 / 11)  # not 100%: it stopped early
    assert body["stop_reasons"]["1"][str(track.pk)] == lost
    # the worker's bookkeeping key stays internal; an edit stop has no measure
    assert body["stop_reasons"]["1"]["999"] == {"reason": edited["reason"], "frame": 9, "quality": None}


@pytest.mark.django_db
def test_the_schema_describes_a_stop(client):
    schemas = client.get("/api/schema/?format=json").json()["components"]["schemas"]
    stop_reasons = schemas["Job"]["properties"]["stop_reasons"]
    assert stop_reasons["additionalProperties"]["additionalProperties"] == {"$ref": "#/components/schemas/Stop"}
    keys = {"reason", "frame", "measure", "value", "threshold", "score", "quality"}
    assert keys <= set(schemas["Stop"]["properties"])
    assert sorted(schemas["Stop"]["required"]) == ["frame", "reason"]


@pytest.mark.django_db
def test_a_job_runs_in_the_precision_asked_for(clients, track):
    job = clients.alice.post(f"/api/tracks/{track.pk}/propagate/", {"frame": 0, "precision": "fast"}, format="json")
    assert job.status_code == 202, job.json()
    assert job.json()["precision"] == "fast"
    assert PropagationJob.objects.get(pk=job.json()["id"]).precision == "fast"


@pytest.mark.django_db
def test_precision_defaults_to_the_setting(clients, track, settings):
    settings.SIAMLABEL_DEFAULT_PRECISION = "fast"
    job = clients.alice.post(f"/api/tracks/{track.pk}/propagate/", {"frame": 0}, format="json").json()
    assert job["precision"] == "fast"
    settings.SIAMLABEL_DEFAULT_PRECISION = "exact"
    clients.alice.post(f"/api/jobs/{job['id']}/cancel/")
    assert clients.alice.post(f"/api/tracks/{track.pk}/propagate/", {"frame": 0}, format="json").json()["precision"] == "exact"


@pytest.mark.django_db
def test_an_unknown_precision_is_refused(clients, track):
    response = clients.alice.post(f"/api/tracks/{track.pk}/propagate/", {"frame": 0, "precision": "half"}, format="json")
    assert response.status_code == 400
    assert "precision" in str(response.json())
    assert not PropagationJob.objects.exists()
