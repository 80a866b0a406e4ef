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
    active = clients.bob.get(f"/api/videos/{track.video_id}/jobs/?active=1").json()
    assert [j["id"] for j in active] == [job["id"]]
    clients.alice.post(f"/api/jobs/{job['id']}/cancel/")
    assert clients.bob.get(f"/api/videos/{track.video_id}/jobs/?active=1").json() == []
    assert len(clients.bob.get(f"/api/videos/{track.video_id}/jobs/").json()) == 1
    assert clients.mallory.get(f"/api/videos/{track.video_id}/jobs/").status_code == 404
