"""Fine-tuning a project's model on its accepted tracks: start, cancel, slices, result, switch back.

    run = start_finetune(project=p, by=manager)            # 409 while one runs, 400 with the reason
    cancel_finetune(run=run)
    set_project_model(project=p, checkpoint=run.parent_checkpoint)   # switch back in one call

The worker side (tracking_worker/finetune_job.py) trains in bounded slices, one task message per
slice on the `gpu` queue at batch priority, so interactive propagation waiting on that queue runs
between two slices. It calls claim_slice / record_step / end_slice here, and finish_finetune
with the evaluation and the decision once training is complete. Every message names its slice:
a duplicate of an earlier slice is dropped, a redelivered current slice resumes from the run's
saved state and counts as another attempt (services/attempts.py). That state is kept in the media
store (services/finetune_state.py), so the next slice may run on a gpu worker of any host.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from annotator import queue
from annotator.choices import TrackChange
from annotator.models import FineTuneRun, ModelCheckpoint, Project, TrackEvent
from annotator.models.finetune import ACTIVE_FINETUNE_STATUSES, FineTuneStatus
from annotator.selectors import default_checkpoint
from annotator.services.attempts import gave_up_reason, out_of_attempts
from annotator.services.cancellation import request_cancel
from annotator.services.checkpoints import register_checkpoint, set_project_checkpoint
from annotator.services.errors import Conflict, ServiceError
from annotator.services.finetune_data import split_videos
from annotator.services.finetune_state import delete_states
from config.celery import PRIORITY_BATCH

log = logging.getLogger(__name__)

# Variants the training code can fine-tune (tracking_worker.training.finetune.TRAINABLE_VARIANTS;
# the web side never imports the worker's code, a test checks both lists agree).
TRAINABLE_VARIANTS = ("mobile", "light")


class FineTuneBusy(Exception):
    """Another live worker runs this slice (a duplicate delivery); try again later."""


# --- the project's model ----------------------------------------------------------------------


def current_model(project: Project) -> tuple[ModelCheckpoint | None, str]:
    """Return the checkpoint the project's propagations use and where it comes from ("project" or "server_default")."""
    return default_checkpoint(project), "project" if project.default_checkpoint_id else "server_default"


def lineage_of(checkpoint: ModelCheckpoint | None, limit: int = 50) -> list[ModelCheckpoint]:
    """Return the checkpoint and its ancestors, newest first (guarded against cycles)."""
    chain, seen = [], set()
    while checkpoint is not None and checkpoint.pk not in seen and len(chain) < limit:
        chain.append(checkpoint)
        seen.add(checkpoint.pk)
        checkpoint = checkpoint.parent
    return chain


def set_project_model(*, project: Project, checkpoint: ModelCheckpoint | None) -> Project:
    """Switch the project's model to any registered checkpoint (None: the server's default), e.g. back to a parent."""
    return set_project_checkpoint(project=project, checkpoint=checkpoint)


def last_finetune(project: Project) -> FineTuneRun | None:
    return project.finetunes.select_related("parent_checkpoint", "checkpoint").first()


def accepted_since_last(project: Project) -> int:
    """Return how many tracks were accepted since the project's last fine-tune started (all of them, if none did)."""
    events = TrackEvent.objects.filter(track__video__project=project, change=TrackChange.ACCEPTED)
    last = project.finetunes.order_by("-created_at").values_list("created_at", flat=True).first()
    if last is not None:
        events = events.filter(created_at__gt=last)
    return events.values("track_id").distinct().count()


def finetune_refusal(project: Project) -> str:
    """Return why a fine-tune cannot start now ("" when it can)."""
    parent, _ = current_model(project)
    if parent is None:
        return "no model is configured: register a checkpoint first"
    if parent.variant not in TRAINABLE_VARIANTS:
        return (f"the project's model '{parent.name}' is a {parent.variant} checkpoint, which cannot be fine-tuned; "
                f"switch the project to a {' or '.join(TRAINABLE_VARIANTS)} model first")
    if project.finetunes.filter(status__in=ACTIVE_FINETUNE_STATUSES).exists():
        return "a fine-tune of this project is already queued or running"
    try:
        split_videos(project)
    except ServiceError as exc:
        return exc.message
    return ""


# --- starting and stopping --------------------------------------------------------------------


