"""The review queue: tracks waiting for a reviewer, worst-looking first.

    rows = tracks_for_review(user, project_id=3)          # list[ReviewRow], worst first
    rows[0].worst_frame, rows[0].area_jump_frame          # where to look first

A track's risk is the larger of (1 - its lowest confidence) and its largest relative jump in
mask area between consecutive annotated frames: a tracker that drifts shows one or the other.
A frame's confidence is its mask's quality where the model gives one, else its tracker
score (models/tracks.py `confidence`); the database holds both in [0, 1], never NaN (its
constraints `annotation_*_in_unit_range`).

The database reduces each track's frames to its count, its worst frame and its largest jump (one
subquery each per track), so Python reads one row per track and the two frames these name
(docs/benchmarks.md, "Review queue").
"""

from dataclasses import dataclass, field

from django.db.models import Count, F, FloatField, OuterRef, QuerySet, Subquery, Window
from django.db.models.functions import Abs, Cast, Coalesce, Greatest, Lag, NullIf

from annotator.choices import ReviewStatus, Source
from annotator.models import FrameAnnotation, ReviewComment, Track
from annotator.models.tracks import confidence
from annotator.selectors import tracks_visible_to

# Frames without a mask: their area (0) says nothing, so they neither count as a jump nor end one.
MASKLESS_SOURCES = (Source.MANUAL_BOX, Source.OUTSIDE)


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
    tracks = list(tracks.select_related("video", "label").annotate(
        queue_frames=_count(FrameAnnotation.objects.filter(track=OuterRef("pk"))),
        queue_unresolved=_count(ReviewComment.objects.filter(track=OuterRef("pk"), resolved=False)),
        queue_worst_pk=Subquery(_worst_frame_of_track()),
        queue_jump_pk=Subquery(_largest_jump_of_track()),
    ))
    # A named frame deleted between the two reads is missing here: its row's worst or jump stays empty.
    named_pks = [pk for t in tracks for pk in (t.queue_worst_pk, t.queue_jump_pk) if pk is not None]
    named = {a.pk: a for a in _frames_with_previous_area(named_pks)}
    rows = []
    for track in tracks:
        row = ReviewRow(track=track, frames=track.queue_frames, unresolved_comments=track.queue_unresolved)
        if (worst := named.get(track.queue_worst_pk)) is not None:
            row.worst_confidence, row.worst_frame = confidence(worst.quality, worst.score), worst.frame_index
            row.worst_measure = "quality" if worst.quality is not None else "score"
        jump = named.get(track.queue_jump_pk)
        if jump is not None and jump.previous_area is not None:
            value = relative_jump(jump.previous_area, jump.area)
            if value > 0:  # a track whose mask never changes has no jump frame
                row.area_jump, row.area_jump_frame = value, jump.frame_index
        rows.append(row.finish())
    return sorted(rows, key=lambda r: (-r.risk, r.track.pk))


def _count(rows: QuerySet) -> Coalesce:
    """Return a subquery counting `rows` (filtered on the outer track), 0 when there are none."""
    return Coalesce(Subquery(rows.order_by().values("track").annotate(n=Count("*")).values("n")), 0)


def _masked_frames() -> QuerySet[FrameAnnotation]:
    return FrameAnnotation.objects.exclude(source__in=MASKLESS_SOURCES)


def _worst_frame_of_track() -> QuerySet:
    """Return a subquery: the pk of the track's frame of lowest confidence, the first in frame order on a tie."""
    return (
        FrameAnnotation.objects.filter(track=OuterRef("pk"))
        .annotate(value=Coalesce("quality", "score"))  # models/tracks.py `confidence`
        .filter(value__isnull=False)
        .order_by("value", "frame_index")
        .values("pk")[:1]
    )


def _largest_jump_of_track() -> QuerySet:
    """Return a subquery: the pk of the track's masked frame with the largest `relative_jump` from the masked
    frame before it, the first in frame order on a tie."""
    previous = Window(Lag("area"), order_by="frame_index")  # the track's masked frames only: WHERE comes first
    # as `relative_jump`: integers made floats, one division, so equal jumps are equal here too; 0/0 is NULL
    jump = Cast(Abs(F("area") - previous), FloatField()) / Cast(NullIf(Greatest("area", previous), 0), FloatField())
    return (
        _masked_frames().filter(track=OuterRef("pk"))
        .order_by(jump.desc(nulls_last=True), "frame_index")
        .values("pk")[:1]
    )


def _frames_with_previous_area(pks: list[int]) -> QuerySet[FrameAnnotation]:
    """Return these frames, each with `previous_area`: the area of the track's masked frame before it (or None)."""
    previous = _masked_frames().filter(track=OuterRef("track"), frame_index__lt=OuterRef("frame_index"))
    return (
        FrameAnnotation.objects.filter(pk__in=pks)
        .only("pk", "frame_index", "score", "quality", "area")
        .annotate(previous_area=Subquery(previous.order_by("-frame_index").values("area")[:1]))
    )
