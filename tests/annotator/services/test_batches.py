"""Batch planning, per-segment freshness and lazy track locks, against the real database.

The worker side (jobs actually running) is in tests/tracking_worker/propagation/test_batch_propagation.py.
"""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from annotator.choices import JobStatus, Source
from annotator.models import FrameAnnotation, JobTrack, PropagationJob
from annotator.segments import stale_segments, track_segments
from annotator.services.batches import cancel_batch, start_batch, take_batch_locks
from annotator.services.propagation import finish_job, start_propagation
from annotator.services.tracks import create_track, delete_frames, set_frame_annotation
from tests import clips

pytestmark = pytest.mark.django_db


def spans(segments):
    return [(s.anchor, s.step, s.first, s.last) for s in segments]


def anchor(track, frame):
    track.refresh_from_db()
    set_frame_annotation(track=track, frame_index=frame, version=track.version, bbox=clips.square_box(frame))


def new_track(cast, video, frame=0):
    return create_track(video=video, label=cast.project.labels.first(), frame_index=frame,
                        bbox=clips.square_box(frame), by=cast.alice)


def succeeded_run(track, start, direction, frames, by, *, fill_key=False):
    """A job that ran and wrote `frames` (what the worker leaves behind; the worker itself is tested elsewhere).

    `fill_key`: the job gave its box-only keyframe the tracker's mask, as the worker does.
    """
    job = start_propagation(tracks=[track], start_frame=start, direction=direction, by=by)
    PropagationJob.objects.filter(pk=job.pk).update(started_at=timezone.now(), status=JobStatus.RUNNING)
    if fill_key:
        FrameAnnotation.objects.filter(track=track, frame_index=start).update(
            mask_rle={"size": [120, 160], "counts": "0"}, updated_at=timezone.now())
    FrameAnnotation.objects.bulk_create([
        FrameAnnotation(track=track, frame_index=f, source=Source.PROPAGATED, bbox=clips.square_box(f), job=job)
        for f in frames
    ])
    with transaction.atomic():
        finish_job(PropagationJob.objects.get(pk=job.pk), JobStatus.SUCCEEDED)
    return job


def batch_jobs(batch):
    return sorted((j.start_frame, j.direction, sorted(j.tracks.values_list("pk", flat=True))) for j in batch.jobs.all())


def test_segments_run_from_each_anchor_to_the_next():
    assert spans(track_segments(1, 1, [0, 50], 100, backward=False)) == [(0, 1, 1, 49), (50, 1, 51, 99)]
    assert spans(track_segments(1, 1, [10, 11, 50, 99], 100, backward=True)) == [
        (10, -1, 0, 9), (11, 1, 12, 49), (50, 1, 51, 98),
    ]
    assert spans(track_segments(1, 1, [0], 100, backward=True)) == [(0, 1, 1, 99)]


def test_batch_plans_a_job_for_every_stale_segment(cast, ready_video, track):
    anchor(track, 6)
    other = new_track(cast, ready_video, frame=3)
    anchor(other, 8)
    batch = start_batch(videos=[ready_video], by=cast.carol, max_running=1, backward=True)
    assert batch_jobs(batch) == [
        (0, "forward", [track.pk]), (3, "both", [other.pk]), (6, "forward", [track.pk]), (8, "forward", [other.pk]),
    ]
    assert not JobTrack.objects.filter(job__batch=batch, active=True).exists()  # no lock before a job starts
    assert batch.jobs.filter(enqueued_at__isnull=False).count() == 1


def test_a_segment_stays_up_to_date_until_its_anchor_changes(cast, ready_video, track):
    anchor(track, 6)
    succeeded_run(track, 0, "forward", range(1, 6), cast.alice)
    assert spans(stale_segments(ready_video.tracks.all(), backward=False)) == [(6, 1, 7, 11)]
    anchor(track, 0)  # redrawn: what was propagated from it is out of date
    assert spans(stale_segments(ready_video.tracks.all(), backward=False)) == [(0, 1, 1, 5), (6, 1, 7, 11)]


def test_the_mask_a_run_fills_into_its_box_only_anchor_is_no_change(cast, ready_video, track):
    succeeded_run(track, 0, "forward", range(1, 12), cast.alice, fill_key=True)
    assert stale_segments(ready_video.tracks.all(), backward=False) == []
    anchor(track, 0)
    assert spans(stale_segments(ready_video.tracks.all(), backward=False)) == [(0, 1, 1, 11)]


def test_a_run_backward_from_the_next_anchor_also_fills_the_segment(cast, ready_video, track):
    anchor(track, 6)
    succeeded_run(track, 6, "both", [*range(1, 6), *range(7, 12)], cast.alice)
    assert stale_segments(ready_video.tracks.all(), backward=False) == []


def test_frames_left_by_a_deleted_anchor_make_their_segment_stale(cast, ready_video, track):
    anchor(track, 6)
    succeeded_run(track, 0, "forward", range(1, 6), cast.alice)
    succeeded_run(track, 6, "forward", range(7, 12), cast.alice)
    assert stale_segments(ready_video.tracks.all(), backward=False) == []
    track.refresh_from_db()
    delete_frames(track=track, version=track.version, first=6, last=6)
    assert spans(stale_segments(ready_video.tracks.all(), backward=False)) == [(0, 1, 1, 11)]


