"""Tracks: creation from a box, manual edits with optimistic locking, deletion of frames and tracks."""

from django.db import transaction
from django.db.models import Max

from annotator import masks
from annotator.choices import ACTIVE_JOB_STATUSES, Source, TrackChange
from annotator.models import FrameAnnotation, Label, PropagationJob, Track, Video
from annotator.models.tracks import MAX_OBJECT_ID
from annotator.services import history
from annotator.services.errors import Conflict, ServiceError


def check_frame(video: Video, frame_index: int) -> int:
    if not video.is_ready:
        raise ServiceError(f"video '{video.name}' is not ready (status: {video.status})")
    if not isinstance(frame_index, int) or not 0 <= frame_index < video.frame_count:
        raise ServiceError(f"frame {frame_index} is outside the video (frames 0 to {video.frame_count - 1})")
    return frame_index


def check_range(video: Video, first: int, last: int) -> None:
    """Raise ServiceError unless frames first..last (inclusive) are in the video, in order."""
    check_frame(video, first)
    check_frame(video, last)
    if first > last:
        raise ServiceError("the first frame must not come after the last")


def range_text(first: int, last: int) -> str:
    """Return frames first..last as a history entry names them."""
    return f"frame {first}" if first == last else f"frames {first} to {last}"


def _box(bbox, video: Video) -> list[float]:
    try:
        return masks.validate_box(bbox, video.width, video.height)
    except masks.MaskError as exc:
        raise ServiceError(str(exc)) from exc


def create_track(*, video: Video, label: Label, frame_index: int, bbox, by) -> Track:
    """Create a track with a manual box on one frame (its first anchor)."""
    check_frame(video, frame_index)
    bbox = _box(bbox, video)
    if label.project_id != video.project_id:
        raise ServiceError("the label belongs to another project")
    with transaction.atomic():
        track = Track.objects.create(video=video, label=label, object_id=next_object_id(video), created_by=by)
        FrameAnnotation.objects.create(
            track=track, frame_index=frame_index, source=Source.MANUAL_BOX,
            bbox=bbox, rotated_box=masks.box_corners(bbox),
        )
        return track


def next_object_id(video: Video) -> int:
    """Return the video's next free object id (call inside a transaction)."""
    # Annotators adding objects to one video at once: the video's row lock hands out ids in turn.
    Video.objects.select_for_update().filter(pk=video.pk).first()
    next_id = (video.tracks.aggregate(m=Max("object_id"))["m"] or 0) + 1
    if next_id > MAX_OBJECT_ID:
        raise ServiceError(f"a video holds at most {MAX_OBJECT_ID} tracks")
    return next_id


def refuse_running_jobs(jobs, what: str) -> None:
    """Raise Conflict (409) naming the first queued or running job among `jobs`.

    Deleting, merging or splitting under a running job would let the worker write frames into a
    track that is gone or no longer holds them, so we refuse and let the user cancel the job
    (one click in the propagation panel) rather than cancel someone's job behind their back.
    """
    running = jobs.filter(status__in=ACTIVE_JOB_STATUSES).order_by("pk").first()
    if running is not None:
        raise Conflict(f"propagation job {running.pk} is {running.status} on {what}; cancel it or wait for it to end",
                       job_id=running.pk)


def lock_track(track: Track, version: int | None) -> Track:
    """Lock the track row and check the client's version; raise Conflict when it is stale."""
    locked = Track.objects.select_for_update().get(pk=track.pk)
    if version is None:
        raise ServiceError("the track's version is required (optimistic locking)")
    if locked.version != version:
        raise Conflict(
            f"the track was changed by someone else (your version {version}, current {locked.version}); "
            "reload it and redo your edit",
            current_version=locked.version,
        )
    return locked


def bump_version(track: Track) -> Track:
    track.version += 1
    track.save(update_fields=["version", "updated_at"])
    return track


@transaction.atomic
def set_frame_annotation(
    *, track: Track, frame_index: int, version: int, bbox=None, mask_rle=None, by=None
) -> FrameAnnotation:
    """Store a hand-made box or mask on a frame; it becomes an anchor for propagation.

    A track in review or accepted becomes a draft again (services/history.py).
    """
    video = track.video
    check_frame(video, frame_index)
    if bbox is None and mask_rle is None:
        raise ServiceError("give a box, a mask, or both")
    track = lock_track(track, version)
    values = {"score": None, "quality": None, "job": None}
    if mask_rle is not None:
        try:
            rle = masks.validate_rle(mask_rle)
            # before decoding: a declared size is all it takes to make decode allocate gigabytes
            if rle["size"] != [video.height, video.width]:
                height, width = rle["size"]
                raise ServiceError(f"mask is {width}x{height}, the video is {video.width}x{video.height}")
            mask = masks.decode_mask(rle)
        except masks.MaskError as exc:
            raise ServiceError(str(exc)) from exc
        if not mask.any():
            raise ServiceError("the mask is empty; delete the frame instead")
        values |= {
            "source": Source.MANUAL_MASK, "mask_rle": masks.encode_mask(mask), "area": int(mask.sum()),
            "bbox": masks.mask_bbox(mask), "rotated_box": masks.mask_rotated_box(mask),
        }
    else:
        bbox = _box(bbox, video)
        values |= {
            "source": Source.MANUAL_BOX, "mask_rle": None, "area": 0,
            "bbox": bbox, "rotated_box": masks.box_corners(bbox),
        }
    annotation, _ = FrameAnnotation.objects.update_or_create(track=track, frame_index=frame_index, defaults=values)
    history.reopen(track, TrackChange.EDITED, by=by, detail=f"frame {frame_index}")
    bump_version(track)
    return annotation


@transaction.atomic
def delete_frames(*, track: Track, version: int, first: int, last: int, by=None) -> int:
    """Delete the track's annotations on frames first..last (inclusive); return how many.

    Deleting something from a track in review or accepted makes it a draft again.
    """
    check_range(track.video, first, last)
    track = lock_track(track, version)
    deleted, _ = track.annotations.filter(frame_index__gte=first, frame_index__lte=last).delete()
    if deleted:
        history.reopen(track, TrackChange.FRAMES_DELETED, by=by, detail=range_text(first, last))
    bump_version(track)
    return deleted


@transaction.atomic
def update_track(*, track: Track, version: int, label: Label | None = None, by=None) -> Track:
    """Change a track's label; a relabelled track in review or accepted becomes a draft again."""
    track = lock_track(track, version)
    if label is not None:
        if label.project_id != track.video.project_id:
            raise ServiceError("the label belongs to another project")
        if label.pk != track.label_id:
            history.reopen(track, TrackChange.RELABELLED, by=by, detail=f"label '{label.name}'")
        track.label = label
        track.save(update_fields=["label"])
    return bump_version(track)


@transaction.atomic
def delete_track(*, track: Track, version: int | None = None) -> None:
    """Delete a track with its frames, comments and history; refused while a job runs on it.

    `version`, when given, must be current (the browser sends it; scripts may leave it out).
    """
    locked = Track.objects.select_for_update().get(pk=track.pk)
    if version is not None:
        lock_track(locked, version)
    refuse_running_jobs(PropagationJob.objects.filter(job_tracks__track=locked), f"track #{locked.object_id}")
    locked.delete()
