"""Drive the tracker over a job's frames: batched tracks, lost-target stops, chunked writes."""

import copy
import dataclasses
import logging
import time
from contextlib import contextmanager
from datetime import timedelta

import numpy as np

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from django.utils import timezone

from annotator import media_store
from annotator.choices import JobStatus
from annotator.models import FrameAnnotation, PropagationJob
from annotator.services.attempts import gave_up_reason, out_of_attempts
from annotator.services.batches import take_batch_locks
from annotator.services.propagation import finish_job, requeue_job
from tracking_worker.frame_reader import prefetch_frames, read_frame
from tracking_worker.leases import renewing
from tracking_worker.propagation import fusion
from tracking_worker.propagation.background import BackgroundWrites
from tracking_worker.propagation.plan import DirectionPlan, TrackRun, plan_job
from tracking_worker.propagation.writer import FlushResult, FrameRecord, fill_keyframe_mask, flush, remove_stale_frames

log = logging.getLogger(__name__)
CANCEL_POLL_SECONDS = 0.5
# The database restarting or a dropped connection: the job is handed back, not failed.
DATABASE_AWAY = (OperationalError, InterfaceError)
RELEASE_ATTEMPTS = 30
# Lost target for models with a quality head (ours, not official): a frame is low when its
# quality is under this. The mask itself is judged, so it replaces the score rule for them;
# models without the head keep TrackerConfig.lost_score_threshold. See docs/propagation.md.
LOST_QUALITY_THRESHOLD = 0.3
RUNS = {1: "forward", -1: "backward"}  # FrameAnnotation.run of a frame tracked in that direction


class JobCancelled(Exception):
    pass


class JobBusy(Exception):
    """Another live worker runs this job (a duplicate delivery); try again later."""


def run_job(job_id: int, model_provider) -> None:
    """Run (or resume) a propagation job. `model_provider(job)` returns (model, TrackerConfig).

    Losing the database mid-job does not fail the job: it goes back to the queue (through the
    outbox, so a broker outage at the same time loses nothing either) and resumes after its
    written chunks once the database is back.
    """
    try:
        _run(job_id, model_provider)
    except DATABASE_AWAY as exc:
        log.warning("job %s lost the database (%s); handing it back to resume", job_id, exc)
        _release(job_id)


def _run(job_id: int, model_provider) -> None:
    job = _claim(job_id)
    if job is None:
        return
    try:
        with _lease_renewal(job.pk):
            model, config = model_provider(job)
            quality_threshold = lost_quality_threshold()
            PropagationJob.objects.filter(pk=job.pk).update(
                tracker_config=_jsonable(config) | {"lost_quality_threshold": quality_threshold}
            )
            _Propagation(job, model, config, lost_quality_threshold=quality_threshold).run()
    except JobCancelled:
        _end(job, JobStatus.CANCELLED)
    except DATABASE_AWAY:
        raise
    except Exception as exc:
        log.exception("propagation job %s failed", job_id)
        _end(job, JobStatus.FAILED, readable_error(exc))
    else:
        _end(job, JobStatus.SUCCEEDED)


@contextmanager
def _lease_renewal(job_id: int):
    """Renew the job's heartbeat from a side thread while it runs, however slow each frame is."""
    def renew():
        PropagationJob.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(heartbeat_at=timezone.now())

    with renewing(renew, what=f"job {job_id}"):
        yield


def _release(job_id: int) -> None:
    """Put a running job back to `queued` and send it again, once the database answers.

    If it stays away longer, the job keeps its stale lease and any gpu worker re-queues it later.
    """
    for _ in range(RELEASE_ATTEMPTS):
        connection.close()
        try:
            with transaction.atomic():
                job = PropagationJob.objects.select_for_update().filter(pk=job_id, status=JobStatus.RUNNING).first()
                if job is not None:
                    requeue_job(job)
            return
        except DATABASE_AWAY:
            time.sleep(1)
    log.error("job %s: the database stayed away; the job will be re-queued when its lease runs out", job_id)


def readable_error(exc: Exception) -> str:
    name = type(exc).__name__
    if "OutOfMemory" in name:
        return "out of GPU memory: try fewer tracks at once, or a worker with more GPU memory"
    return str(exc) or name


