"""Enqueue worker tasks by name, so the web process never imports the worker's code (or torch)."""

from django.db import transaction

from tracking_worker.celery_app import DEFAULT_QUEUE, GPU_QUEUE, PRIORITY_INTERACTIVE, app

EXTRACT_FRAMES = "annotator.extract_frames"
PROPAGATE = "tracking_worker.propagate"
EXPORT = "annotator.export"
IMPORT_LABELS = "annotator.import_labels"


def enqueue(task_name: str, *args, queue: str = DEFAULT_QUEUE, priority: int = PRIORITY_INTERACTIVE) -> None:
    """Send a task once the current transaction commits (the worker must see the rows)."""
    transaction.on_commit(lambda: app.send_task(task_name, args=list(args), queue=queue, priority=priority))


def enqueue_extraction(video_id: int) -> None:
    enqueue(EXTRACT_FRAMES, video_id, queue=DEFAULT_QUEUE)


def enqueue_propagation(job_id: int, *, priority: int = PRIORITY_INTERACTIVE) -> None:
    enqueue(PROPAGATE, job_id, queue=GPU_QUEUE, priority=priority)


def enqueue_export(job_id: int) -> None:
    enqueue(EXPORT, job_id, queue=DEFAULT_QUEUE)


def enqueue_import(job_id: int) -> None:
    enqueue(IMPORT_LABELS, job_id, queue=DEFAULT_QUEUE)