def start_finetune(
    *, project: Project, by=None, steps: int | None = None, enqueue: bool = True,
    heldout_videos: list[int] | None = None,
) -> FineTuneRun:
    """Queue a fine-tune of the project's current model on its accepted tracks.

    `steps` None takes the training code's default. `heldout_videos` forces the held-out videos
    (the benchmark's fixed folds); None applies the fixed by-video rule (services/finetune_data.py).
    Raises Conflict (409) while one is active, ServiceError (400) with the reason otherwise.
    """
    if steps is not None and steps < 1:
        raise ServiceError("steps must be at least 1")
    parent, _ = current_model(project)
    active = project.finetunes.filter(status__in=ACTIVE_FINETUNE_STATUSES).first()
    if active is not None:
        raise Conflict(f"fine-tune {active.pk} of this project is still {active.status}", finetune_id=active.pk)
    reason = finetune_refusal(project) if heldout_videos is None else _model_refusal(parent)
    if reason:
        raise ServiceError(reason)
    split = split_videos(project, heldout_videos=heldout_videos)
    try:
        with transaction.atomic():
            run = FineTuneRun.objects.create(
                project=project, parent_checkpoint=parent, created_by=by, steps_total=steps or 0,
                train_videos=split.train_videos, heldout_videos=split.heldout_videos, frames=split.frames,
            )
            if enqueue:
                queue.enqueue_finetune(run.pk, run.slice_no, priority=PRIORITY_BATCH)
    except IntegrityError:  # another request started one between the check and the insert
        raise Conflict("a fine-tune of this project is already queued or running") from None
    return run


def _model_refusal(parent: ModelCheckpoint | None) -> str:
    if parent is None:
        return "no model is configured: register a checkpoint first"
    if parent.variant not in TRAINABLE_VARIANTS:
        return f"the project's model '{parent.name}' ({parent.variant}) cannot be fine-tuned"
    return ""


def cancel_finetune(*, run: FineTuneRun) -> FineTuneRun:
    """Ask a fine-tune to stop: a queued one ends at once, a running one after its current step."""
    return request_cancel(run, queued=FineTuneStatus.QUEUED, end_queued=lambda r: _end(r, FineTuneStatus.CANCELLED))


def start_after_accept(project: Project) -> FineTuneRun | None:
    """Start a fine-tune (no user) when the project asks for one every N accepted tracks and N were accepted.

    Called inside the transaction accepting a track; a project that cannot fine-tune now
    (not enough data, one running) is left alone: the next acceptance checks again.
    """
    every = project.finetune_every_accepted
    if not every or accepted_since_last(project) < every:
        return None
    try:
        with transaction.atomic():
            return start_finetune(project=project, by=None)
    except ServiceError as exc:
        log.info("no automatic fine-tune of project %s: %s", project.pk, exc.message)
        return None


# --- the worker's side ------------------------------------------------------------------------


def claim_slice(run_id: int, slice_no: int) -> FineTuneRun | None:
    """Take slice `slice_no` of a run for this worker; None when there is nothing to do.

    Raises FineTuneBusy when another live worker runs it. A run whose workers keep dying on the
    same slice ends `failed` past SIAMLABEL_MAX_ATTEMPTS.
    """
    with transaction.atomic():
        run = FineTuneRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or not run.is_active or slice_no != run.slice_no:
            return None  # gone, ended, or a duplicate of a slice that is over
        if run.cancel_requested:
            _end(run, FineTuneStatus.CANCELLED)
            return None
        now = timezone.now()
        lease = timedelta(seconds=settings.SIAMLABEL_JOB_LEASE_SECONDS)
        if run.status != FineTuneStatus.QUEUED and run.heartbeat_at and now - run.heartbeat_at < lease:
            raise FineTuneBusy(f"fine-tune {run_id} slice {slice_no} is running on another worker")
        if out_of_attempts(run.attempts):
            _end(run, FineTuneStatus.FAILED, gave_up_reason(run.attempts))
            return None
        if run.status == FineTuneStatus.QUEUED:
            run.status = FineTuneStatus.RUNNING
        run.heartbeat_at, run.attempts, run.started_at = now, run.attempts + 1, run.started_at or now
        run.save(update_fields=["status", "heartbeat_at", "attempts", "started_at"])
    return run


def record_step(run: FineTuneRun, *, steps_done: int, steps_total: int, loss: float,
                seconds_left: float | None) -> bool:
    """Write a training step's progress; return False when the run should stop (cancel requested)."""
    FineTuneRun.objects.filter(pk=run.pk).update(
        steps_done=steps_done, steps_total=steps_total, loss=loss, seconds_left=seconds_left,
        heartbeat_at=timezone.now(),
    )
    return not FineTuneRun.objects.filter(pk=run.pk, cancel_requested=True).exists()


def run_dir_of(run: FineTuneRun) -> Path:
    """Return the folder of the run's data and training state on this worker's disk, and record it on the run."""
    run_dir = Path(settings.SIAMLABEL_FINETUNE_DIR) / str(run.pk)
    if run.run_dir != str(run_dir):  # a worker on another host writes the data again; the state comes from the store
        run.run_dir = str(run_dir)
        FineTuneRun.objects.filter(pk=run.pk).update(run_dir=run.run_dir)
    return run_dir


