"""Admin-triggered batch propagation: every stale segment of many videos, below interactive jobs.

    batch = start_batch(videos=project.videos.all(), by=user, backward=True)   # one job per start
    take_batch_locks(job=job)     # the worker, as it claims a batch job

A batch never blocks an annotator: its jobs take their tracks' locks (`JobTrack.active`) only
when a worker starts them, so an interactive request on a track whose batch job is still waiting
runs at once; the batch job then leaves that track out (docs/propagation.md, "Batch propagation").
"""

from collections import defaultdict

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from annotator import queue
from annotator.choices import ACTIVE_JOB_STATUSES, STEPS, VideoStatus
from annotator.models import BatchPropagation, JobTrack, PropagationJob, Track, Video
from annotator.segments import stale_segments
from annotator.selectors import default_checkpoint
from annotator.services.errors import ServiceError
from config.celery import PRIORITY_BATCH

SKIPPED_BUSY = "skipped: job {job} was propagating the track when the batch job started"
SKIPPED_UP_TO_DATE = "skipped: up to date by the time the batch job started"


def plan_batch_jobs(videos, *, backward: bool) -> dict[tuple[int, int, str], list[int]]:
    """Group the stale segments of the videos' tracks into jobs: (video, start frame, direction) -> tracks.

    A track's forward and backward segments from the same anchor share a `both` job. Tracks that
    an unfinished batch already holds are left to that batch.
    """
    in_batch = JobTrack.objects.filter(track=OuterRef("pk"), job__batch__isnull=False,
                                       job__status__in=ACTIVE_JOB_STATUSES)
    tracks = Track.objects.filter(video__in=videos, video__status=VideoStatus.READY).exclude(Exists(in_batch))
    steps: dict[tuple[int, int, int], set[int]] = defaultdict(set)  # (video, track, anchor) -> steps
    for segment in stale_segments(tracks, backward=backward):
        steps[(segment.video_id, segment.track_id, segment.anchor)].add(segment.step)
    by_steps = {frozenset(v): k for k, v in STEPS.items()}
    jobs: dict[tuple[int, int, str], list[int]] = defaultdict(list)
    for (video_id, track_id, anchor), track_steps in steps.items():
        jobs[(video_id, anchor, by_steps[frozenset(track_steps)])].append(track_id)
    return dict(sorted(jobs.items()))


def start_batch(*, videos, by, max_running: int = 2, backward: bool = False, project=None) -> BatchPropagation:
    """Create a job per (video, start frame, direction) of stale segments and send the first few.

    `backward` also fills each track's frames before its first anchor. `project` labels the batch;
    each job runs with its own video's project default model, as an annotator's job there would.
    """
    if max_running < 1:
        raise ServiceError(f"max_running must be at least 1, not {max_running}")
    plan = plan_batch_jobs(videos, backward=backward)
    video_ids = {video_id for video_id, _, _ in plan}
    checkpoint_of = {v.pk: default_checkpoint(v.project)
                     for v in Video.objects.filter(pk__in=video_ids).select_related("project__default_checkpoint")}
    with transaction.atomic():
        batch = BatchPropagation.objects.create(project=project, created_by=by, max_running=max_running)
        jobs = PropagationJob.objects.bulk_create([
            PropagationJob(video_id=video_id, start_frame=start, direction=direction, created_by=by, batch=batch,
                           precision=settings.SIAMLABEL_DEFAULT_PRECISION,
                           checkpoint=checkpoint_of[video_id])
            for video_id, start, direction in plan
        ])
        JobTrack.objects.bulk_create([
            JobTrack(job=job, track_id=track_id, active=False)  # locks taken when the job starts
            for job, track_ids in zip(jobs, plan.values()) for track_id in track_ids
        ])
    advance_batch(batch=batch)
    return batch


def start_summary(batch: BatchPropagation, videos) -> str:
    """Say in words what a batch started from `videos` holds, and which videos it left out and why."""
    videos = list(videos)
    with_jobs = set(batch.jobs.values_list("video_id", flat=True))
    not_ready = [f"{v.name} ({v.status})" for v in videos if v.status != VideoStatus.READY]
    nothing_stale = [v.name for v in videos if v.status == VideoStatus.READY and v.pk not in with_jobs]
    parts = [f"Batch {batch.pk}: {len(with_jobs)} video(s), {batch.jobs.count()} propagation job(s) queued."]
    if not_ready:
        parts.append(f"Not ready, left out: {', '.join(not_ready)}.")
    if nothing_stale:
        parts.append(f"Nothing to propagate (no stale segment, or another batch holds its tracks): "
                     f"{', '.join(nothing_stale)}.")
    return " ".join(parts)


