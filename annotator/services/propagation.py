"""Starting, cancelling and reverting propagation jobs (the worker runs them)."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from annotator import queue
from annotator.choices import Direction, JobStatus, Precision, Source, TrackChange
from annotator.models import JobTrack, ModelCheckpoint, PropagationJob, Track
from annotator.selectors import active_job_for, default_checkpoint
from annotator.services import history
from annotator.services.cancellation import request_cancel
from annotator.services.errors import Conflict, ServiceError
from annotator.services.tracks import check_frame
from config.celery import PRIORITY_BATCH, PRIORITY_INTERACTIVE


def start_propagation(
    *, tracks: list[Track], start_frame: int, direction: str, by, enqueue: bool = True,
    precision: str | None = None, checkpoint: ModelCheckpoint | None = None, fusion: bool | None = None,
    wait_for_tracks: bool = False,
) -> PropagationJob:
    """Create a job for tracks of one video from an annotated keyframe, and queue it.

    `precision` is the tracker's (exact or fast); None takes settings.SIAMLABEL_DEFAULT_PRECISION.
    `checkpoint` overrides the weights; None takes the project's default model, else the server's.
    `fusion`: where a run ends before a manual frame, also run back from that frame and keep the
    better result per frame (docs/propagation.md); None takes settings.SIAMLABEL_DEFAULT_FUSION.

    Raises Conflict (409) naming the running job when one of the tracks already has one. A batch
    job that has not started yet holds no track (services/batches.py), so it never conflicts.
    `wait_for_tracks`: hold no track and send nothing yet; `start_waiting_jobs` sends the job once
    the job now holding its tracks ends.
    """
    if not tracks:
        raise ServiceError("no track to propagate")
    video = tracks[0].video
    if any(t.video_id != video.pk for t in tracks):
        raise ServiceError("tracks propagated together must belong to one video")
    if direction not in Direction.values:
        raise ServiceError(f"direction must be one of {', '.join(Direction.values)}")
    precision = precision or settings.SIAMLABEL_DEFAULT_PRECISION
    if precision not in Precision.values:
        raise ServiceError(f"precision must be one of {', '.join(Precision.values)}")
    check_frame(video, start_frame)
    for track in tracks:
        if not track.annotations.filter(frame_index=start_frame).exclude(source=Source.OUTSIDE).exists():
            raise ServiceError(f"track {track.pk} has no annotation on frame {start_frame} to start from "
                               "(an outside frame has none)")
    try:
        with transaction.atomic():
            job = PropagationJob.objects.create(
                video=video, start_frame=start_frame, direction=direction, precision=precision, created_by=by,
                fusion=settings.SIAMLABEL_DEFAULT_FUSION if fusion is None else fusion,
                checkpoint=checkpoint or default_checkpoint(video.project),
                enqueued_at=timezone.now() if enqueue and not wait_for_tracks else None,
            )
            JobTrack.objects.bulk_create([JobTrack(job=job, track=t, active=not wait_for_tracks) for t in tracks])
            if enqueue and not wait_for_tracks:
                queue.enqueue_propagation(job.pk, priority=PRIORITY_INTERACTIVE)
    except IntegrityError:
        running = next((j for j in (active_job_for(t) for t in tracks) if j), None)
        raise Conflict(
            f"track already has a running propagation job ({running.pk if running else 'unknown'})",
            job_id=running.pk if running else None,
        ) from None
    return job


def cancel_job(*, job: PropagationJob) -> PropagationJob:
    """Ask a job to stop; a queued job ends at once, a running one within a few frames."""
    return request_cancel(job, queued=JobStatus.QUEUED, end_queued=lambda j: finish_job(j, JobStatus.CANCELLED))


def finish_job(job: PropagationJob, status: str, error: str = "") -> None:
    """End a job and free its tracks for the next job (call inside a transaction).

    Once that commits, the job's batch sends its next jobs: however a batch job ends (done,
    failed, cancelled while queued or running), the batch goes on.
    """
    job.status, job.error, job.finished_at = status, error, timezone.now()
    job.save(update_fields=["status", "error", "finished_at", "cancel_requested"])
    JobTrack.objects.filter(job=job).update(active=False)
    transaction.on_commit(lambda: job_finished(job))


def requeue_orphaned_jobs(*, lease_seconds: int) -> list[int]:
    """Send again the running jobs whose worker died (no heartbeat within the lease); return their ids.

    Every gpu worker runs this periodically, so a job survives its worker being killed even when
    the broker would only re-deliver the message much later. A duplicate delivery is harmless:
    the task claims the job first, and the job resumes after its written chunks.
    """
    stale = timezone.now() - timezone.timedelta(seconds=lease_seconds)
    requeued = []
    with transaction.atomic():
        orphans = PropagationJob.objects.select_for_update(skip_locked=True).filter(
            status=JobStatus.RUNNING, heartbeat_at__lt=stale
        )
        for job in orphans:
            requeue_job(job)
            requeued.append(job.pk)
    return requeued


def requeue_job(job: PropagationJob) -> None:
    """Send a running job back to the queue to resume (inside a transaction holding its row)."""
    job.status, job.heartbeat_at, job.enqueued_at = JobStatus.QUEUED, None, timezone.now()
    job.save(update_fields=["status", "heartbeat_at", "enqueued_at"])
    queue.enqueue_propagation(job.pk, priority=PRIORITY_BATCH if job.batch_id else PRIORITY_INTERACTIVE)


def job_finished(job: PropagationJob) -> None:
    """After a job ends: let its batch start the next of its queued jobs, and send the jobs waiting for its tracks."""
    if job.batch_id:
        from annotator.services.batches import advance_batch

        advance_batch(batch=job.batch)
    start_waiting_jobs(track_ids=list(JobTrack.objects.filter(job=job).values_list("track_id", flat=True)))


def waiting_jobs(track_ids=None) -> QuerySet[PropagationJob]:
    """Return the interactive jobs queued with `wait_for_tracks` (on any of these tracks) and not sent yet."""
    jobs = PropagationJob.objects.filter(status=JobStatus.QUEUED, batch__isnull=True, enqueued_at__isnull=True,
                                         job_tracks__active=False)
    return (jobs if track_ids is None else jobs.filter(job_tracks__track_id__in=track_ids)).distinct()


def start_waiting_jobs(*, track_ids=None) -> list[int]:
    """Send the waiting jobs (on these tracks; None: all) whose tracks are all free now, oldest first; return their ids.

    A job whose track another job took meanwhile keeps waiting: that job's end sends it. Workers
    also call this with None every heartbeat, for a job whose holder ended without sending it
    (the process died between its commit and the on-commit hook).
    """
    started = []
    for job_id in waiting_jobs(track_ids).order_by("pk").values_list("pk", flat=True):
        try:
            with transaction.atomic():
                job = PropagationJob.objects.select_for_update().filter(
                    pk=job_id, status=JobStatus.QUEUED, enqueued_at__isnull=True).first()
                if job is None:  # cancelled, or sent by another finishing job
                    continue
                if JobTrack.objects.filter(active=True, track__in=job.tracks.all()).exists():
                    continue
                JobTrack.objects.filter(job=job).update(active=True)  # one_active_job_per_track refuses a busy track
                job.enqueued_at = timezone.now()
                job.save(update_fields=["enqueued_at"])
                queue.enqueue_propagation(job.pk, priority=PRIORITY_INTERACTIVE)
            started.append(job.pk)
        except IntegrityError:
            continue
    return started


@transaction.atomic
def revert_job(*, job: PropagationJob, by=None) -> int:
    """Remove the frames a finished job wrote that nobody edited since; return how many.

    Tracks that lose frames and were in review or accepted become drafts again.
    """
    if job.is_active:
        raise Conflict("cancel the job before reverting it", job_id=job.pk)
    written = job.annotations.filter(source=Source.PROPAGATED)
    track_ids = set(written.values_list("track_id", flat=True))
    history.reopen_tracks(track_ids, TrackChange.REVERTED, job=job, by=by, detail=f"job {job.pk} reverted")
    deleted, _ = written.delete()
    return deleted
