"""Worker presence for /api/health: each worker process writes a heartbeat row every few seconds."""

import logging
import socket
import threading

from celery import signals

log = logging.getLogger(__name__)
_state = {"hostname": None, "queues": "", "device": "", "checkpoint_sha256": ""}


def set_worker_state(**values) -> None:
    """Record what this process runs (device, checkpoint) for the next heartbeat."""
    _state.update(values)


def beat() -> None:
    from django.db import close_old_connections
    from django.utils import timezone

    from annotator.models import WorkerHeartbeat

    close_old_connections()
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        hostname=_state["hostname"],
        defaults={k: _state[k] for k in ("queues", "device", "checkpoint_sha256")} | {"last_seen": now},
        create_defaults={k: _state[k] for k in ("queues", "device", "checkpoint_sha256")}
        | {"last_seen": now, "started_at": now},
    )


def _loop(stop: threading.Event) -> None:
    from django.conf import settings

    while not stop.is_set():
        try:
            beat()
            _flush_outbox()
            if "gpu" in _state["queues"].split(","):
                _requeue_orphans(settings.SIAMLABEL_JOB_LEASE_SECONDS)
        except Exception:  # the database or broker may be briefly away; try again next time
            log.exception("worker heartbeat failed")
        stop.wait(settings.SIAMLABEL_HEARTBEAT_SECONDS)


def _flush_outbox() -> None:
    from annotator.queue import flush_outbox

    if sent := flush_outbox():
        log.warning("sent %s task message(s) that had waited in the outbox for the broker", sent)


def _requeue_orphans(lease_seconds: int) -> None:
    from annotator.services.propagation import requeue_orphaned_jobs, start_waiting_jobs

    from annotator.services.finetune import requeue_orphaned_finetunes

    for job_id in requeue_orphaned_jobs(lease_seconds=lease_seconds):
        log.warning("job %s lost its worker; sent it again to resume", job_id)
    for job_id in start_waiting_jobs():
        log.warning("job %s waited for a track whose job ended without sending it; sent it now", job_id)
    for run_id in requeue_orphaned_finetunes(lease_seconds=lease_seconds):
        log.warning("fine-tune %s lost its worker; sent its slice again to resume", run_id)


@signals.worker_ready.connect
def _start(sender=None, **_):
    """`sender` is the worker's consumer: it knows the hostname and the queues consumed."""
    _state["hostname"] = getattr(sender, "hostname", None) or socket.gethostname()
    queues = sender.app.amqp.queues.consume_from if sender is not None else None
    _state["queues"] = ",".join(sorted(queues or {}))
    if "gpu" in _state["queues"].split(","):
        # a gpu worker says where it will track from the start, not only after its first job
        from tracking_worker.siammask.checkpoints import resolve_device

        _state["device"] = str(resolve_device(None))
    stop = threading.Event()
    threading.Thread(target=_loop, args=(stop,), daemon=True, name="heartbeat").start()
