"""Propagation stops before outside frames and never writes over them: with a real worker, and in the writer."""

import pytest

from annotator.choices import Source
from annotator.models import FrameAnnotation, PropagationJob
from tests.conftest import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
NO_LOST_STOP = {"SIAMLABEL_LOST_PATIENCE": "1000000"}


def finished(job_id):
    job = PropagationJob.objects.get(pk=job_id)
    return job if not job.is_active else None


def test_propagation_stops_before_outside_frames_and_keeps_them(clients, track, checkpoint, start_worker):
    # the clip has 12 frames; the object is marked not visible on 6-7, a box is drawn again on 10
    marked = clients.alice.post(f"/api/tracks/{track.pk}/outside/", {"version": 1, "first": 6, "last": 7},
                                format="json")
    assert marked.status_code == 200, marked.json()
    drawn = clients.alice.put(f"/api/tracks/{track.pk}/annotations/10/",
                              {"version": marked.json()["version"], "box": [50, 40, 30, 30]}, format="json")
    assert drawn.status_code == 200, drawn.json()
    worker = start_worker(**NO_LOST_STOP)
    forward = clients.alice.post(f"/api/tracks/{track.pk}/propagate/", {"frame": 0}, format="json").json()
    job = wait_for(lambda: finished(forward["id"]), 120, "the forward job", worker)
    assert job.status == "succeeded", job.error
    backward = clients.alice.post(f"/api/tracks/{track.pk}/propagate/", {"frame": 10, "direction": "backward"},
                                  format="json").json()
    back = wait_for(lambda: finished(backward["id"]), 120, "the backward job", worker)
    assert back.status == "succeeded", back.error
    frames = dict(FrameAnnotation.objects.filter(track=track).values_list("frame_index", "source"))
    assert frames == {0: Source.MANUAL_BOX, **{f: Source.PROPAGATED for f in (1, 2, 3, 4, 5, 8, 9)},
                      6: Source.OUTSIDE, 7: Source.OUTSIDE, 10: Source.MANUAL_BOX}
    assert (job.frames_total, back.frames_total) == (5, 2)
    assert not FrameAnnotation.objects.filter(track=track, frame_index__in=[6, 7]).exclude(bbox=None).exists()


def test_frames_marked_outside_while_a_job_runs_end_its_run_there(clients, track):
    from annotator.services import propagation as propagation_services
    from tracking_worker.propagation.writer import FrameRecord, flush

    job = propagation_services.start_propagation(tracks=[track], start_frame=0, direction="forward", by=None,
                                                 enqueue=False)
    clients.alice.post(f"/api/tracks/{track.pk}/outside/", {"version": 1, "first": 3, "last": 4}, format="json")
    records = [FrameRecord(track_id=track.pk, frame_index=f, score=0.9, bbox=[1, 1, 5, 5], rotated_box=[],
                           mask_rle={"size": [120, 160], "counts": "0"}, area=0) for f in range(1, 7)]
    result = flush(job, records, step=1, frames_done=0, fps=None)
    assert result.ended_at == {track.pk: 3}
    frames = dict(FrameAnnotation.objects.filter(track=track).values_list("frame_index", "source"))
    assert frames == {0: Source.MANUAL_BOX, 1: Source.PROPAGATED, 2: Source.PROPAGATED,
                      3: Source.OUTSIDE, 4: Source.OUTSIDE}
