"""Video upload and frame extraction."""

import logging
from pathlib import Path

from django.conf import settings
from django.db import transaction

from annotator import frames, media_store, queue
from annotator.choices import VideoStatus
from annotator.models import Project, Video
from annotator.services.attempts import gave_up_reason, out_of_attempts
from annotator.services.disk import OutOfSpace, check_room
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
        relative = f"videos/{video.pk}/source{ext}"
        store = media_store.get()
        try:
            with store.storing_upload(relative, upload) as target:
                if ext == ".zip":
                    frames.check_zip(target, upload_limits())
                check_frames_room(target, f"the frames of '{name}'", store.scratch_dir)
        except frames.FrameError as exc:
            store.delete_prefix(video.media_key)
            raise ServiceError(str(exc)) from exc
        except OutOfSpace:
            store.delete_prefix(video.media_key)
            raise
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


def check_frames_room(source: Path, what: str, local_dir: Path | None = None) -> None:
    """Raise OutOfSpace when the frames `source` should give would not fit (services/disk.py).

    Only an estimate can be checked: when the file declares no frame count, or its frames cannot
    be decoded (extraction then fails it with the reason), nothing is refused here.
    """
    try:
        estimate = frames.estimate_frames_bytes(source, upload_limits(), settings.SIAMLABEL_FRAME_JPEG_QUALITY,
                                                max_side=settings.SIAMLABEL_FRAME_MAX_SIDE)
    except frames.FrameError:
        return
    if estimate is not None:
        check_room(estimate, what=what, local_dir=local_dir)


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

    store = media_store.get()  # a bucket's upload is fetched, and its frames stored, around the decoding
    try:
        with store.fetched(video.source_file) as source, store.writing_dir(video.frames_key) as frames_dir:
            # again: other uploads may have filled the disk meanwhile
            check_frames_room(source, "the frames", store.scratch_dir)
            info = frames.extract_frames(source, frames_dir, on_progress, upload_limits(),
                                         settings.SIAMLABEL_FRAME_JPEG_QUALITY, settings.SIAMLABEL_FRAME_MAX_SIDE)
    except (frames.FrameError, OutOfSpace) as exc:
        return _fail(video, str(exc))
    except Exception as exc:  # an unexpected decoder crash must still end readable, not stuck
        log.exception("frame extraction of video %s failed", video_id)
        return _fail(video, f"frame extraction failed: {exc}")
    video.width, video.height, video.fps, video.frame_count = info.width, info.height, info.fps, info.frame_count
    video.original_width, video.original_height = info.original_width, info.original_height
    video.status, video.extraction_progress = VideoStatus.READY, 1.0
    video.save(update_fields=["width", "height", "original_width", "original_height", "fps", "frame_count",
                              "status", "extraction_progress"])
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
    folder, store = video.media_key, media_store.get()
    with transaction.atomic():
        refuse_running_jobs(video.jobs.all(), f"video '{video.name}'")
        video.delete()
        transaction.on_commit(lambda: store.delete_prefix(folder))
