"""The review queue as it was computed before issue h5: every frame streamed into Python.

Kept as the oracle for tests/annotator/test_review_queue_in_database.py and the reference for
bench/review_queue.py; `annotator.review_queue.tracks_for_review` must give exactly its rows.
"""

from django.db.models import Count, Q

from annotator.choices import ReviewStatus, Source
from annotator.models import FrameAnnotation, Track
from annotator.models.tracks import confidence
from annotator.review_queue import ReviewRow, relative_jump
from annotator.selectors import tracks_visible_to


def tracks_for_review_in_python(user, *, project_id: int | None = None,
                                status: str = ReviewStatus.IN_REVIEW) -> list[ReviewRow]:
    """Return what `tracks_for_review` returns, reading every annotation row of the tracks."""
    tracks = tracks_visible_to(user).filter(review_status=status)
    if project_id is not None:
        tracks = tracks.filter(video__project_id=project_id)
    rows = {t.pk: ReviewRow(track=t) for t in tracks.select_related("video", "label")}
    if not rows:
        return []
    annotations = (
        FrameAnnotation.objects.filter(track_id__in=rows)
        .order_by("track_id", "frame_index")
        .values_list("track_id", "frame_index", "source", "score", "quality", "area")
    )
    previous_area: dict[int, int] = {}
    for track_id, frame, source, score, quality, area in annotations.iterator(chunk_size=5000):
        row = rows[track_id]
        row.frames += 1
        value = confidence(quality, score)
        if value is not None and (row.worst_confidence is None or value < row.worst_confidence):
            row.worst_confidence, row.worst_frame = value, frame
            row.worst_measure = "quality" if quality is not None else "score"
        if source in (Source.MANUAL_BOX, Source.OUTSIDE):  # no mask: its area says nothing
            continue
        if track_id in previous_area:
            jump = relative_jump(previous_area[track_id], area)
            if jump > row.area_jump:
                row.area_jump, row.area_jump_frame = jump, frame
        previous_area[track_id] = area
    unresolved = (
        Track.objects.filter(pk__in=rows)
        .annotate(n=Count("comments", filter=Q(comments__resolved=False)))
        .values_list("pk", "n")
    )
    for track_id, n in unresolved:
        rows[track_id].unresolved_comments = n
    return sorted((r.finish() for r in rows.values()), key=lambda r: (-r.risk, r.track.pk))
