"""A correction on a propagated frame re-propagates from it to the next manual frames, both ways."""

import numpy as np
import pytest

from annotator import masks
from annotator.choices import Source
from annotator.models import FrameAnnotation, PropagationJob
from tests.conftest import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
NO_LOST_STOP = {"SIAMLABEL_LOST_PATIENCE": "1000000"}


def finished(job_id):
    job = PropagationJob.objects.get(pk=job_id)
    return job if not job.is_active else None


def square_mask(video, box) -> dict:
    x, y, w, h = box
    mask = np.zeros((video.height, video.width), dtype=np.uint8)
    mask[y : y + h, x : x + w] = 1
    return masks.encode_mask(mask)


def put(clients, track, frame, version, **body):
    answer = clients.alice.put(f"/api/tracks/{track.pk}/annotations/{frame}/", {"version": version, **body},
                               format="json")
    assert answer.status_code == 200, answer.json()
    return answer.json()


def propagated(track, frames, job=None):
    """Store propagated frames as a finished job would have (no worker needed)."""
    for frame in frames:
        FrameAnnotation.objects.create(track=track, frame_index=frame, source=Source.PROPAGATED, bbox=[40, 40, 30, 30],
                                       mask_rle=None, area=0, job=job)


def test_a_corrected_frame_refreshes_the_frames_to_the_next_manual_frames(clients, track, checkpoint, start_worker):
    saved = put(clients, track, 10, 1, box=[50, 40, 30, 30])  # an anchor on an empty frame: nothing starts
    assert saved["repropagation"] is None
    worker = start_worker(**NO_LOST_STOP)
    first = clients.alice.post(f"/api/tracks/{track.pk}/propagate/", {"frame": 0}, format="json").json()
    assert wait_for(lambda: finished(first["id"]), 120, "the first job", worker).status == "succeeded"
    manual_before = dict(FrameAnnotation.objects.filter(track=track, frame_index__in=[0, 10])
                         .values_list("frame_index", "updated_at"))

    corrected = put(clients, track, 5, saved["version"], mask=square_mask(track.video, [35, 41, 30, 30]))
    job = corrected["repropagation"]
    assert (job["start_frame"], job["direction"], job["fusion"]) == (5, "both", True)
    done = wait_for(lambda: finished(job["id"]), 120, "the re-propagation", worker)
    assert done.status == "succeeded", done.error

    rows = {a.frame_index: a for a in FrameAnnotation.objects.filter(track=track)}
    assert sorted(rows) == list(range(11))  # frame 11 lies past the anchor on 10: neither job reaches it
    refreshed = sorted(f for f, a in rows.items() if a.job_id == done.pk)
    assert refreshed == [1, 2, 3, 4, 6, 7, 8, 9]
    assert {rows[f].run for f in refreshed} <= {"forward", "backward"}
    assert (rows[5].source, rows[5].job_id) == (Source.MANUAL_MASK, None)
    assert {f: rows[f].updated_at for f in (0, 10)} == manual_before  # manual frames untouched
    assert done.frames_total == 2 * len(refreshed)  # fused: each segment has an anchor at both ends

    # the same manual frame edited again: a mask that keeps its box changes nothing the neighbours
    # were tracked from; a moved box (a second stroke, an undo) refreshes them
    same_box = put(clients, track, 5, corrected["version"], mask=square_mask(track.video, [35, 41, 30, 30]))
    assert same_box["repropagation"] is None
    moved = put(clients, track, 5, same_box["version"], box=[36, 41, 30, 30])
    job = moved["repropagation"]
    assert (job["start_frame"], job["direction"]) == (5, "both")
    done = wait_for(lambda: finished(job["id"]), 120, "the refresh after the moved box", worker)
    assert done.status == "succeeded", done.error
    rows = {a.frame_index: a for a in FrameAnnotation.objects.filter(track=track)}
    assert sorted(f for f, a in rows.items() if a.job_id == done.pk) == [1, 2, 3, 4, 6, 7, 8, 9]
    assert rows[5].bbox == [36, 41, 30, 30] and rows[5].source == Source.MANUAL_BOX


def test_a_new_correction_supersedes_a_waiting_run_towards_it(clients, track):
    propagated(track, range(1, 12))
    towards = clients.alice.post(f"/api/tracks/{track.pk}/propagate/", {"frame": 0, "direction": "forward"},
                                 format="json").json()
    corrected = put(clients, track, 8, 1, box=[45, 40, 30, 30])["repropagation"]
    assert PropagationJob.objects.get(pk=towards["id"]).status == "cancelled"  # frames 1-7 are in the new run
    assert PropagationJob.objects.get(pk=corrected["id"]).status == "queued"
    assert (corrected["start_frame"], corrected["direction"], corrected["waiting_for_track"]) == (8, "both", False)


