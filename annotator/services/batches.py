"""Admin-triggered batch propagation: many videos, bounded concurrency, below interactive jobs."""

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from annotator import queue
from annotator.choices import ACTIVE_JOB_STATUSES, MANUAL_SOURCES, Source
from annotator.models import BatchPropagation, JobTrack, PropagationJob, Track
from annotator.services.propagation import start_propagation
from tracking_worker.celery_app import PRIORITY_BATCH


def tracks_needing_propagation(videos) -> list[tuple[Track, int]]:
    """Tracks with a manual keyframe and no propagated frame newer than their last manual edit.

    Returns (track, keyframe) pairs; the keyframe is the track's first manual frame.
    """
    running = JobTrack.objects.filter(track=OuterRef("pk"), active=True)
    pairs = []
    tracks = Track.objects.filter(video__in=videos, video__status="ready").exclude(Exists(running)).order_by("pk")
    for track in tracks:
        manual = track.annotations.filter(source__in=MANUAL_SOURCES).order_by("frame_index")
        first = manual.first()
        if first is None:
            continue
        last_edit = manual.order_by("-updated_at").values_list("updated_at", flat=True).first()
        up_to_date = track.annotations.filter(source=Source.PROPAGATED, updated_at__gte=last_edit).exists()
        if not up_to_date:
            pairs.append((track, first.frame_index))
    return pairs


def start_batch(*, videos, by, max_running: int = 2, project=None) -> BatchPropagation:
    """Create one job per track that needs propagation (both directions from its first anchor)."""
    with transaction.atomic():
        batch = BatchPropagation.objects.create(project=project, created_by=by, max_running=max_running)
        for track, keyframe in tracks_needing_propagation(videos):
            start_propagation(tracks=[track], start_frame=keyframe, direction="both", by=by, batch=batch, enqueue=False)
    advance_batch(batch=batch)
    return batch


def advance_batch(*, batch: BatchPropagation) -> int:
    """Send the batch's next jobs so that at most `max_running` are in flight; return how many."""
    with transaction.atomic():
        batch = BatchPropagation.objects.select_for_update().get(pk=batch.pk)
        jobs = PropagationJob.objects.filter(batch=batch, status__in=ACTIVE_JOB_STATUSES)
        in_flight = jobs.filter(enqueued_at__isnull=False).count()
        waiting = jobs.filter(enqueued_at__isnull=True).order_by("pk")[: max(batch.max_running - in_flight, 0)]
        sent = 0
        for job in waiting:
            PropagationJob.objects.filter(pk=job.pk).update(enqueued_at=timezone.now())
            queue.enqueue_propagation(job.pk, priority=PRIORITY_BATCH)
            sent += 1
    return sent


def batch_progress(batch: BatchPropagation) -> dict:
    jobs = list(batch.jobs.values("status", "frames_done", "frames_total"))
    done = sum(j["frames_done"] for j in jobs)
    total = sum(j["frames_total"] for j in jobs)
    by_status: dict[str, int] = {}
    for j in jobs:
        by_status[j["status"]] = by_status.get(j["status"], 0) + 1
    return {"jobs": len(jobs), "by_status": by_status, "frames_done": done, "frames_total": total,
            "progress": done / total if total else (1.0 if jobs and not by_status.get("queued") else 0.0)}