def beat(run: FineTuneRun) -> None:
    """Renew the run's lease while a worker is busy on it without steps to report (evaluation)."""
    FineTuneRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now())


def end_slice(run: FineTuneRun, *, enqueue: bool = True) -> FineTuneRun:
    """After a slice that did not finish training: cancel when asked, else queue the next slice at batch priority."""
    with transaction.atomic():
        run = FineTuneRun.objects.select_for_update().get(pk=run.pk)
        if not run.is_active:
            return run
        if run.cancel_requested:
            _end(run, FineTuneStatus.CANCELLED)
            return run
        run.slice_no, run.attempts, run.heartbeat_at = run.slice_no + 1, 0, None
        run.save(update_fields=["slice_no", "attempts", "heartbeat_at"])
        if enqueue:
            queue.enqueue_finetune(run.pk, run.slice_no, priority=PRIORITY_BATCH)
    return run


def end_if_cancelled(run: FineTuneRun) -> bool:
    """End the run `cancelled` if that was asked (before its result is written); return whether it was."""
    with transaction.atomic():
        run = FineTuneRun.objects.select_for_update().get(pk=run.pk)
        if run.cancel_requested and run.is_active:
            _end(run, FineTuneStatus.CANCELLED)
        return run.status == FineTuneStatus.CANCELLED


def start_evaluating(run: FineTuneRun) -> None:
    FineTuneRun.objects.filter(pk=run.pk).update(status=FineTuneStatus.EVALUATING, seconds_left=None,
                                                 heartbeat_at=timezone.now())


@transaction.atomic
def finish_finetune(
    *, run: FineTuneRun, file: str, evaluation: dict, lineage: dict, promote: bool, reason: str,
    meta: dict | None = None,
) -> FineTuneRun:
    """Register the fine-tuned weights with their lineage and evaluation; make them the project's model if better.

    `file` is relative to SIAMLABEL_WEIGHTS_DIR (or absolute). Not promoted, the checkpoint is kept
    and the run says why ("not_better", `reason`); either way the manager can switch models later.
    """
    run = FineTuneRun.objects.select_for_update(of=("self",)).select_related("project", "parent_checkpoint").get(
        pk=run.pk)
    parent = run.parent_checkpoint
    checkpoint = register_checkpoint(
        name=f"p{run.project_id}-finetune-{run.pk}", file=file,
        variant=parent.variant if parent else ModelCheckpoint.Variant.MOBILE,
        config=parent.config if parent else "davis",
        metrics={"lineage": lineage, "evaluation": evaluation, **({"meta": meta} if meta else {})},
    )
    checkpoint.parent, checkpoint.project = parent, run.project
    checkpoint.save(update_fields=["parent", "project"])
    run.checkpoint, run.evaluation, run.reason = checkpoint, evaluation, reason
    run.decision = FineTuneRun.Decision.PROMOTED if promote else FineTuneRun.Decision.NOT_BETTER
    if promote:
        set_project_checkpoint(project=run.project, checkpoint=checkpoint)
    run.save(update_fields=["checkpoint", "evaluation", "reason", "decision"])
    _end(run, FineTuneStatus.DONE)
    return run


def fail_finetune(run: FineTuneRun, error: str) -> None:
    with transaction.atomic():
        run = FineTuneRun.objects.select_for_update().get(pk=run.pk)
        if run.is_active:
            _end(run, FineTuneStatus.FAILED, error)


def requeue_orphaned_finetunes(*, lease_seconds: int) -> list[int]:
    """Send again the current slice of runs whose worker died (no heartbeat within the lease); return their ids."""
    stale = timezone.now() - timedelta(seconds=lease_seconds)
    requeued = []
    with transaction.atomic():
        for run in FineTuneRun.objects.select_for_update(skip_locked=True).filter(
            status__in=(FineTuneStatus.RUNNING, FineTuneStatus.EVALUATING), heartbeat_at__lt=stale,
        ):
            # queued again, so the next scan leaves it alone; training resumes from the run's saved state
            run.status, run.heartbeat_at = FineTuneStatus.QUEUED, None
            run.save(update_fields=["status", "heartbeat_at"])
            queue.enqueue_finetune(run.pk, run.slice_no, priority=PRIORITY_BATCH)
            requeued.append(run.pk)
    return requeued


def _end(run: FineTuneRun, status: str, error: str = "") -> None:
    run.status, run.error, run.finished_at, run.seconds_left = status, error, timezone.now(), None
    run.save(update_fields=["status", "error", "finished_at", "seconds_left", "cancel_requested"])
    transaction.on_commit(lambda: delete_states(run.pk))  # nothing resumes an ended run
