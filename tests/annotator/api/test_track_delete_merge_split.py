"""Deleting tracks, videos (failed uploads too) and projects; merging and splitting tracks.

A queued or running propagation job blocks all of them with a 409 naming the job
(docs/review.md, "Delete, merge and split").
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from annotator.choices import ReviewStatus, Source
from annotator.models import FrameAnnotation, Project, ReviewComment, Track, TrackEvent, Video
from annotator.services import propagation as propagation_services
from annotator.services.tracks import create_track
from annotator.services.videos import extract_video_frames

pytestmark = pytest.mark.django_db


def frames_of(track_id: int) -> list[int]:
    return list(FrameAnnotation.objects.filter(track_id=track_id).order_by("frame_index")
                .values_list("frame_index", flat=True))


def add_frames(track: Track, frames, source=Source.PROPAGATED) -> None:
    FrameAnnotation.objects.bulk_create([FrameAnnotation(track=track, frame_index=f, source=source,
                                                         bbox=[1, 1, 5, 5]) for f in frames])


def running_job(track: Track):
    start = frames_of(track.pk)[0]
    return propagation_services.start_propagation(tracks=[track], start_frame=start, direction="forward", by=None,
                                                  enqueue=False)


def accepted(clients, track) -> Track:
    version = clients.alice.post(f"/api/tracks/{track.pk}/submit/", {"version": track.version},
                                 format="json").json()["version"]
    assert clients.bob.post(f"/api/tracks/{track.pk}/accept/", {"version": version}, format="json").status_code == 200
    return Track.objects.get(pk=track.pk)


@pytest.fixture
def second(cast, ready_video):
    """Track #2 of the clip: a box on frame 5."""
    return create_track(video=ready_video, label=cast.project.labels.last(), frame_index=5, bbox=[2, 2, 8, 8],
                        by=cast.alice)


# ---- deleting ----

def test_deleting_a_track_with_a_stale_version_is_a_conflict(clients, track):
    response = clients.alice.delete(f"/api/tracks/{track.pk}/?version={track.version + 1}")
    assert response.status_code == 409 and response.json()["current_version"] == track.version
    assert clients.alice.delete(f"/api/tracks/{track.pk}/?version={track.version}").status_code == 204
    assert not Track.objects.filter(pk=track.pk).exists()


def test_a_running_job_blocks_deleting_its_track_video_and_project(clients, cast, track, ready_video):
    job = running_job(track)
    for who, url in ((clients.alice, f"/api/tracks/{track.pk}/"), (clients.carol, f"/api/videos/{ready_video.pk}/"),
                     (clients.carol, f"/api/projects/{cast.project.pk}/")):
        response = who.delete(url)
        assert response.status_code == 409, (url, response.json())
        assert response.json()["job_id"] == job.pk and f"job {job.pk} is queued" in response.json()["detail"]
    assert Track.objects.filter(pk=track.pk).exists() and Project.objects.filter(pk=cast.project.pk).exists()
    propagation_services.cancel_job(job=job)
    assert clients.carol.delete(f"/api/videos/{ready_video.pk}/").status_code == 204


def test_a_manager_deletes_a_failed_upload(clients, cast):
    response = clients.alice.post(f"/api/projects/{cast.project.pk}/videos/",
                                  {"file": SimpleUploadedFile("bad.mp4", b"\x00garbage" * 100), "name": "bad"},
                                  format="multipart")
    video = extract_video_frames(response.json()["id"])
    assert video.status == "failed"
    assert clients.alice.delete(f"/api/videos/{video.pk}/").status_code == 403
    assert clients.carol.delete(f"/api/videos/{video.pk}/").status_code == 204
    assert not Video.objects.filter(pk=video.pk).exists()


# ---- merging ----

def test_merging_moves_the_other_tracks_frames_keeps_the_first_on_overlap_and_deletes_it(clients, track, second):
    add_frames(second, [0, 6])  # frame 0 overlaps the first track's box
    ReviewComment.objects.create(track=second, frame_index=6, text="edge")
    response = clients.alice.post(f"/api/tracks/{track.pk}/merge/",
                                  {"version": track.version, "other": second.pk, "other_version": second.version},
                                  format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["moved"], body["dropped"], body["track"]["version"]) == (2, 1, track.version + 1)
    assert frames_of(track.pk) == [0, 5, 6]
    assert FrameAnnotation.objects.get(track=track, frame_index=0).source == Source.MANUAL_BOX  # the first's kept
    assert not Track.objects.filter(pk=second.pk).exists()
    assert ReviewComment.objects.get(text="edge").track_id == track.pk
    event = TrackEvent.objects.get(track=track, change="merged")
    assert "#2 merged in: 2 frames moved, 1 overlapping dropped" in event.detail


