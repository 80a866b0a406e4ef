"""The review queue: tracks waiting for a reviewer, worst-looking first.

    rows = tracks_for_review(user, project_id=3)          # list[ReviewRow], worst first
    rows[0].worst_frame, rows[0].area_jump_frame          # where to look first

A track's risk is the larger of (1 - its lowest confidence) and its largest relative jump in
mask area between consecutive annotated frames: a tracker that drifts shows one or the other.
A frame's confidence is its predicted IoU where the model has a quality head, else its tracker
score (models/tracks.py `confidence`).
"""

from dataclasses import dataclass, field

from django.db.models import Count, Q

from annotator.choices import ReviewStatus, Source
from annotator.models import FrameAnnotation, Track
from annotator.models.tracks import confidence
from annotator.selectors import tracks_visible_to


@dataclass
class ReviewRow:
    """One track in the queue, with the frames a reviewer should look at first."""

    track: Track
    frames: int = 0
    worst_confidence: float | None = None
    worst_measure: str | None = None  # "quality" or "score": what worst_confidence is
    worst_frame: int | None = None
    area_jump: float = 0.0  # |a_i - a_prev| / max(a_i, a_prev), 0..1; 1 means the mask appeared or vanished
    area_jump_frame: int | None = None
    unresolved_comments: int = 0
    risk: float = field(init=False, default=0.0)

    def finish(self) -> "ReviewRow":
        confidence_risk = 0.0 if self.worst_confidence is None else 1.0 - self.worst_confidence
        self.risk = round(max(confidence_risk, self.area_jump), 6)
        return self


def relative_jump(previous: int, current: int) -> float:
    """Return |current - previous| relative to the larger of the two (0 when both are 0)."""
    larger = max(previous, current)
    return abs(current - previous) / larger if larger else 0.0


def tracks_for_review(user, *, project_id: int | None = None, status: str = ReviewStatus.IN_REVIEW) -> list[ReviewRow]:
    """Return the user's tracks in `status`, sorted by risk (highest first), then by id."""
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

