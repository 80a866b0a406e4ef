"""Tasks on the `default` queue. Thin: fetch by id, call a service."""

from celery import shared_task


@shared_task(name="annotator.extract_frames", acks_late=True)
def extract_frames_task(video_id: int) -> None:
    from annotator.services.videos import extract_video_frames

    extract_video_frames(video_id)
