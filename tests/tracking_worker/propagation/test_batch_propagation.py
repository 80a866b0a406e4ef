"""Batch propagation end to end: admin action / `manage.py propagate` -> Redis -> a real worker -> PostgreSQL."""

import pytest
from django.core.management import call_command
from django.test import Client

from annotator.choices import Source
from annotator.models import BatchPropagation, JobTrack, PropagationJob
from annotator.services.batches import batch_progress, start_batch
from tests.annotator.services.test_batches import anchor, new_track
from tests.conftest import wait_for
from tests.tracking_worker.propagation.test_propagation_jobs import NO_LOST_STOP, finished, frames_of, make_video

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def batch_done(batch, worker, timeout=180):
    wait_for(lambda: not batch.jobs.filter(status__in=["queued", "running"]).exists(), timeout, "the batch", worker)
    return batch_progress(BatchPropagation.objects.get(pk=batch.pk))["by_status"]


def origins(track):
    """Frame -> the start frame of the job that propagated it ('manual' for anchors)."""
    return {f: "manual" if a.source != Source.PROPAGATED else a.job.start_frame for f, a in frames_of(track).items()}


def test_admin_action_fills_every_segment_of_every_track(cast, ready_video, track, django_user_model, checkpoint,
                                                         start_worker):
    anchor(track, 6)
    other = new_track(cast, ready_video, frame=3)
    admin = Client()
    admin.force_login(django_user_model.objects.create_superuser("root", "root@example.com", "root-pw-123"))
    worker = start_worker(**NO_LOST_STOP)
    action = {"action": "propagate_videos", "_selected_action": [ready_video.pk]}
    assert admin.post("/admin/annotator/video/", action).status_code == 302
    batch = BatchPropagation.objects.get()
    assert batch_done(batch, worker) == {"succeeded": 3}
    assert origins(track) == {0: "manual", **dict.fromkeys(range(1, 6), 0), 6: "manual",
                              **dict.fromkeys(range(7, 12), 6)}
    assert origins(other) == {3: "manual", **dict.fromkeys(range(4, 12), 3)}  # forward only: not asked backward


def test_manage_py_propagate_waits_for_the_batch_and_fills_backward(cast, ready_video, checkpoint, start_worker,
                                                                   capsys):
    first = new_track(cast, ready_video, frame=4)
    anchor(first, 8)
    worker = start_worker(**NO_LOST_STOP)
    call_command("propagate", "--project", str(cast.project.pk), "--backward", "--max-running", "1")
    assert "2 job(s) queued" in capsys.readouterr().out  # from 4 both ways, from 8 forward
    batch = BatchPropagation.objects.get()
    assert batch_progress(batch)["by_status"] == {"succeeded": 2}, worker.log_tail()
    assert origins(first) == {**dict.fromkeys(range(4), 4), 4: "manual", 5: 4, 6: 4, 7: 4, 8: "manual",
                              **dict.fromkeys(range(9, 12), 8)}
    call_command("propagate", "--project", str(cast.project.pk), "--backward", "--no-wait")
    assert "0 job(s) queued" in capsys.readouterr().out  # every segment is now up to date


def test_an_interactive_request_runs_before_the_waiting_batch_job(clients, cast, ready_video, track, checkpoint,
                                                                  start_worker):
    other = new_track(cast, ready_video)
    batch = start_batch(videos=[ready_video], by=cast.carol)
    batch_job = batch.jobs.get()  # both tracks, sent, and no worker yet
    response = clients.alice.post(f"/api/tracks/{track.pk}/propagate/", {"frame": 0}, format="json")
    assert response.status_code == 202, response.json()
    worker = start_worker(**NO_LOST_STOP)
    interactive = wait_for(lambda: finished(response.json()["id"]), 120, "the interactive job", worker)
    assert interactive.status == "succeeded", interactive.error
    assert batch_done(batch, worker) == {"succeeded": 1}
    batch_job.refresh_from_db()
    assert batch_job.stop_reasons["1"][str(track.pk)]["reason"].startswith("skipped: ")
    assert list(JobTrack.objects.filter(job=batch_job).values_list("track_id", flat=True)) == [other.pk]
    assert origins(track) == {0: "manual", **dict.fromkeys(range(1, 12), 0)}
    assert {a.job_id for f, a in frames_of(track).items() if f} == {interactive.pk}
    assert {a.job_id for f, a in frames_of(other).items() if f} == {batch_job.pk}


def test_cancelling_a_running_batch_job_sends_the_next(clients, cast, tmp_path, checkpoint, start_worker):
    long, short = make_video(cast, tmp_path, 60, name="long"), make_video(cast, tmp_path, 8, name="short")
    new_track(cast, long)
    waiting = new_track(cast, short)
    worker = start_worker(**NO_LOST_STOP, SIAMLABEL_CHUNK_FRAMES="2")
    batch = start_batch(videos=[long, short], by=cast.carol, max_running=1)
    running = batch.jobs.get(video=long)
    wait_for(lambda: PropagationJob.objects.get(pk=running.pk).frames_done >= 2, 120, "the first job", worker)
    assert clients.alice.post(f"/api/jobs/{running.pk}/cancel/").status_code == 200
    assert batch_done(batch, worker) == {"cancelled": 1, "succeeded": 1}
    assert sorted(frames_of(waiting)) == list(range(8))


def test_failed_batch_jobs_send_the_next(cast, tmp_path, start_worker):
    videos = [make_video(cast, tmp_path, 4, name=f"v{i}") for i in range(2)]
    for video in videos:
        new_track(cast, video)
    worker = start_worker()  # no checkpoint registered: every job fails
    batch = start_batch(videos=videos, by=cast.carol, max_running=1)
    assert batch_done(batch, worker, timeout=60) == {"failed": 2}