def test_merging_into_an_accepted_track_makes_it_a_draft(clients, track, second):
    track = accepted(clients, track)
    response = clients.alice.post(f"/api/tracks/{track.pk}/merge/",
                                  {"version": track.version, "other": second.pk, "other_version": second.version},
                                  format="json")
    assert response.json()["track"]["review_status"] == "draft"
    assert TrackEvent.objects.filter(track=track, change="merged", from_status="accepted", to_status="draft").exists()


def test_merging_with_a_stale_version_of_either_track_changes_nothing(clients, track, second):
    for body in ({"version": track.version + 1, "other_version": second.version},
                 {"version": track.version, "other_version": second.version + 1}):
        response = clients.alice.post(f"/api/tracks/{track.pk}/merge/", {"other": second.pk, **body}, format="json")
        assert response.status_code == 409
    assert frames_of(second.pk) == [5] and Track.objects.get(pk=track.pk).version == track.version


def test_merging_is_refused_for_a_running_job_another_video_itself_and_a_reviewer(clients, cast, track, second,
                                                                                  tmp_path):
    url = f"/api/tracks/{track.pk}/merge/"
    body = {"version": track.version, "other": second.pk, "other_version": second.version}
    assert clients.bob.post(url, body, format="json").status_code == 403
    assert clients.alice.post(url, {**body, "other": track.pk}, format="json").status_code == 400
    foreign = create_track(video=_another_video(cast, tmp_path), label=track.label, frame_index=0,
                           bbox=[1, 1, 4, 4], by=cast.alice)
    response = clients.alice.post(url, {**body, "other": foreign.pk}, format="json")
    assert response.status_code == 400 and "not a track of this video" in response.json()["detail"]
    job = running_job(second)
    response = clients.alice.post(url, body, format="json")
    assert response.status_code == 409 and response.json()["job_id"] == job.pk
    assert frames_of(second.pk) == [5]


def _another_video(cast, tmp_path) -> Video:
    from annotator.services.videos import create_video
    from tests import clips

    path = clips.write_video(tmp_path / "other.avi", n=3)
    video = create_video(project=cast.project, name="other", by=cast.alice,
                         upload=SimpleUploadedFile("other.avi", path.read_bytes()))
    return extract_video_frames(video.pk)


# ---- splitting ----

def test_splitting_moves_frames_from_f_on_to_a_new_track_with_the_same_label(clients, track, second):
    add_frames(track, [1, 2, 7, 8])
    ReviewComment.objects.create(track=track, frame_index=8, text="late")
    response = clients.alice.post(f"/api/tracks/{track.pk}/split/", {"version": track.version, "frame": 7},
                                  format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    new = body["new_track"]
    assert (new["label"], new["object_id"], new["review_status"]) == (track.label_id, 3, "draft")
    assert body["track"]["version"] == track.version + 1
    assert frames_of(track.pk) == [0, 1, 2] and frames_of(new["id"]) == [7, 8]
    assert ReviewComment.objects.get(text="late").track_id == new["id"]
    assert "split off to track #3" in TrackEvent.objects.get(track=track, change="split").detail
    assert TrackEvent.objects.filter(track_id=new["id"], change="split", to_status="draft").exists()


def test_splitting_an_accepted_track_makes_it_a_draft(clients, track):
    add_frames(track, [4])
    track = accepted(clients, track)
    response = clients.alice.post(f"/api/tracks/{track.pk}/split/", {"version": track.version, "frame": 3},
                                  format="json")
    assert response.status_code == 201 and response.json()["track"]["review_status"] == ReviewStatus.DRAFT


def test_splitting_needs_frames_on_both_sides_a_fresh_version_and_no_running_job(clients, track):
    url = f"/api/tracks/{track.pk}/split/"
    response = clients.alice.post(url, {"version": track.version, "frame": 0}, format="json")
    assert response.status_code == 400 and "no frame before frame 0" in response.json()["detail"]
    response = clients.alice.post(url, {"version": track.version, "frame": 4}, format="json")
    assert response.status_code == 400 and "no frame from frame 4 on" in response.json()["detail"]
    add_frames(track, [4])
    assert clients.alice.post(url, {"version": track.version + 1, "frame": 4}, format="json").status_code == 409
    job = running_job(track)
    response = clients.alice.post(url, {"version": track.version, "frame": 4}, format="json")
    assert response.status_code == 409 and response.json()["job_id"] == job.pk
    assert frames_of(track.pk) == [0, 4] and Track.objects.count() == 1
