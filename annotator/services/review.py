"""Review workflow: draft -> in review -> accepted / rejected; any change sends it back to draft.

The changes that reopen a track live with the services that make them (tracks.py, the
propagation writer, revert_job), through services/history.py, which also logs every move here.
"""

from django.db import transaction

from annotator.choices import ReviewStatus, TrackChange
from annotator.models import ReviewComment, Track
from annotator.services import history
from annotator.services.errors import ServiceError
from annotator.services.finetune import start_after_accept
from annotator.services.tracks import bump_version, lock_track

# Allowed moves, and who makes them: annotators submit, reviewers decide.
SUBMIT_FROM = {ReviewStatus.DRAFT, ReviewStatus.REJECTED}
DECIDE_FROM = {ReviewStatus.IN_REVIEW}


@transaction.atomic
def submit_for_review(*, track: Track, version: int, by=None) -> Track:
    return _move(track, version, SUBMIT_FROM, ReviewStatus.IN_REVIEW, TrackChange.SUBMITTED, by=by)


@transaction.atomic
def accept_track(*, track: Track, version: int, by=None) -> Track:
    """Accept a track in review; refused while any of its comments is unresolved.

    When the project fine-tunes every N accepted tracks and this is the Nth, a fine-tune starts.
    """
    track = _move(track, version, DECIDE_FROM, ReviewStatus.ACCEPTED, TrackChange.ACCEPTED, by=by,
                  check=_no_unresolved_comments)
    start_after_accept(track.video.project)
    return track


@transaction.atomic
def reject_track(*, track: Track, version: int, comment: str = "", frame_index: int | None = None, by=None) -> Track:
    track = _move(track, version, DECIDE_FROM, ReviewStatus.REJECTED, TrackChange.REJECTED, by=by)
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


def _no_unresolved_comments(track: Track) -> None:
    # Runs under the track's row lock; a comment added after this commits reaches an accepted
    # track, which is fine: accepting judged the content, and the comment stays to be answered.
    open_ids = list(track.comments.filter(resolved=False).order_by("id").values_list("id", flat=True))
    if open_ids:
        raise ServiceError(
            f"the track has {len(open_ids)} unresolved comment{'s' if len(open_ids) > 1 else ''}; resolve "
            "them (or reject the track) before accepting it",
            unresolved_comments=open_ids,
        )


def _move(track: Track, version: int, allowed_from: set, to: str, change: str, *, by=None, check=None) -> Track:
    track = lock_track(track, version)
    if track.review_status not in allowed_from:
        raise ServiceError(f"a track in status '{track.review_status}' cannot move to '{to}'")
    if check:
        check(track)
    previous, track.review_status = track.review_status, to
    track.save(update_fields=["review_status"])
    history.record(track, change, from_status=previous, by=by)
    return bump_version(track)