def test_a_second_stroke_on_the_same_frame_supersedes_the_first_ones_refresh(clients, track):
    propagated(track, range(1, 12))
    first = put(clients, track, 6, 1, box=[40, 40, 30, 30])["repropagation"]
    second = put(clients, track, 6, 2, box=[44, 40, 30, 30])["repropagation"]  # the box moved again
    assert PropagationJob.objects.get(pk=first["id"]).status == "cancelled"  # it ran from the older box
    assert (second["start_frame"], second["waiting_for_track"]) == (6, False)
    assert PropagationJob.objects.get(pk=second["id"]).status == "queued"


def test_two_quick_corrections_both_re_propagate_one_after_the_other(clients, track):
    propagated(track, range(1, 12))
    first = put(clients, track, 4, 1, box=[40, 40, 30, 30])["repropagation"]
    second = put(clients, track, 8, 2, box=[45, 40, 30, 30])["repropagation"]
    # the first still has frames 1-3 to refresh, which the second's run back stops short of (at 4)
    assert PropagationJob.objects.get(pk=first["id"]).status == "queued"
    assert (second["start_frame"], second["waiting_for_track"]) == (8, True)
    waiting = PropagationJob.objects.get(pk=second["id"])
    assert (waiting.status, waiting.enqueued_at) == ("queued", None)


def test_a_correction_during_a_job_of_several_tracks_waits_for_it(clients, track, cast):
    from annotator.choices import JobStatus
    from annotator.services.tracks import create_track

    other = create_track(video=track.video, label=track.label, frame_index=0, bbox=[90, 40, 30, 30], by=cast.alice)
    propagated(track, range(1, 12))
    both = {"frame": 0, "tracks": [track.pk, other.pk]}
    running = clients.alice.post(f"/api/videos/{track.video_id}/propagate/", both, format="json").json()
    PropagationJob.objects.filter(pk=running["id"]).update(status=JobStatus.RUNNING)
    saved = put(clients, track, 4, 1, box=[40, 40, 30, 30])
    assert saved["repropagation"]["waiting_for_track"] is True  # the workspace says what it waits for
    waiting = PropagationJob.objects.get(pk=saved["repropagation"]["id"])
    assert (waiting.status, waiting.enqueued_at, waiting.start_frame) == ("queued", None, 4)
    assert not waiting.job_tracks.get().active  # the running job keeps the track until it ends
    held = PropagationJob.objects.get(pk=running["id"])
    assert (held.status, held.cancel_requested) == ("running", False)  # the other track's work goes on
    assert sorted(held.tracks.values_list("pk", flat=True)) == sorted([track.pk, other.pk])


def test_the_project_setting_turns_re_propagation_off(clients, track, cast):
    answer = clients.carol.patch(f"/api/projects/{cast.project.pk}/", {"auto_repropagate": False}, format="json")
    assert answer.status_code == 200 and answer.json()["auto_repropagate"] is False
    propagated(track, range(1, 12))
    assert put(clients, track, 4, 1, box=[40, 40, 30, 30])["repropagation"] is None
    assert not PropagationJob.objects.exists()


def test_fusion_defaults_to_the_server_setting_and_refuses_a_non_boolean(clients, track, settings):
    answer = clients.alice.post(f"/api/tracks/{track.pk}/propagate/", {"frame": 0, "fusion": "maybe"}, format="json")
    assert answer.status_code == 400 and "fusion" in answer.json()["detail"], answer.json()
    settings.SIAMLABEL_DEFAULT_FUSION = False
    job = clients.alice.post(f"/api/tracks/{track.pk}/propagate/", {"frame": 0}, format="json").json()
    assert job["fusion"] is False


def test_a_waiting_re_propagation_whose_holder_ended_unseen_is_sent_by_the_sweep(clients, track):
    from annotator.choices import JobStatus
    from annotator.models import JobTrack
    from annotator.services.propagation import start_waiting_jobs

    propagated(track, range(1, 12))
    running = clients.alice.post(f"/api/tracks/{track.pk}/propagate/", {"frame": 0, "direction": "both"},
                                 format="json").json()
    PropagationJob.objects.filter(pk=running["id"]).update(status=JobStatus.RUNNING)
    waiting = put(clients, track, 4, 1, box=[40, 40, 30, 30])["repropagation"]
    assert start_waiting_jobs() == []  # its holder still runs
    # the holder's end committed, and its process died before the on-commit hook sent the waiting job
    PropagationJob.objects.filter(pk=running["id"]).update(status=JobStatus.SUCCEEDED)
    JobTrack.objects.filter(job_id=running["id"]).update(active=False)
    assert start_waiting_jobs() == [waiting["id"]]  # what every gpu worker's heartbeat runs
    job = clients.alice.get(f"/api/jobs/{waiting['id']}/").json()
    assert (job["status"], job["waiting_for_track"]) == ("queued", False)  # now waiting for a worker
    assert PropagationJob.objects.get(pk=waiting["id"]).job_tracks.get().active
    assert start_waiting_jobs() == []  # sent once
