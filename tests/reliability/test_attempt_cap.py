"""A job whose worker dies every time it starts is given up after SIAMLABEL_MAX_ATTEMPTS (3) starts.

Tasks are acknowledged late, so without the cap such a job is re-delivered forever. The worker is
real (tests/reliability/crashing_worker.py: the production app, exiting hard once a job starts).
"""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from annotator.models import ExportJob, ImportJob, JobTrack, PropagationJob, Video
from tests import clips
from tests.annotator.conftest import cast, clients, make_user, media_root, ready_video, track  # noqa: F401
from tests.conftest import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
CRASHING_APP = "tests.reliability.crashing_worker"
GAVE_UP = "worker died 3 times on this job; it is not retried again"


def ended(model, pk, active=("uploaded", "extracting", "queued", "running")):
    row = model.objects.get(pk=pk)
    return row if row.status not in active else None


def test_extraction_export_and_import_end_failed_when_their_worker_keeps_dying(clients, cast, ready_video, tmp_path,
                                                                               start_worker):
    clip = clips.write_video(tmp_path / "crash.avi")
    video_id = clients.alice.post(f"/api/projects/{cast.project.pk}/videos/",
                                  {"file": SimpleUploadedFile("crash.avi", clip.read_bytes()), "name": "crash"},
                                  format="multipart").json()["id"]
    export_id = clients.carol.post(f"/api/projects/{cast.project.pk}/exports/", {"format": "coco"},
                                   format="json").json()["id"]
    labels = {"images": [{"id": 1, "file_name": "clip/00002.jpg", "width": 160, "height": 120}],
              "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 2, 30, 40]}],
              "categories": [{"id": 1, "name": "ball"}]}
    labels_file = SimpleUploadedFile("gt.json", json.dumps(labels).encode())
    import_id = clients.carol.post(f"/api/projects/{cast.project.pk}/imports/", {"format": "coco", "file": labels_file},
                                   format="multipart").json()["id"]
    # prefork, as `manage.py serve` runs the default queue: each dead child is replaced and the
    # task it held goes straight back to the queue (reject_on_worker_lost)
    worker = start_worker("default", app=CRASHING_APP, pool="prefork")
    video = wait_for(lambda: ended(Video, video_id), 120, "the extraction to be given up", worker)
    export = wait_for(lambda: ended(ExportJob, export_id), 120, "the export to be given up", worker)
    imported = wait_for(lambda: ended(ImportJob, import_id), 120, "the import to be given up", worker)
    assert (video.status, video.extraction_attempts) == ("failed", 3)
    assert (export.status, export.attempts) == ("failed", 3)
    assert (imported.status, imported.attempts) == ("failed", 3)
    for error in (video.error, export.error, imported.error):
        assert error.startswith(GAVE_UP), error
    assert "exited with 'exitcode 70'" in worker.log_tail(400)  # the deaths were real
    assert clients.carol.get(f"/api/exports/{export_id}/").json()["error"].startswith(GAVE_UP)


def test_a_propagation_whose_worker_keeps_dying_fails_and_frees_its_track(clients, track, start_worker):
    job_id = clients.alice.post(f"/api/tracks/{track.pk}/propagate/", {"frame": 0}, format="json").json()["id"]
    worker = start_worker("gpu", app=CRASHING_APP, pool="prefork")
    job = wait_for(lambda: ended(PropagationJob, job_id), 150, "the job to be given up", worker)
    assert (job.status, job.attempts) == ("failed", 3)
    assert clients.alice.get(f"/api/jobs/{job_id}/").json()["error"].startswith(GAVE_UP)
    assert not JobTrack.objects.filter(job=job, active=True).exists()
    again = clients.alice.post(f"/api/tracks/{track.pk}/propagate/", {"frame": 0}, format="json")
    assert again.status_code == 202, again.json()  # the track is free for a new job
    clients.alice.post(f"/api/jobs/{again.json()['id']}/cancel/")