def _claim(job_id: int) -> PropagationJob | None:
    with transaction.atomic():
        job = PropagationJob.objects.select_for_update().select_related("video").filter(pk=job_id).first()
        if job is None or not job.is_active:
            return None  # deleted, finished or cancelled meanwhile: nothing to do (idempotent)
        if job.cancel_requested:
            finish_job(job, JobStatus.CANCELLED)
            return None
        now = timezone.now()
        lease = timedelta(seconds=settings.SIAMLABEL_JOB_LEASE_SECONDS)
        if job.status == JobStatus.RUNNING and job.heartbeat_at and now - job.heartbeat_at < lease:
            raise JobBusy(f"job {job_id} is running on another worker")
        if out_of_attempts(job.attempts):  # delivered again and again: its workers keep dying on it
            finish_job(job, JobStatus.FAILED, gave_up_reason(job.attempts))
            return None
        if job.batch_id and not take_batch_locks(job=job):
            finish_job(job, JobStatus.SUCCEEDED)  # all its tracks were busy or up to date (stop_reasons)
            return None
        job.status, job.heartbeat_at, job.attempts = JobStatus.RUNNING, now, job.attempts + 1
        job.started_at = job.started_at or now
        job.save(update_fields=["status", "heartbeat_at", "attempts", "started_at"])
    return job


def _end(job: PropagationJob, status: str, error: str = "") -> None:
    # frames_done stays as tracked: a job that stopped early ends under 100% (docs/propagation.md)
    with transaction.atomic():
        job = PropagationJob.objects.select_for_update().get(pk=job.pk)
        finish_job(job, status, error)  # and, once committed, its batch goes on


def lost_quality_threshold() -> float:
    """Return SIAMLABEL_LOST_QUALITY_THRESHOLD when set, else LOST_QUALITY_THRESHOLD."""
    value = settings.SIAMLABEL_LOST_QUALITY_THRESHOLD
    return LOST_QUALITY_THRESHOLD if value is None else value


def lost_measure(record: FrameRecord, *, score_threshold: float, quality_threshold: float) -> tuple[str, float, float]:
    """Return what judges a frame as (measure, value, threshold); the frame is low when value < threshold.

    An empty mask is judged by its area (0 < 1 pixel); otherwise confidence: the quality
    when the model has a quality head, else the tracker score.
    """
    if record.area == 0:
        return "area", 0.0, 1.0
    if record.quality is not None:
        return "quality", record.quality, quality_threshold
    return "score", record.score, score_threshold


def is_low(record: FrameRecord, *, score_threshold: float, quality_threshold: float) -> bool:
    """Return whether a frame counts towards losing the target: an empty mask, or low confidence."""
    _, value, threshold = lost_measure(record, score_threshold=score_threshold, quality_threshold=quality_threshold)
    return value < threshold


def lost_stop(first_low: FrameRecord, *, score_threshold: float, quality_threshold: float) -> dict:
    """Return the `stop_reasons` entry of a lost target: where to re-anchor, and what was low there."""
    measure, value, threshold = lost_measure(first_low, score_threshold=score_threshold,
                                             quality_threshold=quality_threshold)
    return {"reason": "target lost", "frame": first_low.frame_index, "measure": measure, "value": value,
            "threshold": threshold, "score": first_low.score, "quality": first_low.quality}


def edit_stop(frame: int) -> dict:
    """The `stop_reasons` entry of a run that met a manual frame made while the job ran."""
    return {"reason": "manual frame made during the job", "frame": frame, "edited_at": frame}


def _jsonable(config) -> dict:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(config).items()}


