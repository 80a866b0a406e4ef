"""Merging two tracks of one video, and splitting a track at a frame (docs/review.md, "Merge and split").

    merge_tracks(track=a, version=3, other=b, other_version=2, by=user)   # b's frames join a; b is deleted
    split_track(track=a, version=4, frame_index=40, by=user)              # frames >= 40 go to a new track

Both lock the tracks, check their versions (optimistic locking), refuse while a propagation job
runs on either, make reviewed tracks drafts again and record the change in the tracks' history.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from annotator.choices import TrackChange
from annotator.models import PropagationJob, Track
from annotator.services import history
from annotator.services.errors import ServiceError
from annotator.services.tracks import bump_version, check_frame, lock_track, next_object_id, refuse_running_jobs


@dataclass(frozen=True)
class Merged:
    track: Track
    moved: int  # frames that came from the other track
    dropped: int  # the other track's frames on frames the kept track already had


@transaction.atomic
def merge_tracks(*, track: Track, version: int, other: Track, other_version: int, by=None) -> Merged:
    """Move `other`'s frames into `track` and delete `other`.

    Where both tracks have a frame, `track`'s is kept and `other`'s dropped: the track the user
    merges into is the one they chose to trust. `other`'s comments move along with its frames.
    """
    if other.pk == track.pk:
        raise ServiceError("a track cannot be merged with itself")
    if other.video_id != track.video_id:
        raise ServiceError("only tracks of one video can be merged")
    # Lock in id order so two opposite merges cannot deadlock.
    first, second = sorted([(track, version), (other, other_version)], key=lambda pair: pair[0].pk)
    locked = {t.pk: lock_track(t, v) for t, v in (first, second)}
    track, other = locked[track.pk], locked[other.pk]
    refuse_running_jobs(PropagationJob.objects.filter(job_tracks__track__in=[track, other]),
                        f"track #{track.object_id} or #{other.object_id}")
    taken = track.annotations.values("frame_index")
    dropped = other.annotations.filter(frame_index__in=taken).count()
    # a moved frame is a change of its new track: ?changed_since= readers must see it (docs/api.md)
    moved = other.annotations.exclude(frame_index__in=taken).update(track=track, updated_at=timezone.now())
    other.comments.update(track=track)
    previous = track.review_status
    detail = f"track #{other.object_id} merged in: {moved} frames moved, {dropped} overlapping dropped"
    if not history.reopen(track, TrackChange.MERGED, by=by, detail=detail):
        history.record(track, TrackChange.MERGED, from_status=previous, by=by, detail=detail)
    other.delete()
    return Merged(track=bump_version(track), moved=moved, dropped=dropped)


@transaction.atomic
def split_track(*, track: Track, version: int, frame_index: int, by=None) -> tuple[Track, Track]:
    """Move the track's frames from `frame_index` on to a new track with the same label; return both.

    Both parts must keep at least one frame. Comments on moved frames move with them.
    """
    check_frame(track.video, frame_index)
    track = lock_track(track, version)
    refuse_running_jobs(PropagationJob.objects.filter(job_tracks__track=track), f"track #{track.object_id}")
    if not track.annotations.filter(frame_index__lt=frame_index).exists():
        raise ServiceError(f"track #{track.object_id} has no frame before frame {frame_index}; nothing to split off")
    if not track.annotations.filter(frame_index__gte=frame_index).exists():
        raise ServiceError(f"track #{track.object_id} has no frame from frame {frame_index} on; nothing to split off")
    new = Track.objects.create(video=track.video, label=track.label, object_id=next_object_id(track.video),
                               created_by=by)
    moved = track.annotations.filter(frame_index__gte=frame_index).update(track=new, updated_at=timezone.now())
    track.comments.filter(frame_index__gte=frame_index).update(track=new)
    previous = track.review_status
    detail = f"frames {frame_index} on ({moved}) split off to track #{new.object_id}"
    if not history.reopen(track, TrackChange.SPLIT, by=by, detail=detail):
        history.record(track, TrackChange.SPLIT, from_status=previous, by=by, detail=detail)
    history.record(new, TrackChange.SPLIT, from_status="", by=by,
                   detail=f"frames {frame_index} on split off from track #{track.object_id}")
    return bump_version(track), new
