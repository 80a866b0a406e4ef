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

    again = put(clients, track, 5, corrected["version"], box=[36, 41, 30, 30])  # a manual frame edited again
    assert again["repropagation"] is None


def test_a_new_correction_supersedes_the_waiting_re_propagation(clients, track):
    propagated(track, range(1, 12))
    first = put(clients, track, 4, 1, box=[40, 40, 30, 30])["repropagation"]
    second = put(clients, track, 8, 2, box=[45, 40, 30, 30])["repropagation"]
    assert PropagationJob.objects.get(pk=first["id"]).status == "cancelled"
    assert PropagationJob.objects.get(pk=second["id"]).status == "queued"
    assert (second["start_frame"], second["direction"]) == (8, "both")


def test_a_running_job_on_the_track_is_left_alone(clients, track):
    from annotator.choices import JobStatus

    propagated(track, range(1, 12))
    running = clients.alice.post(f"/api/tracks/{track.pk}/propagate/", {"frame": 0}, format="json").json()
    PropagationJob.objects.filter(pk=running["id"]).update(status=JobStatus.RUNNING)
    saved = put(clients, track, 4, 1, box=[40, 40, 30, 30])
    assert saved["repropagation"] is None and saved["source"] == Source.MANUAL_BOX
    assert PropagationJob.objects.get(pk=running["id"]).status == "running"  # it stops before frame 4 itself


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
