"""Tasks on the `default` queue. Thin: fetch by id, call a service.

Acknowledged late, so a task whose worker died is delivered again; the services count each
start and fail the video or job past SIAMLABEL_MAX_ATTEMPTS (annotator/services/attempts.py).
"""

from celery import shared_task


@shared_task(name="annotator.extract_frames", acks_late=True)
def extract_frames_task(video_id: int) -> None:
    from annotator.services.videos import extract_video_frames

    extract_video_frames(video_id)


@shared_task(name="annotator.export", acks_late=True)
def export_task(job_id: int) -> None:
    from annotator.services.transfers import run_export

    run_export(job_id)


@shared_task(name="annotator.import_labels", acks_late=True)
def import_labels_task(job_id: int) -> None:
    from annotator.services.transfers import run_import

    run_import(job_id)
