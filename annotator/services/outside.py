"""Outside frames: the annotator says the object is not visible on a range of frames.

An outside frame is a FrameAnnotation with source `outside` and neither mask nor box. Propagation
never writes over it and stops before it, as at a manual frame, but never starts from it
(docs/propagation.md, "Outside frames"). Both edits lock the track and check its version.

    mark_outside(track=track, version=3, first=10, last=19, by=user)   # 10 frames now outside
    clear_outside(track=track, version=4, first=10, last=19, by=user)  # removes only outside frames
"""

from django.db import transaction

from annotator.choices import Source, TrackChange
from annotator.models import FrameAnnotation, Track
from annotator.services import history
from annotator.services.tracks import bump_version, check_range, lock_track, range_text


@transaction.atomic
def mark_outside(*, track: Track, version: int, first: int, last: int, by=None) -> int:
    """Mark frames first..last (inclusive) outside, replacing what the track had there; return how many."""
    check_range(track.video, first, last)
    track = lock_track(track, version)
    track.annotations.filter(frame_index__gte=first, frame_index__lte=last).delete()
    FrameAnnotation.objects.bulk_create(
        FrameAnnotation(track=track, frame_index=i, source=Source.OUTSIDE, bbox=None, mask_rle=None)
        for i in range(first, last + 1)
    )
    history.reopen(track, TrackChange.MARKED_OUTSIDE, by=by, detail=range_text(first, last))
    bump_version(track)
    return last - first + 1


@transaction.atomic
def clear_outside(*, track: Track, version: int, first: int, last: int, by=None) -> int:
    """Remove the outside marks on frames first..last, keeping other annotations; return how many."""
    check_range(track.video, first, last)
    track = lock_track(track, version)
    cleared, _ = track.annotations.filter(
        source=Source.OUTSIDE, frame_index__gte=first, frame_index__lte=last
    ).delete()
    if cleared:
        history.reopen(track, TrackChange.FRAMES_DELETED, by=by, detail=f"outside {range_text(first, last)}")
    bump_version(track)
    return cleared
