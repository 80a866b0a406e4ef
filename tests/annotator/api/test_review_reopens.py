"""Review notices change: any change to a track in review or accepted makes it a draft again, logged
in its history; accepting needs every comment resolved; an "accepted" export holds only what was
accepted. (Propagation by a real worker: tests/tracking_worker/propagation/test_propagation_reopens.py.)"""

import numpy as np
import pytest
from django.utils import timezone

from annotator import masks
from annotator.choices import JobStatus, ReviewStatus, Source
from annotator.models import FrameAnnotation, PropagationJob, Track, TrackEvent
from tests.annotator.labelled import export, import_archive, read_json, zip_bytes

pytestmark = pytest.mark.django_db


def accepted(clients, track) -> Track:
    """Submit (alice) and accept (bob) the track through the API; return it fresh."""
    version = clients.alice.post(f"/api/tracks/{track.pk}/submit/", {"version": track.version},
                                 format="json").json()["version"]
    response = clients.bob.post(f"/api/tracks/{track.pk}/accept/", {"version": version}, format="json")
    assert response.status_code == 200, response.json()
    return Track.objects.get(pk=track.pk)


def history(track) -> list[tuple[str, str, str]]:
    return list(TrackEvent.objects.filter(track=track).values_list("change", "from_status", "to_status"))


REVIEWED = [("submitted", "draft", "in_review"), ("accepted", "in_review", "accepted")]


