"""Review workflow: draft -> in review -> accepted / rejected (-> draft again on edit)."""

from django.db import transaction

from annotator.choices import ReviewStatus
from annotator.models import ReviewComment, Track
from annotator.services.errors import ServiceError
from annotator.services.tracks import bump_version, lock_track

# Allowed moves, and who makes them: annotators submit, reviewers decide.
SUBMIT_FROM = {ReviewStatus.DRAFT, ReviewStatus.REJECTED}
DECIDE_FROM = {ReviewStatus.IN_REVIEW}


@transaction.atomic
def submit_for_review(*, track: Track, version: int) -> Track:
    return _move(track, version, SUBMIT_FROM, ReviewStatus.IN_REVIEW)


@transaction.atomic
def accept_track(*, track: Track, version: int) -> Track:
    return _move(track, version, DECIDE_FROM, ReviewStatus.ACCEPTED)


@transaction.atomic
def reject_track(*, track: Track, version: int, comment: str = "", frame_index: int | None = None, by=None) -> Track:
    track = _move(track, version, DECIDE_FROM, ReviewStatus.REJECTED)
    if comment:
        add_comment(track=track, text=comment, frame_index=frame_index, by=by)
    return track


def add_comment(*, track: Track, text: str, by, frame_index: int | None = None) -> ReviewComment:
    if not text.strip():
        raise ServiceError("a comment needs some text")
    if frame_index is not None and not 0 <= frame_index < track.video.frame_count:
        raise ServiceError(f"frame {frame_index} is outside the video")
    return ReviewComment.objects.create(track=track, text=text.strip(), frame_index=frame_index, author=by)


def resolve_comment(*, comment: ReviewComment, resolved: bool = True) -> ReviewComment:
    comment.resolved = resolved
    comment.save(update_fields=["resolved"])
    return comment


def _move(track: Track, version: int, allowed_from: set, to: str) -> Track:
    track = lock_track(track, version)
    if track.review_status not in allowed_from:
        raise ServiceError(f"a track in status '{track.review_status}' cannot move to '{to}'")
    track.review_status = to
    track.save(update_fields=["review_status"])
    return bump_version(track)
