"""Enqueue worker tasks by name, so the web process never imports the worker's code (or torch).

Messages go through the transactional outbox (models.OutboxMessage): written with the rows they
are about, sent once the transaction commits, and sent again later by `flush_outbox` (every
worker's heartbeat loop) when the broker was away. Every task is idempotent, so the rare
duplicate (sent, then the database went away before the row was deleted) is harmless.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from annotator.models import OutboxMessage
from config.celery import DEFAULT_QUEUE, GPU_QUEUE, PRIORITY_INTERACTIVE, app

log = logging.getLogger(__name__)

EXTRACT_FRAMES = "annotator.extract_frames"
PROPAGATE = "tracking_worker.propagate"
EXPORT = "annotator.export"
IMPORT_LABELS = "annotator.import_labels"
FINETUNE = "tracking_worker.finetune"
# The committing request normally sends its own message at once; the sweeper leaves it that long.
SWEEP_AFTER = timedelta(seconds=2)


def enqueue(task_name: str, *args, queue: str = DEFAULT_QUEUE, priority: int = PRIORITY_INTERACTIVE) -> None:
    """Record a task in the outbox; send it once the current transaction commits."""
    message = OutboxMessage.objects.create(task=task_name, args=list(args), queue=queue, priority=priority)
    transaction.on_commit(lambda: deliver(message.pk))


def deliver(message_id: int) -> bool | None:
    """Send one outbox message and delete it.

    True: sent. False: the broker or database refused; the message stays for later. None: nothing
    to send (already sent, or another process is sending it right now).
    """
    try:
        with transaction.atomic():
            message = OutboxMessage.objects.select_for_update(skip_locked=True).filter(pk=message_id).first()
            if message is None:
                return None
            try:
                app.send_task(message.task, args=message.args, queue=message.queue, priority=message.priority)
            except Exception as exc:
                log.warning("broker unavailable, %s stays in the outbox: %s", message, exc)
                OutboxMessage.objects.filter(pk=message_id).update(attempts=F("attempts") + 1, last_error=str(exc)[:500])
                return False
            message.delete()
            return True
    except Exception:  # the database itself is away: the message (if committed) waits for the sweeper
        log.exception("could not send outbox message %s", message_id)
        return False


def flush_outbox(limit: int = 200) -> int:
    """Send the messages that could not be sent when their transaction committed; return how many went."""
    stale = timezone.now() - SWEEP_AFTER
    waiting = list(OutboxMessage.objects.filter(created_at__lt=stale).values_list("pk", flat=True)[:limit])
    sent = 0
    for message_id in waiting:
        result = deliver(message_id)
        if result is False:
            break  # the broker is still away; try again on the next beat
        sent += bool(result)
    return sent


def enqueue_extraction(video_id: int) -> None:
    enqueue(EXTRACT_FRAMES, video_id, queue=DEFAULT_QUEUE)


def enqueue_propagation(job_id: int, *, priority: int = PRIORITY_INTERACTIVE) -> None:
    enqueue(PROPAGATE, job_id, queue=GPU_QUEUE, priority=priority)


def enqueue_finetune(run_id: int, slice_no: int, *, priority: int) -> None:
    """Queue one training slice of a fine-tune (each message names its slice: services/finetune.py)."""
    enqueue(FINETUNE, run_id, slice_no, queue=GPU_QUEUE, priority=priority)


def enqueue_export(job_id: int) -> None:
    enqueue(EXPORT, job_id, queue=DEFAULT_QUEUE)


def enqueue_import(job_id: int) -> None:
    enqueue(IMPORT_LABELS, job_id, queue=DEFAULT_QUEUE)