def cancel_batch(*, batch: BatchPropagation) -> int:
    """Cancel every unfinished job of a batch; return how many were ended or asked to stop.

    One transaction: the jobs not sent yet end first, so the batch, which sends its next job
    whenever one ends, has nothing left to send when the commit lets it look.
    """
    from annotator.services.propagation import cancel_job

    with transaction.atomic():
        jobs = list(batch.jobs.filter(status__in=ACTIVE_JOB_STATUSES).order_by(F("enqueued_at").asc(nulls_first=True)))
        for job in jobs:
            cancel_job(job=job)
    return len(jobs)


def advance_batch(*, batch: BatchPropagation) -> int:
    """Send the batch's next jobs so that at most `max_running` are in flight; return how many.

    A job waits while another in-flight job of the batch has one of its tracks (a track with
    several anchors has several jobs; one track runs one job at a time).
    """
    with transaction.atomic():
        batch = BatchPropagation.objects.select_for_update().get(pk=batch.pk)
        links = JobTrack.objects.filter(job__batch=batch, job__status__in=ACTIVE_JOB_STATUSES).order_by("job_id")
        in_flight, busy, waiting = set(), set(), defaultdict(set)
        for job_id, track_id, sent in links.values_list("job_id", "track_id", "job__enqueued_at"):
            if sent:
                in_flight.add(job_id)
                busy.add(track_id)
            else:
                waiting[job_id].add(track_id)
        to_send = []
        for job_id, track_ids in waiting.items():
            if len(in_flight) + len(to_send) >= batch.max_running:
                break
            if not track_ids & busy:
                busy |= track_ids
                to_send.append(job_id)
        PropagationJob.objects.filter(pk__in=to_send).update(enqueued_at=timezone.now())
        for job_id in to_send:
            queue.enqueue_propagation(job_id, priority=PRIORITY_BATCH)
    return len(to_send)


def take_batch_locks(*, job: PropagationJob) -> int:
    """Lock a starting batch job's tracks; leave out (and say why) those busy or up to date. Return how many stay.

    Call inside the transaction that claims the job. A job claimed before keeps its locks.
    """
    waiting = list(JobTrack.objects.filter(job=job, active=False).values_list("track_id", flat=True))
    kept = JobTrack.objects.filter(job=job, active=True).count()
    if not waiting:
        return kept
    stale = {(s.track_id, s.step) for s in stale_segments(Track.objects.filter(pk__in=waiting), backward=True)
             if s.anchor == job.start_frame}
    skipped = {}
    for track_id in waiting:
        if not any((track_id, step) in stale for step in STEPS[job.direction]):
            skipped[track_id] = SKIPPED_UP_TO_DATE
            continue
        try:
            with transaction.atomic():  # the partial unique index refuses a track another job holds
                JobTrack.objects.filter(job=job, track_id=track_id).update(active=True)
            kept += 1
        except IntegrityError:
            holder = JobTrack.objects.filter(track_id=track_id, active=True).values_list("job_id", flat=True).first()
            skipped[track_id] = SKIPPED_BUSY.format(job=holder)
    if skipped:
        JobTrack.objects.filter(job=job, track_id__in=skipped).delete()
        for step in STEPS[job.direction]:
            job.stop_reasons.setdefault(str(step), {}).update(
                {str(t): {"reason": reason, "frame": job.start_frame} for t, reason in skipped.items()}
            )
        job.save(update_fields=["stop_reasons"])
    return kept


def stop_counts(stop_reasons: dict) -> dict[str, int]:
    """Count a job's track stops by reason ({"target lost": 1, ...}) from its `stop_reasons`."""
    counts: dict[str, int] = defaultdict(int)
    for by_track in stop_reasons.values():
        for stop in by_track.values():
            counts[stop.get("reason", "?")] += 1
    return dict(counts)


def batch_progress(batch: BatchPropagation) -> dict:
    """Frames done of the batch's jobs, jobs by status, and track stops by reason (why a finished
    batch can be under 100%: a lost target ends a run early)."""
    jobs = list(batch.jobs.values("status", "frames_done", "frames_total", "stop_reasons"))
    done = sum(j["frames_done"] for j in jobs)
    total = sum(j["frames_total"] for j in jobs)
    by_status: dict[str, int] = {}
    stops: dict[str, int] = defaultdict(int)
    for j in jobs:
        by_status[j["status"]] = by_status.get(j["status"], 0) + 1
        for reason, n in stop_counts(j["stop_reasons"] or {}).items():
            stops[reason] += n
    return {"jobs": len(jobs), "by_status": by_status, "stops": dict(stops), "frames_done": done, "frames_total": total,
            "progress": done / total if total else (1.0 if jobs and not by_status.get("queued") else 0.0)}