def test_batch_selection_takes_as_many_queries_for_ten_tracks_as_for_one(cast, ready_video, track):
    anchor(track, 6)
    with CaptureQueriesContext(connection) as one:
        start_batch(videos=[ready_video], by=cast.carol, max_running=1)
    for i in range(10):
        anchor(new_track(cast, ready_video, frame=i % 3), 6)
    with CaptureQueriesContext(connection) as ten:
        batch = start_batch(videos=[ready_video], by=cast.carol, max_running=1)  # the first batch's track is left out
    assert len(batch_jobs(batch)) == 4 and sum(len(t) for _, _, t in batch_jobs(batch)) == 20
    assert len(ten) == len(one)


def test_an_interactive_request_runs_while_the_tracks_batch_job_waits(clients, cast, ready_video, track):
    batch = start_batch(videos=[ready_video], by=cast.carol)
    assert batch.jobs.get().enqueued_at is not None  # sent, waiting for a worker
    response = clients.alice.post(f"/api/tracks/{track.pk}/propagate/", {"frame": 0}, format="json")
    assert response.status_code == 202, response.json()
    assert JobTrack.objects.get(track=track, active=True).job_id == response.json()["id"]


def test_a_starting_batch_job_leaves_out_busy_and_up_to_date_tracks(cast, ready_video, track):
    done, free = new_track(cast, ready_video), new_track(cast, ready_video)
    job = start_batch(videos=[ready_video], by=cast.carol).jobs.get()
    interactive = start_propagation(tracks=[track], start_frame=0, direction="forward", by=cast.alice)
    succeeded_run(done, 0, "forward", range(1, 12), cast.alice)
    with transaction.atomic():
        assert take_batch_locks(job=job) == 1
    assert list(JobTrack.objects.filter(job=job).values_list("track_id", "active")) == [(free.pk, True)]
    job.refresh_from_db()
    assert job.stop_reasons["1"][str(track.pk)]["reason"] == f"skipped: job {interactive.pk} was propagating " \
                                                            "the track when the batch job started"
    assert job.stop_reasons["1"][str(done.pk)]["reason"] == "skipped: up to date by the time the batch job started"


def test_a_track_runs_one_batch_job_at_a_time(cast, ready_video, track):
    anchor(track, 6)
    other = new_track(cast, ready_video)
    new_track(cast, ready_video, frame=3)  # a track of its own, boxed on frame 3
    batch = start_batch(videos=[ready_video], by=cast.carol, max_running=3)
    sent = sorted(batch.jobs.filter(enqueued_at__isnull=False).values_list("start_frame", flat=True))
    assert sent == [0, 3]  # the job from frame 6 waits: its track is in the job from frame 0
    assert batch_jobs(batch)[0] == (0, "forward", sorted([track.pk, other.pk]))


def test_cancelling_a_batch_job_before_it_starts_sends_the_next(clients, cast, ready_video, track,
                                                                 django_capture_on_commit_callbacks):
    new_track(cast, ready_video, frame=3)
    batch = start_batch(videos=[ready_video], by=cast.carol, max_running=1)
    first, second = batch.jobs.order_by("start_frame")
    assert first.enqueued_at is not None and second.enqueued_at is None
    with django_capture_on_commit_callbacks(execute=True):
        assert clients.alice.post(f"/api/jobs/{first.pk}/cancel/").json()["status"] == "cancelled"
    second.refresh_from_db()
    assert second.enqueued_at is not None


def test_a_failed_batch_job_sends_the_next(cast, ready_video, track, django_capture_on_commit_callbacks):
    new_track(cast, ready_video, frame=3)
    batch = start_batch(videos=[ready_video], by=cast.carol, max_running=1)
    first, second = batch.jobs.order_by("start_frame")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        finish_job(PropagationJob.objects.select_for_update().get(pk=first.pk), JobStatus.FAILED, "boom")
    second.refresh_from_db()
    assert second.enqueued_at is not None


def test_a_batch_needs_room_for_one_job(cast, ready_video, track):
    from annotator.services.errors import ServiceError

    with pytest.raises(ServiceError, match="max_running must be at least 1, not 0"):
        start_batch(videos=[ready_video], by=cast.carol, max_running=0)


def test_each_batch_job_runs_with_its_projects_default_model(cast, ready_video, track):
    from annotator.models import ModelCheckpoint

    server = ModelCheckpoint.objects.create(name="server", file="a.pth", sha256="a" * 64, variant="light",
                                            is_default=True)
    chosen = ModelCheckpoint.objects.create(name="fine-tuned here", file="b.pth", sha256="b" * 64, variant="light")
    batch = start_batch(videos=[ready_video], by=cast.carol)  # as the admin or the command starts it
    assert batch.jobs.get().checkpoint == server
    assert cancel_batch(batch=batch) == 1  # else the next batch leaves the track to this one
    cast.project.default_checkpoint = chosen
    cast.project.save(update_fields=["default_checkpoint"])
    batch = start_batch(videos=[ready_video], by=cast.carol)
    assert {j.checkpoint for j in batch.jobs.all()} == {chosen}
