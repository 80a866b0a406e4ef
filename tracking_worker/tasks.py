"""Celery tasks on the `gpu` queue. Thin: fetch by id, call the propagation runner, retry policy.

Heavy imports (torch, the tracker) happen inside task bodies, so importing this module (the
web process does, through autodiscovery) stays cheap.
"""

import logging
import threading

from celery import Task, shared_task

from tracking_worker import threads  # noqa: F401  (connects worker signals; autodiscovery imports this module)
from tracking_worker.heartbeat import set_worker_state

log = logging.getLogger(__name__)


class CheckpointError(RuntimeError):
    pass


class ModelTask(Task):
    """Keeps one model per worker process, reloaded only when the checkpoint changes."""

    _lock = threading.Lock()
    _loaded: tuple[str, object, dict] | None = None  # (sha256, model, its tuned tracker fields)

    def model_for(self, job):
        from annotator.models import ModelCheckpoint
        from annotator.services.checkpoints import local_file
        from tracking_worker.siammask import TrackerConfig, load_model
        from tracking_worker.siammask.checkpoints import read_checkpoint, resolve_device, tracker_overrides

        checkpoint = job.checkpoint or ModelCheckpoint.objects.filter(is_default=True).first()
        if checkpoint is None:
            raise CheckpointError(
                "no model checkpoint is configured: register one with `manage.py register_checkpoint` "
                "or make one the default in the admin"
            )
        path = local_file(checkpoint)
        if not path.is_file():
            raise CheckpointError(f"the checkpoint file of '{checkpoint.name}' is missing: {path}")
        with self._lock:
            if ModelTask._loaded is None or ModelTask._loaded[0] != checkpoint.sha256:
                log.info("loading checkpoint %s (%s)", checkpoint.name, checkpoint.sha256[:12])
                contents = read_checkpoint(path)
                try:
                    tuned = tracker_overrides(contents)
                except ValueError as exc:
                    raise CheckpointError(f"the tuned tracker settings of '{checkpoint.name}' are invalid: {exc}") from exc
                ModelTask._loaded = (checkpoint.sha256, load_model(contents), tuned)
            _, model, tuned = ModelTask._loaded
        device = resolve_device(None)
        set_worker_state(device=str(device), checkpoint_sha256=checkpoint.sha256)
        job.__class__.objects.filter(pk=job.pk).update(checkpoint=checkpoint, checkpoint_sha256=checkpoint.sha256)
        # "vot" is the official VOT config as it is; "davis" (the default) takes the checkpoint's
        # tuned fields (meta["tracker"], tuned from the DAVIS config), if it has any
        config = TrackerConfig.vot() if checkpoint.config == "vot" else TrackerConfig.davis().with_overrides(tuned)
        return model, _with_overrides(config, precision=job.precision)


def _with_overrides(config, **fixed):
    import dataclasses

    from django.conf import settings

    overrides = {
        **fixed,
        "lost_score_threshold": settings.SIAMLABEL_LOST_SCORE_THRESHOLD,
        "lost_patience": settings.SIAMLABEL_LOST_PATIENCE,
    }
    return dataclasses.replace(config, **{k: v for k, v in overrides.items() if v is not None})


@shared_task(
    name="tracking_worker.propagate", bind=True, base=ModelTask,
    # Idempotent (upserts on (track, frame), resumes after written chunks), hence acks_late:
    # a worker killed mid-job leaves the message to be re-delivered to another worker. The job
    # counts its starts and is failed past SIAMLABEL_MAX_ATTEMPTS (annotator/services/attempts.py).
    acks_late=True, reject_on_worker_lost=True,
)
def propagate_task(self, job_id: int) -> None:
    from tracking_worker.propagation import run_job
    from tracking_worker.propagation.runner import JobBusy

    try:
        run_job(job_id, self.model_for)
    except JobBusy as exc:
        _retry_while_busy(self, exc, f"job {job_id}")


def _retry_while_busy(task, exc: Exception, what: str) -> None:
    """Try a duplicate delivery again after half a lease; past the attempt cap, drop it."""
    from django.conf import settings

    if task.request.retries >= settings.SIAMLABEL_MAX_ATTEMPTS:
        # A duplicate message; if the live worker dies later, the orphan scan sends the work again.
        log.warning("%s still runs on another worker; dropping this duplicate message", what)
        return
    raise task.retry(exc=exc, countdown=max(settings.SIAMLABEL_JOB_LEASE_SECONDS // 2, 1),
                     max_retries=settings.SIAMLABEL_MAX_ATTEMPTS) from None


@shared_task(
    name="tracking_worker.finetune", bind=True,
    # One bounded slice per delivery (SIAMLABEL_FINETUNE_SLICE_SECONDS); an unfinished run queues its
    # next slice at batch priority, so interactive propagation waiting on the `gpu` queue goes first.
    # acks_late: a worker killed mid-slice leaves the message to be redelivered, and training resumes
    # from the run's last saved state; the run counts the slice's starts (annotator/services/attempts.py).
    acks_late=True, reject_on_worker_lost=True,
)
def finetune_task(self, run_id: int, slice_no: int) -> None:
    from django.conf import settings

    from annotator.services.finetune import FineTuneBusy
    from tracking_worker.finetune_job import run_slice

    try:
        run_slice(run_id, slice_no, max_seconds=settings.SIAMLABEL_FINETUNE_SLICE_SECONDS)
    except FineTuneBusy as exc:
        _retry_while_busy(self, exc, f"fine-tune {run_id}")
