"""Video upload and frame extraction."""

import logging
import shutil
from pathlib import Path

from django.conf import settings
from django.db import transaction

from annotator import frames, queue
from annotator.choices import VideoStatus
from annotator.models import Project, Video
from annotator.services.attempts import gave_up_reason, out_of_attempts
from annotator.services.errors import Conflict, ServiceError, TooLarge
from annotator.services.tracks import refuse_running_jobs

log = logging.getLogger(__name__)


def create_video(*, project: Project, name: str, upload, by) -> Video:
    """Store an uploaded clip (video or zip of frames) and queue its frame extraction.

    `upload` is a Django UploadedFile. Problems that can be seen without decoding (type, size,
    unsafe zip entries) are refused here; decoding problems end the video as `failed`.
    """
    ext = _check_name(upload.name)
    if upload.size > settings.SIAMLABEL_MAX_UPLOAD_BYTES:
        limit_mb = settings.SIAMLABEL_MAX_UPLOAD_BYTES // (1024 * 1024)
        raise TooLarge(f"the file is {upload.size / 2**20:.1f} MB; the limit is {limit_mb} MB")
    name = (name or Path(upload.name).stem).strip()
    if not name:
        raise ServiceError("the video needs a name")
    if project.videos.filter(name=name).exists():
        raise Conflict(f"a video named '{name}' already exists in this project")
    with transaction.atomic():
        video = Video.objects.create(project=project, name=name, source_file="", uploaded_by=by, source_size=upload.size)
        relative = Path("videos") / str(video.pk) / f"source{ext}"
        target = Path(settings.MEDIA_ROOT) / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        if ext == ".zip":
            try:
                frames.check_zip(target, upload_limits())
            except frames.FrameError as exc:
                shutil.rmtree(target.parent, ignore_errors=True)
                raise ServiceError(str(exc)) from exc
        video.source_file = str(relative)
        video.save(update_fields=["source_file"])
        queue.enqueue_extraction(video.pk)
    return video


def upload_limits() -> frames.Limits:
    """Return the bounds on what an upload may inflate to (docs/operations.md, "Hostile uploads")."""
    return frames.Limits(
        max_zip_entries=settings.SIAMLABEL_MAX_ZIP_ENTRIES,
        max_zip_bytes=settings.SIAMLABEL_MAX_ZIP_UNCOMPRESSED_BYTES,
        max_frame_pixels=settings.SIAMLABEL_MAX_FRAME_PIXELS,
    )


def _check_name(filename: str) -> str:
    try:
        return frames.check_upload_name(filename)
    except frames.FrameError as exc:
        raise ServiceError(str(exc)) from exc


def extract_video_frames(video_id: int) -> Video:
    """Decode a video's frames (the `default` queue task). Idempotent; failures end as `failed`."""
    video = Video.objects.get(pk=video_id)
    if video.status == VideoStatus.READY:
        return video
    if out_of_attempts(video.extraction_attempts):
        return _fail(video, gave_up_reason(video.extraction_attempts))
    video.status, video.error, video.extraction_progress = VideoStatus.EXTRACTING, "", 0.0
    video.extraction_attempts += 1
    video.save(update_fields=["status", "error", "extraction_progress", "extraction_attempts"])

    def on_progress(fraction: float) -> None:
        Video.objects.filter(pk=video_id).update(extraction_progress=round(fraction, 3))

    try:
        info = frames.extract_frames(
            Path(settings.MEDIA_ROOT) / video.source_file, video.frames_dir, on_progress, upload_limits()
        )
    except frames.FrameError as exc:
        return _fail(video, str(exc))
    except Exception as exc:  # an unexpected decoder crash must still end readable, not stuck
        log.exception("frame extraction of video %s failed", video_id)
        return _fail(video, f"frame extraction failed: {exc}")
    video.width, video.height, video.fps, video.frame_count = info.width, info.height, info.fps, info.frame_count
    video.status, video.extraction_progress = VideoStatus.READY, 1.0
    video.save(update_fields=["width", "height", "fps", "frame_count", "status", "extraction_progress"])
    return video


def _fail(video: Video, error: str) -> Video:
    video.status, video.error = VideoStatus.FAILED, error
    video.save(update_fields=["status", "error"])
    return video


def delete_video(*, video: Video) -> None:
    """Delete a video and, once the deletion commits, its files (a rolled-back delete keeps them).

    Any video may go, a failed upload included, except while a propagation job is queued or
    running on it (409, services/tracks.refuse_running_jobs says why).
    """
    folder = Path(settings.MEDIA_ROOT) / "videos" / str(video.pk)
    with transaction.atomic():
        refuse_running_jobs(video.jobs.all(), f"video '{video.name}'")
        video.delete()
        transaction.on_commit(lambda: shutil.rmtree(folder, ignore_errors=True))