class _Propagation:
    def __init__(self, job: PropagationJob, model, config, *, lost_quality_threshold: float):
        from tracking_worker.siammask import MultiTracker

        self.job, self.video, self.config = job, job.video, config
        self.read_bytes = media_store.get().read_bytes  # local files, or a bucket's objects
        self.lost_quality_threshold = lost_quality_threshold
        self.tracker = MultiTracker(model, config)
        self.chunk = settings.SIAMLABEL_CHUNK_FRAMES
        self.plans = plan_job(job)
        self.partners = {p.step: fusion.plan_partners(job, p) if job.fusion else [] for p in self.plans}
        if job.fusion and not any(self.partners.values()):
            # no run ends before a manual frame with a box: a single run, and clients follow it as one
            PropagationJob.objects.filter(pk=job.pk).update(fusion=False)
        self.steps_total = sum(p.steps for p in self.plans) + sum(map(fusion.partner_steps, self.partners.values()))
        self.steps_done = sum(p.steps_done for p in self.plans)
        self.steps_at_start = self.steps_done
        self.started = time.monotonic()
        self.last_cancel_check = self.started
        # writer thread only: (track, step) -> manual frame that run ends before; per direction, since a
        # `both` job's backward run is not stopped by a frame its forward run met
        self.ended: dict[tuple[int, int], int] = {}
        PropagationJob.objects.filter(pk=job.pk).update(frames_total=self.steps_total, frames_done=self.steps_done)

    def run(self) -> None:
        key_frame = read_frame(self.video.frame_key(self.job.start_frame), self.read_bytes)
        self._fill_keyframe_masks(key_frame)
        self.writes = BackgroundWrites()
        try:
            for plan in self.plans:
                self._run_direction(plan, key_frame)
        finally:
            self.writes.close()

    def _fill_keyframe_masks(self, key_frame) -> None:
        """Give a box-only keyframe the tracker's mask on that frame (its box stays as drawn)."""
        keys = FrameAnnotation.objects.filter(
            track__in=self.job.tracks.all(), frame_index=self.job.start_frame, mask_rle__isnull=True,
            bbox__isnull=False,  # an outside keyframe has nothing to fill
        )
        boxes = dict(keys.values_list("track_id", "bbox"))
        if not boxes:
            return
        for track_id, box in boxes.items():
            self.tracker.add(track_id, key_frame, box)
        results = self.tracker.track(key_frame)
        self.tracker.clear()
        for track_id, result in results.items():
            fill_keyframe_mask(self.job, self._record(track_id, self.job.start_frame, result))

    def _run_direction(self, plan: DirectionPlan, key_frame) -> None:
        runs = {r.track_id: r for r in plan.runs if not r.finished and r.remaining}
        if not runs:
            return
        step = plan.step
        backs = self._track_partners(step)  # {track: {frame: record}} of the runs back from the far anchors
        frames = sorted(set().union(*(r.remaining for r in runs.values())), key=lambda f: f * step)
        joining: dict[int, list[TrackRun]] = {}
        for run in runs.values():
            joining.setdefault(run.remaining[0], []).append(run)
        last_frame = {t: r.frames[-1] for t, r in runs.items()}
        held: dict[int, list[FrameRecord]] = {t: [] for t in runs}  # low frames not yet judged
        ready: list[FrameRecord] = []
        stops: dict[str, dict] = {}
        chunk_steps = 0
        self.tracker.clear()
        for frame_index, frame in prefetch_frames([(f, self.video.frame_key(f)) for f in frames],
                                                  read_bytes=self.read_bytes):
            for run in joining.get(frame_index, []):
                self.tracker.add(run.track_id, key_frame, run.key_box)
                if run.resume_box is not None:
                    self.tracker.restore(run.track_id, run.resume_box)
            for track_id, result in self.tracker.track(frame).items():
                own = self._record(track_id, frame_index, result, step)
                back = backs.get(track_id, {})
                record = fusion.better(own, back.get(frame_index))
                if self._is_low(own):  # this run's own frame steers its tracker, whichever is kept
                    held[track_id].append(record)
                    if len(held[track_id]) >= self.config.lost_patience:
                        # the run back from the far anchor fills what this one lost; a stop only where it cannot
                        rest = [f for f in runs[track_id].remaining if (f - held[track_id][0].frame_index) * step >= 0]
                        ready.extend(back[f] for f in rest if f in back)
                        if not fusion.covers(back, rest):
                            stops[str(track_id)] = lost_stop(held[track_id][0], **self._thresholds)
                        held[track_id] = []
                        self.tracker.remove(track_id)
                        continue
                else:
                    ready.extend(held[track_id])
                    held[track_id] = []
                    ready.append(record)
                if frame_index == last_frame[track_id]:
                    ready.extend(held[track_id])
                    held[track_id] = []
                    self.tracker.remove(track_id)
            self.steps_done += 1
            chunk_steps += 1
            if chunk_steps >= self.chunk or len(self.tracker) == 0:
                self._flush(ready, step, stops)
                ready, chunk_steps = [], 0
                if len(self.tracker) == 0 and not any(r.track_id not in stops for r in _later(joining, frame_index, step)):
                    break
            else:
                self._check_cancel()
        for track_id in held:
            ready.extend(held[track_id])
        self._flush(ready, step, stops)
        for result in self.writes.drain():
            self._apply(result, stops)
        for run in runs.values():
            end = stops.get(str(run.track_id), {}).get("edited_at")
            frames_in_range = [f for f in run.frames if end is None or (f - end) * step < 0]
            remove_stale_frames(self.job, run.track_id, frames_in_range)

    def _track_partners(self, step: int) -> dict[int, dict[int, FrameRecord]]:
        """Run back from the far anchors of this direction's runs (fusion.py); nothing is written yet."""
        if not self.partners.get(step):
            return {}
        return fusion.track_partners(
            self.partners[step], tracker=self.tracker, make_record=self._record, is_low=self._is_low,
            read_frame_at=lambda f: read_frame(self.video.frame_key(f), self.read_bytes),
            frames_at=lambda frames: prefetch_frames([(f, self.video.frame_key(f)) for f in frames],
                                                     read_bytes=self.read_bytes),
            patience=self.config.lost_patience, on_step=self._partner_step,
        )

    def _partner_step(self) -> None:
        """Count a partner frame; report progress every chunk (no writer runs meanwhile) and heed a cancel."""
        self.steps_done += 1
        if self.steps_done % self.chunk == 0:
            PropagationJob.objects.filter(pk=self.job.pk).update(
                frames_done=min(self.steps_done, self.steps_total), fps=self._fps(), heartbeat_at=timezone.now())
        self._check_cancel()

    def _fps(self) -> float:
        return (self.steps_done - self.steps_at_start) / max(time.monotonic() - self.started, 1e-6)

    def _flush(self, records: list[FrameRecord], step: int, stops: dict) -> None:
        """Hand a chunk to the writer thread; apply what finished writes found (tracking thread)."""
        frames_done = min(self.steps_done, self.steps_total)
        for result in self.writes.submit(self._write, records, step, copy.deepcopy(stops), frames_done, self._fps()):
            self._apply(result, stops)

    def _write(self, records: list[FrameRecord], step: int, stops: dict, frames_done: int, fps: float) -> FlushResult:
        """Write one chunk and the stops known so far (writer thread; see background.py)."""
        # a run that met a manual frame in an earlier chunk writes nothing past it
        records = [r for r in records if (r.track_id, step) not in self.ended
                   or (r.frame_index - self.ended[r.track_id, step]) * step < 0]
        result = flush(self.job, records, step=step, frames_done=frames_done, fps=fps)
        self.ended.update({(track_id, step): frame for track_id, frame in result.ended_at.items()})
        for track_id, frame in result.ended_at.items():
            stops[str(track_id)] = edit_stop(frame)
        if stops:
            with transaction.atomic():
                job = PropagationJob.objects.select_for_update().get(pk=self.job.pk)
                job.stop_reasons.setdefault(str(step), {}).update(stops)
                job.save(update_fields=["stop_reasons"])
        return result

    def _apply(self, result: FlushResult, stops: dict) -> None:
        """Stop the runs that met a manual frame; end the job when it was cancelled."""
        for track_id, frame in result.ended_at.items():
            stops[str(track_id)] = edit_stop(frame)
            if track_id in self.tracker:
                self.tracker.remove(track_id)
        if result.cancel_requested:
            raise JobCancelled()

    def _check_cancel(self) -> None:
        now = time.monotonic()
        if now - self.last_cancel_check < CANCEL_POLL_SECONDS:
            return
        self.last_cancel_check = now
        if PropagationJob.objects.filter(pk=self.job.pk, cancel_requested=True).exists():
            raise JobCancelled()

    def _is_low(self, record: FrameRecord) -> bool:
        return is_low(record, **self._thresholds)

    @property
    def _thresholds(self) -> dict:
        return {"score_threshold": self.config.lost_score_threshold, "quality_threshold": self.lost_quality_threshold}

    @staticmethod
    def _record(track_id: int, frame_index: int, result, step: int = 0) -> FrameRecord:
        # the mask is encoded on the writer thread (FrameRecord.encode), from the object's window
        # when the tracker gives it: a 1080p frame mask is 2 Mpx to scan (docs/benchmarks.md)
        if result.window is not None:
            x0, y0, window = result.window
            mask, framed, area = None, (x0, y0, window, result.mask.shape), int(np.count_nonzero(window))
        else:
            mask, framed, area = result.mask, None, int(result.mask.sum())
        return FrameRecord(
            track_id=track_id, frame_index=frame_index, score=float(result.score),
            bbox=[float(v) for v in result.bbox], rotated_box=[[float(x), float(y)] for x, y in result.rotated_box],
            mask_rle=None, mask=mask, window=framed, area=area,
            quality=None if result.quality is None else float(result.quality), run=RUNS.get(step, ""),
        )


def _later(joining: dict[int, list[TrackRun]], frame_index: int, step: int) -> list[TrackRun]:
    return [r for f, runs in joining.items() if (f - frame_index) * step > 0 for r in runs]
