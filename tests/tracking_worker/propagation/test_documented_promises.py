"""Promises of docs/propagation.md and docs/operations.md, each kept through a real worker process:
revert, an edit made while a job runs, a resumed job, several tracks in one job."""

import numpy as np
import pytest

from annotator.choices import Source
from annotator.masks import decode_mask
from annotator.models import PropagationJob
from annotator.services.tracks import create_track
from tests import clips
from tests.conftest import wait_for
from tests.tracking_worker.propagation.test_propagation_jobs import (
    KILL_CLIP,
    NO_LOST_STOP,
    finished,
    frames_of,
    make_video,
    running_job,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def version_of(client, track) -> int:
    return client.get(f"/api/tracks/{track.pk}/").json()["version"]


def iou(a: list[float], b: list[float]) -> float:
    (ax, ay, aw, ah), (bx, by, bw, bh) = a, b
    w = max(0.0, min(ax + aw, bx + bw) - max(ax, bx))
    h = max(0.0, min(ay + ah, by + bh) - max(ay, by))
    return w * h / (aw * ah + bw * bh - w * h)


def test_revert_removes_the_jobs_frames_but_not_those_edited_since(clients, ready_video, track, checkpoint,
                                                                   start_worker):
    job_id = clients.alice.post(f"/api/tracks/{track.pk}/propagate/", {"frame": 0}, format="json").json()["id"]
    refused = clients.alice.post(f"/api/jobs/{job_id}/revert/")
    assert refused.status_code == 409 and refused.json()["detail"] == "cancel the job before reverting it"
    worker = start_worker(**NO_LOST_STOP)
    job = wait_for(lambda: finished(job_id), 120, "the job", worker)
    assert job.status == "succeeded", job.error
    assert sorted(frames_of(track)) == list(range(12))
    edit = clients.alice.put(f"/api/tracks/{track.pk}/annotations/5/",
                             {"version": version_of(clients.alice, track), "box": [50, 40, 30, 30]}, format="json")
    assert edit.status_code == 200, edit.json()
    reverted = clients.alice.post(f"/api/jobs/{job_id}/revert/")
    assert reverted.json() == {"deleted": 10}  # frames 1-11 but the edited 5
    frames = frames_of(track)
    assert sorted(frames) == [0, 5]
    assert frames[0].source == Source.MANUAL_BOX and frames[5].bbox == [50.0, 40.0, 30.0, 30.0]


def test_an_edit_made_while_the_job_runs_becomes_its_anchor(clients, cast, tmp_path, checkpoint, start_worker):
    track, job_id, worker = running_job(clients, cast, tmp_path, start_worker)
    edit = clients.alice.put(f"/api/tracks/{track.pk}/annotations/45/",
                             {"version": version_of(clients.alice, track), "box": [60, 50, 30, 30]}, format="json")
    assert edit.status_code == 200, edit.json()
    assert PropagationJob.objects.get(pk=job_id).frames_done < 45, "the job passed frame 45 before the edit"
    job = wait_for(lambda: finished(job_id), 120, "the job", worker)
    assert job.status == "succeeded", job.error
    frames = frames_of(track)
    assert sorted(frames) == list(range(46))  # it stopped at the anchor: nothing after it
    assert frames[45].source == Source.MANUAL_BOX and frames[45].bbox == [60.0, 50.0, 30.0, 30.0]
    stop = job.stop_reasons["1"][str(track.pk)]
    assert (stop["reason"], stop["frame"]) == ("manual frame made during the job", 45)


def test_a_resumed_job_writes_the_frames_an_uninterrupted_run_writes(clients, cast, tmp_path, checkpoint,
                                                                     start_worker):
    video = make_video(cast, tmp_path, KILL_CLIP)
    whole, resumed = (create_track(video=video, label=cast.project.labels.first(), frame_index=0,
                                   bbox=clips.square_box(0), by=cast.alice) for _ in range(2))
    env = NO_LOST_STOP | {"SIAMLABEL_CHUNK_FRAMES": "2"}
    worker = start_worker(**env)
    first = clients.alice.post(f"/api/tracks/{whole.pk}/propagate/", {"frame": 0}, format="json").json()["id"]
    assert wait_for(lambda: finished(first), 120, "the uninterrupted job", worker).status == "succeeded"
    second = clients.alice.post(f"/api/tracks/{resumed.pk}/propagate/", {"frame": 0}, format="json").json()["id"]
    wait_for(lambda: PropagationJob.objects.get(pk=second).frames_done >= 4, 120, "two chunks", worker)
    worker.kill()
    assert 0 < len(frames_of(resumed)) < KILL_CLIP - 1  # killed mid-job
    job = wait_for(lambda: finished(second), 180, "the resumed job", start_worker(**env))
    assert (job.status, job.attempts) == ("succeeded", 2), job.error
    expected, got = frames_of(whole), frames_of(resumed)
    assert sorted(got) == sorted(expected) == list(range(KILL_CLIP))
    for f in range(1, KILL_CLIP):
        assert got[f].bbox == pytest.approx(expected[f].bbox, abs=1e-6), f
        assert np.array_equal(decode_mask(got[f].mask_rle), decode_mask(expected[f].mask_rle)), f


def test_several_tracks_propagate_together_in_one_job(clients, ready_video, track, checkpoint, start_worker):
    background = create_track(video=ready_video, label=track.label, frame_index=0, bbox=[110, 85, 30, 30],
                              by=track.created_by)
    worker = start_worker(**NO_LOST_STOP)
    response = clients.alice.post(f"/api/videos/{ready_video.pk}/propagate/",
                                  {"tracks": [track.pk, background.pk], "frame": 0}, format="json")
    assert response.status_code == 202, response.json()
    job = wait_for(lambda: finished(response.json()["id"]), 120, "the job", worker)
    assert job.status == "succeeded", job.error
    assert sorted(job.tracks.values_list("pk", flat=True)) == [track.pk, background.pk]
    square, patch = frames_of(track), frames_of(background)
    assert sorted(square) == sorted(patch) == list(range(12))
    assert {a.job_id for f, a in [*square.items(), *patch.items()] if f} == {job.pk}
    # each track followed its own object: the square moves right, the background patch stays put
    assert all(iou(square[f].bbox, clips.square_box(f)) > 0.5 for f in range(12))
    assert all(iou(patch[f].bbox, clips.square_box(f)) == 0 for f in range(12))
