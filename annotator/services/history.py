"""A track's history: review decisions, and the changes that send a reviewed track back to draft.

A track that is in review or accepted stands for the content someone submitted or accepted. Any
change to that content (an edit, deleted frames, a new label, a propagation job writing or
removing frames, a reverted job) makes it a draft again, in the same transaction as the change,
so an "accepted" export never holds content nobody reviewed (docs/review.md).

    reopen(track, TrackChange.EDITED, by=user, detail="frame 7")      # track row locked by caller
    reopen_tracks([3, 4], TrackChange.PROPAGATED, job=job)            # locks the rows itself
"""

from annotator.choices import REVIEWED_STATUSES, ReviewStatus, TrackChange
from annotator.models import Track, TrackEvent


def record(track: Track, change: str, *, from_status: str, by=None, job=None, detail: str = "") -> TrackEvent:
    """Add an entry to the track's history (its status is already `track.review_status`)."""
    return TrackEvent.objects.create(track=track, change=change, from_status=from_status,
                                     to_status=track.review_status, by=by, job=job, detail=detail[:200])


def reopen(track: Track, change: str, *, by=None, job=None, detail: str = "") -> bool:
    """Make a reviewed track a draft again because of `change`; return whether it was reviewed.

    The caller holds the track's row lock and bumps its version (every edit does).
    """
    if track.review_status not in REVIEWED_STATUSES:
        return False
    previous, track.review_status = track.review_status, ReviewStatus.DRAFT
    track.save(update_fields=["review_status"])
    record(track, change, from_status=previous, by=by, job=job, detail=detail)
    return True


def reopen_tracks(track_ids, change: str, *, job=None, by=None, detail: str = "") -> list[int]:
    """Make the reviewed ones among these tracks drafts again (a worker's or a revert's change).

    Locks their rows, bumps their version so a reviewer's stale accept gets a 409, and returns
    the ids that were reopened. Call it inside the transaction that makes the change.
    """
    reviewed = list(
        Track.objects.select_for_update().filter(pk__in=set(track_ids), review_status__in=REVIEWED_STATUSES)
        .order_by("pk")
    )
    for track in reviewed:
        previous, track.review_status = track.review_status, ReviewStatus.DRAFT
        track.version += 1
        track.save(update_fields=["review_status", "version", "updated_at"])
        record(track, change, from_status=previous, by=by, job=job, detail=detail)
    return [t.pk for t in reviewed]


def record_imported(tracks, *, by=None, detail: str = "") -> None:
    """Start the history of tracks an import created (as drafts)."""
    TrackEvent.objects.bulk_create([
        TrackEvent(track=t, change=TrackChange.IMPORTED, from_status="", to_status=t.review_status, by=by,
                   detail=detail[:200])
        for t in tracks
    ])