def test_editing_an_accepted_track_makes_it_a_draft_and_logs_who_and_where(clients, cast, track):
    track = accepted(clients, track)
    response = clients.alice.put(f"/api/tracks/{track.pk}/annotations/4/",
                                 {"version": track.version, "box": [20, 20, 30, 30]}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["review_status"] == "draft" and response.json()["version"] == track.version + 1
    assert Track.objects.get(pk=track.pk).review_status == ReviewStatus.DRAFT
    assert history(track) == REVIEWED + [("edited", "accepted", "draft")]
    event = TrackEvent.objects.filter(track=track).last()
    assert (event.by, event.detail) == (cast.alice, "frame 4")


def test_editing_a_track_in_review_makes_it_a_draft(clients, track):
    version = clients.alice.post(f"/api/tracks/{track.pk}/submit/", {"version": 1}, format="json").json()["version"]
    mask = np.zeros((120, 160), bool)
    mask[10:30, 10:30] = True
    response = clients.alice.put(f"/api/tracks/{track.pk}/annotations/0/",
                                 {"version": version, "mask": masks.encode_mask(mask)}, format="json")
    assert response.json()["review_status"] == "draft"
    assert history(track)[-1] == ("edited", "in_review", "draft")
    stale = clients.bob.post(f"/api/tracks/{track.pk}/accept/", {"version": version}, format="json")
    assert stale.status_code == 409  # the reviewer looked at the old content


def test_editing_a_draft_logs_nothing(clients, track):
    response = clients.alice.put(f"/api/tracks/{track.pk}/annotations/4/", {"version": 1, "box": [20, 20, 30, 30]},
                                 format="json")
    assert response.json()["review_status"] == "draft"
    assert history(track) == []


def test_deleting_frames_of_an_accepted_track_makes_it_a_draft(clients, cast, track):
    track = accepted(clients, track)
    response = clients.alice.post(f"/api/tracks/{track.pk}/annotations/delete-range/",
                                  {"version": track.version, "first": 0, "last": 3}, format="json")
    assert response.json() == {"deleted": 1, "version": track.version + 1, "review_status": "draft"}
    assert history(track)[-1] == ("frames_deleted", "accepted", "draft")
    assert TrackEvent.objects.filter(track=track).last().detail == "frames 0 to 3"


def test_deleting_one_frame_of_an_accepted_track_makes_it_a_draft(clients, track):
    track = accepted(clients, track)
    response = clients.alice.delete(f"/api/tracks/{track.pk}/annotations/0/?version={track.version}")
    assert response.status_code == 204
    assert Track.objects.get(pk=track.pk).review_status == ReviewStatus.DRAFT
    assert history(track)[-1] == ("frames_deleted", "accepted", "draft")


def test_relabelling_an_accepted_track_makes_it_a_draft(clients, cast, track):
    track = accepted(clients, track)
    ball = cast.project.labels.get(name="ball")
    response = clients.alice.patch(f"/api/tracks/{track.pk}/", {"version": track.version, "label": ball.pk},
                                   format="json")
    assert response.json()["review_status"] == "draft"
    assert history(track)[-1] == ("relabelled", "accepted", "draft")


def test_reverting_a_job_that_wrote_an_accepted_track_makes_it_a_draft(clients, cast, track):
    job = PropagationJob.objects.create(video=track.video, start_frame=0, status=JobStatus.SUCCEEDED,
                                        frames_done=2, frames_total=2, finished_at=timezone.now())
    FrameAnnotation.objects.bulk_create([
        FrameAnnotation(track=track, frame_index=i, source=Source.PROPAGATED, bbox=[10, 10, 20, 20], job=job,
                        score=0.9)
        for i in (1, 2)
    ])
    track = accepted(clients, track)
    response = clients.alice.post(f"/api/jobs/{job.pk}/revert/")
    assert response.json() == {"deleted": 2}
    track.refresh_from_db()
    assert (track.review_status, track.version) == (ReviewStatus.DRAFT, 4)  # 1, submit, accept, revert
    assert history(track)[-1] == ("reverted", "accepted", "draft")
    event = TrackEvent.objects.filter(track=track).last()
    assert (event.job, event.by) == (job, cast.alice)


def test_accepting_with_unresolved_comments_is_refused_with_a_clear_message(clients, track):
    version = clients.alice.post(f"/api/tracks/{track.pk}/submit/", {"version": 1}, format="json").json()["version"]
    comment = clients.bob.post(f"/api/tracks/{track.pk}/comments/", {"text": "frame 3 leaks", "frame_index": 3},
                               format="json").json()
    refused = clients.bob.post(f"/api/tracks/{track.pk}/accept/", {"version": version}, format="json")
    assert refused.status_code == 400
    assert refused.json()["detail"] == ("the track has 1 unresolved comment; resolve them (or reject the track) "
                                        "before accepting it")
    assert refused.json()["unresolved_comments"] == [comment["id"]]
    assert Track.objects.get(pk=track.pk).review_status == ReviewStatus.IN_REVIEW
    clients.alice.patch(f"/api/comments/{comment['id']}/", {"resolved": True}, format="json")
    response = clients.bob.post(f"/api/tracks/{track.pk}/accept/", {"version": version}, format="json")
    assert response.status_code == 200 and response.json()["review_status"] == "accepted"


def test_an_accepted_only_export_leaves_out_tracks_changed_since(clients, cast, track):
    from annotator.services.tracks import create_track

    other = create_track(video=track.video, label=cast.project.labels.first(), frame_index=0, bbox=[60, 40, 20, 20],
                         by=cast.alice)
    track, other = accepted(clients, track), accepted(clients, other)
    clients.alice.put(f"/api/tracks/{other.pk}/annotations/5/", {"version": other.version, "box": [70, 50, 20, 20]},
                      format="json")
    doc = read_json(export(cast.project, "coco", review_status=["accepted"]), "annotations/instances.json")
    assert {(a["attributes"]["track_id"], a["image_id"]) for a in doc["annotations"]} == {(track.object_id, 1)}


def test_imported_tracks_start_as_drafts_with_their_import_in_the_history(clients, cast, track):
    track = accepted(clients, track)
    coco = {
        "images": [{"id": 1, "file_name": "clip/00000.jpg", "width": 160, "height": 120, "frame_index": 0}],
        "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [5, 5, 10, 10],
                         "attributes": {"track_id": 9}}],
        "categories": [{"id": 1, "name": "person"}],
    }
    job = import_archive(cast.project, "coco", zip_bytes({"annotations/instances.json": coco}))
    assert job.status == "succeeded", job.error
    imported = Track.objects.get(video=track.video, object_id=9)
    assert imported.review_status == ReviewStatus.DRAFT
    assert history(imported) == [("imported", "", "draft")]
    assert TrackEvent.objects.get(track=imported).detail == f"import {job.pk} (coco)"
    assert Track.objects.get(pk=track.pk).review_status == ReviewStatus.ACCEPTED  # an import adds, never changes
    doc = read_json(export(cast.project, "coco", review_status=["accepted"]), "annotations/instances.json")
    assert {a["attributes"]["track_id"] for a in doc["annotations"]} == {track.object_id}
