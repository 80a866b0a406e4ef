"""Propagation end to end: API -> Redis -> a real Celery worker process -> PostgreSQL."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from annotator.choices import Source
from annotator.models import FrameAnnotation, PropagationJob
from annotator.services import videos as video_services
from annotator.services.tracks import create_track
from tests import clips
from tests.conftest import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
NO_LOST_STOP = {"SIAMLABEL_LOST_PATIENCE": "1000000"}
# frames of a clip whose job is killed mid-way: long enough that the kill, which follows the
# second chunk within a poll or two (0.2 s), lands before the light model reaches the end
KILL_CLIP = 120


def finished(job_id):
    job = PropagationJob.objects.get(pk=job_id)
    return job if not job.is_active else None


def frames_of(track):
    return {a.frame_index: a for a in FrameAnnotation.objects.filter(track=track)}


def make_video(cast, tmp_path, n, name="long"):
    path = clips.write_video(tmp_path / f"{name}.avi", n=n)
    upload = SimpleUploadedFile(f"{name}.avi", path.read_bytes())
    video = video_services.create_video(project=cast.project, name=name, upload=upload, by=cast.alice)
    return video_services.extract_video_frames(video.pk)


def test_both_directions_fill_every_frame_once(clients, cast, tmp_path, checkpoint, start_worker):
    video = make_video(cast, tmp_path, 20)
    track = create_track(video=video, label=cast.project.labels.first(), frame_index=10, bbox=clips.square_box(10),
                         by=cast.alice)
    drawn_at = FrameAnnotation.objects.get(track=track, frame_index=10).updated_at
    worker = start_worker(**NO_LOST_STOP)
    job = clients.alice.post(f"/api/tracks/{track.pk}/propagate/", {"frame": 10, "direction": "both"}, format="json").json()
    job = wait_for(lambda: finished(job["id"]), 120, "the job to finish", worker)
    assert job.status == "succeeded", job.error
    assert (job.frames_done, job.frames_total) == (job.frames_total, 19)
    frames = frames_of(track)
    assert sorted(frames) == list(range(20))
    assert frames[10].source == Source.MANUAL_BOX and frames[10].bbox == clips.square_box(10)
    assert frames[10].mask_rle is not None  # the keyframe got the tracker's mask, its box kept
    assert frames[10].updated_at > drawn_at  # ...and says it changed, so open workspaces re-read it
    assert all(frames[f].source == Source.PROPAGATED and frames[f].job_id == job.pk for f in frames if f != 10)
    assert job.checkpoint_sha256 == checkpoint.sha256 and job.tracker_config["seg_thr"] == 0.35
    body = clients.bob.get(f"/api/jobs/{job.pk}/").json()
    assert (body["status"], body["progress"]) == ("succeeded", 1.0)


def test_propagation_stops_at_the_next_anchor_and_keeps_it(clients, cast, ready_video, track, checkpoint, start_worker):
    clients.alice.put(f"/api/tracks/{track.pk}/annotations/8/", {"version": 1, "box": [50, 40, 30, 30]}, format="json")
    worker = start_worker(**NO_LOST_STOP)
    job = clients.alice.post(f"/api/tracks/{track.pk}/propagate/", {"frame": 0}, format="json").json()
    job = wait_for(lambda: finished(job["id"]), 120, "the job to finish", worker)
    assert job.status == "succeeded", job.error
    frames = frames_of(track)
    assert sorted(frames) == [0, 1, 2, 3, 4, 5, 6, 7, 8]
    assert frames[8].source == Source.MANUAL_BOX and frames[8].bbox == [50.0, 40.0, 30.0, 30.0]


def test_repropagation_after_a_correction_replaces_only_its_range(clients, cast, ready_video, track, checkpoint,
                                                                  start_worker):
    cast.project.auto_repropagate = False  # the annotator re-propagates by hand here (auto: test_repropagation.py)
    cast.project.save(update_fields=["auto_repropagate"])
    worker = start_worker(**NO_LOST_STOP)
    first = clients.alice.post(f"/api/tracks/{track.pk}/propagate/", {"frame": 0}, format="json").json()
    first = wait_for(lambda: finished(first["id"]), 120, "the first job", worker)
    before = frames_of(track)
    assert sorted(before) == list(range(12))
    mask = before[6].mask_rle
    version = clients.alice.get(f"/api/tracks/{track.pk}/").json()["version"]
    corrected = clients.alice.put(f"/api/tracks/{track.pk}/annotations/6/",
                                  {"version": version, "mask": {"size": [120, 160], "counts": _square_counts()}},
                                  format="json")
    assert corrected.status_code == 200, corrected.json()
    second = clients.alice.post(f"/api/tracks/{track.pk}/propagate/", {"frame": 6}, format="json").json()
    second = wait_for(lambda: finished(second["id"]), 120, "the second job", worker)
    assert second.status == "succeeded", second.error
    after = frames_of(track)
    assert sorted(after) == list(range(12))
    assert all(after[f].job_id == first.pk for f in range(1, 6))
    assert after[6].source == Source.MANUAL_MASK and after[6].mask_rle != mask
    assert all(after[f].job_id == second.pk for f in range(7, 12))


def _square_counts():
    import numpy as np

    from annotator.masks import encode_mask

    m = np.zeros((120, 160), bool)
    m[45:75, 38:68] = True
    return encode_mask(m)["counts"]


def test_worker_killed_mid_job_is_resumed_by_another(clients, cast, tmp_path, checkpoint, start_worker, settings):
    video = make_video(cast, tmp_path, KILL_CLIP)
    track = create_track(video=video, label=cast.project.labels.first(), frame_index=0, bbox=clips.square_box(0),
                         by=cast.alice)
    env = NO_LOST_STOP | {"SIAMLABEL_CHUNK_FRAMES": "2"}
    worker = start_worker(**env)
    job_id = clients.alice.post(f"/api/tracks/{track.pk}/propagate/", {"frame": 0}, format="json").json()["id"]
    wait_for(lambda: PropagationJob.objects.get(pk=job_id).frames_done >= 4, 120, "two chunks", worker)
    worker.kill()
    written = FrameAnnotation.objects.filter(track=track, source=Source.PROPAGATED).count()
    assert 0 < written < KILL_CLIP - 1
    job = PropagationJob.objects.get(pk=job_id)
    assert job.status == "running"  # the killed worker could not end it
    # The message was never acked: after the visibility timeout, a new worker gets it again.
    second = start_worker(**env)
    job = wait_for(lambda: finished(job_id), 180, "the re-delivered job", second)
    assert job.status == "succeeded", job.error
    assert job.attempts == 2
    frames = list(FrameAnnotation.objects.filter(track=track).values_list("frame_index", flat=True))
    assert sorted(frames) == list(range(KILL_CLIP))  # each frame exactly once (unique constraint + count)


def running_job(clients, cast, tmp_path, start_worker):
    """Start a forward job on a 150-frame clip in 2-frame chunks; return (track, job id, worker) once it writes.

    Long enough that a cancel lands before the end: the tracker ran 30 frames between the job's
    first chunk and the cancel in one run (a fast host, 2026-12-01)."""
    video = make_video(cast, tmp_path, 150)
    track = create_track(video=video, label=cast.project.labels.first(), frame_index=0, bbox=clips.square_box(0),
                         by=cast.alice)
    worker = start_worker(**NO_LOST_STOP, SIAMLABEL_CHUNK_FRAMES="2")
    job_id = clients.alice.post(f"/api/tracks/{track.pk}/propagate/", {"frame": 0}, format="json").json()["id"]
    wait_for(lambda: PropagationJob.objects.get(pk=job_id).frames_done >= 2, 120, "the job to start", worker)
    return track, job_id, worker


def test_cancel_stops_a_running_job(clients, cast, tmp_path, checkpoint, start_worker):
    track, job_id, worker = running_job(clients, cast, tmp_path, start_worker)
    clients.alice.post(f"/api/jobs/{job_id}/cancel/")
    job = wait_for(lambda: finished(job_id), 30, "the job to stop", worker)
    assert job.status == "cancelled"
    assert job.frames_done < 149  # stopped before the end of the clip
    # The track is free again.
    again = clients.alice.post(f"/api/tracks/{track.pk}/propagate/", {"frame": 0}, format="json")
    assert again.status_code == 202
    clients.alice.post(f"/api/jobs/{again.json()['id']}/cancel/")


def test_missing_checkpoint_fails_readably_and_leaves_the_track_editable(clients, cast, ready_video, track,
                                                                        start_worker, transactional_db):
    worker = start_worker()
    job_id = clients.alice.post(f"/api/tracks/{track.pk}/propagate/", {"frame": 0}, format="json").json()["id"]
    job = wait_for(lambda: finished(job_id), 60, "the job to fail", worker)
    assert job.status == "failed"
    assert "no model checkpoint" in clients.alice.get(f"/api/jobs/{job_id}/").json()["error"]
    edit = clients.alice.put(f"/api/tracks/{track.pk}/annotations/3/", {"version": 1, "box": [1, 1, 9, 9]}, format="json")
    assert edit.status_code == 200


def test_lost_target_stops_the_run_and_says_where(clients, cast, ready_video, track, checkpoint, start_worker):
    worker = start_worker(SIAMLABEL_LOST_SCORE_THRESHOLD="1.01", SIAMLABEL_LOST_PATIENCE="3")
    job_id = clients.alice.post(f"/api/tracks/{track.pk}/propagate/", {"frame": 0}, format="json").json()["id"]
    job = wait_for(lambda: finished(job_id), 60, "the job", worker)
    assert job.status == "succeeded", job.error
    stop = job.stop_reasons["1"][str(track.pk)]
    assert (stop["reason"], stop["frame"], stop["measure"], stop["threshold"]) == ("target lost", 1, "score", 1.01)
    assert 0 < stop["value"] == stop["score"] < 1.01 and stop["quality"] is None
    assert sorted(frames_of(track)) == [0]
    body = clients.bob.get(f"/api/jobs/{job_id}/").json()
    assert (body["frames_done"], body["frames_total"]) == (3, 11)  # 3 low frames tracked, then it stopped
    assert body["progress"] == pytest.approx(3 / 11)
    assert body["stop_reasons"]["1"][str(track.pk)]["frame"] == 1


def test_batch_propagation_covers_several_videos(cast, tmp_path, checkpoint, start_worker):
    from annotator.models import BatchPropagation
    from annotator.services.batches import batch_progress, start_batch

    videos = [make_video(cast, tmp_path, 8, name=f"v{i}") for i in range(3)]
    tracks = [create_track(video=v, label=cast.project.labels.first(), frame_index=2, bbox=clips.square_box(2),
                           by=cast.alice) for v in videos]
    worker = start_worker(**NO_LOST_STOP)
    batch = start_batch(videos=videos, by=cast.carol, max_running=1, backward=True, project=cast.project)
    assert batch.jobs.count() == 3
    assert batch.jobs.filter(enqueued_at__isnull=False).count() == 1  # bounded concurrency
    wait_for(lambda: not batch.jobs.filter(status__in=["queued", "running"]).exists(), 180, "the batch", worker)
    assert batch_progress(BatchPropagation.objects.get(pk=batch.pk))["by_status"] == {"succeeded": 3}
    for t in tracks:
        assert sorted(frames_of(t)) == list(range(8))


def test_a_fast_job_tracks_in_the_fast_precision(clients, cast, ready_video, track, checkpoint, start_worker):
    worker = start_worker(**NO_LOST_STOP)
    job = clients.alice.post(f"/api/tracks/{track.pk}/propagate/", {"frame": 0, "precision": "fast"},
                             format="json").json()
    job = wait_for(lambda: finished(job["id"]), 120, "the job to finish", worker)
    assert job.status == "succeeded", job.error
    assert job.tracker_config["precision"] == "fast"
    assert len(frames_of(track)) == ready_video.frame_count
