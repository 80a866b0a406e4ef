"""A correction saved while a job of the same track runs still gets its re-propagation (issue 18.3).

A real worker runs both jobs: the re-propagation waits for the running job, or cancels it when
everything that job would still write lies in the re-propagated segment (docs/propagation.md).
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from annotator.choices import Source
from annotator.models import FrameAnnotation, PropagationJob, Track
from annotator.services import videos as video_services
from annotator.services.tracks import create_track
from tests import clips
from tests.conftest import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
WORKER_ENV = {"SIAMLABEL_LOST_PATIENCE": "1000000", "SIAMLABEL_CHUNK_FRAMES": "2"}


def finished(job_id):
    job = PropagationJob.objects.get(pk=job_id)
    return job if not job.is_active else None


def long_track(cast, tmp_path, n=60):
    path = clips.write_video(tmp_path / "long.avi", n=n)
    video = video_services.create_video(project=cast.project, name="long", by=cast.alice,
                                        upload=SimpleUploadedFile("long.avi", path.read_bytes()))
    video = video_services.extract_video_frames(video.pk)
    return create_track(video=video, label=cast.project.labels.first(), frame_index=0, bbox=clips.square_box(0),
                        by=cast.alice)


def correct(clients, track, frame):
    """Mark `frame` propagated (as an earlier job left it), then save a corrected box there."""
    FrameAnnotation.objects.update_or_create(track=track, frame_index=frame, defaults={
        "source": Source.PROPAGATED, "bbox": clips.square_box(frame), "mask_rle": None, "area": 0})
    version = Track.objects.get(pk=track.pk).version
    answer = clients.alice.put(f"/api/tracks/{track.pk}/annotations/{frame}/",
                               {"version": version, "box": clips.square_box(frame)}, format="json")
    assert answer.status_code == 200, answer.json()
    return answer.json()["repropagation"]


def start_job(clients, track, worker, **body):
    job_id = clients.alice.post(f"/api/tracks/{track.pk}/propagate/", body, format="json").json()["id"]
    wait_for(lambda: PropagationJob.objects.get(pk=job_id).frames_done >= 2, 120, "the job to run", worker)
    return job_id


def written_by(track, job_id):
    return sorted(FrameAnnotation.objects.filter(track=track, job_id=job_id).values_list("frame_index", flat=True))


def test_a_correction_waits_for_a_running_job_that_also_covers_other_frames(clients, cast, tmp_path, checkpoint,
                                                                           start_worker):
    track = long_track(cast, tmp_path)
    version = Track.objects.get(pk=track.pk).version
    clients.alice.put(f"/api/tracks/{track.pk}/annotations/20/", {"version": version, "box": clips.square_box(20)},
                      format="json")
    worker = start_worker(**WORKER_ENV)
    running_id = start_job(clients, track, worker, frame=20, direction="both")  # backward: outside 50's segment

    job = correct(clients, track, 50)
    assert job is not None and (job["status"], job["waiting_for_track"]) == ("queued", True)
    first = wait_for(lambda: finished(running_id), 180, "the running job", worker)
    assert (first.status, first.cancel_requested) == ("succeeded", False)
    second = wait_for(lambda: finished(job["id"]), 180, "the re-propagation", worker)
    assert second.status == "succeeded", second.error
    assert second.started_at >= first.finished_at
    assert written_by(track, second.pk) == [f for f in range(21, 60) if f != 50]  # 20 is the anchor before it
    assert set(written_by(track, first.pk)) == set(range(1, 20))  # its backward run was kept


def test_a_correction_cancels_a_running_job_whose_frames_it_rewrites(clients, cast, tmp_path, checkpoint,
                                                                    start_worker):
    track = long_track(cast, tmp_path)
    worker = start_worker(**WORKER_ENV)
    running_id = start_job(clients, track, worker, frame=0)  # forward, from the anchor before frame 40

    job = correct(clients, track, 40)
    first = wait_for(lambda: finished(running_id), 60, "the superseded job to stop", worker)
    assert first.status == "cancelled"
    second = wait_for(lambda: finished(job["id"]), 180, "the re-propagation", worker)
    assert second.status == "succeeded", second.error
    assert second.started_at >= first.finished_at
    assert written_by(track, second.pk) == [f for f in range(1, 60) if f != 40]
    assert written_by(track, first.pk) == []  # every frame it wrote was rewritten
