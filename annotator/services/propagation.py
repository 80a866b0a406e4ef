"""Starting, cancelling and reverting propagation jobs (the worker runs them)."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from annotator import queue
from annotator.choices import ACTIVE_JOB_STATUSES, Direction, JobStatus, Precision, Source, TrackChange
from annotator.models import JobTrack, ModelCheckpoint, PropagationJob, Track
from annotator.selectors import active_job_for, default_checkpoint
from annotator.services import history
from annotator.services.errors import Conflict, ServiceError
from annotator.services.tracks import check_frame
from config.celery import PRIORITY_BATCH, PRIORITY_INTERACTIVE


def start_propagation(
    *, tracks: list[Track], start_frame: int, direction: str, by, enqueue: bool = True,
    precision: str | None = None, checkpoint: ModelCheckpoint | None = None, fusion: bool | None = None,
) -> PropagationJob:
    """Create a job for tracks of one video from an annotated keyframe, and queue it.

    `precision` is the tracker's (exact or fast); None takes settings.SIAMLABEL_DEFAULT_PRECISION.
    `checkpoint` overrides the weights; None takes the project's default model, else the server's.
    `fusion`: where a run ends before a manual frame, also run back from that frame and keep the
    better result per frame (docs/propagation.md); None takes settings.SIAMLABEL_DEFAULT_FUSION.

    Raises Conflict (409) naming the running job when one of the tracks already has one. A batch
    job that has not started yet holds no track (services/batches.py), so it never conflicts.
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
                checkpoint=checkpoint or default_checkpoint(video.project), enqueued_at=timezone.now() if enqueue else None,
            )
            JobTrack.objects.bulk_create([JobTrack(job=job, track=t) for t in tracks])
            if enqueue:
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
    with transaction.atomic():
        job = PropagationJob.objects.select_for_update().get(pk=job.pk)
        if job.status not in ACTIVE_JOB_STATUSES:
            return job
        job.cancel_requested = True
        if job.status == JobStatus.QUEUED:
            finish_job(job, JobStatus.CANCELLED)
        else:
            job.save(update_fields=["cancel_requested"])
    return job


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
    """After a job ends: let its batch start the next of its queued jobs."""
    if job.batch_id:
        from annotator.services.batches import advance_batch

        advance_batch(batch=job.batch)


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
