"""A track's propagation segments, and which of them are out of date (reads, four queries in all).

    for segment in stale_segments(Track.objects.filter(video=video), backward=True):
        segment.anchor, segment.step      # a batch fills it from this manual frame, +1 forward, -1 back

A segment is the run of frames between two manual frames (anchors), after the last anchor to the
clip's end, or, with `backward`, before the first anchor down to frame 0. Outside frames (the object
is not visible) bound segments like anchors but fill none: for planning each acts like the clip's
edge, so frames between two outside frames, or after an outside frame with no anchor later, form
no segment. It is up to date when
1. a propagation job that succeeded ran on the track from one of the anchors that bound the
   segment, in the direction into it, with that anchor as it is now: the job started after the
   anchor last changed or, where that change was a job filling in a box-only anchor's mask,
   finished after it; and
2. none of its frames was propagated from a frame that has no annotation any more (what a
   deleted anchor leaves behind).
See docs/propagation.md, "Batch propagation".
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db.models import BooleanField, Exists, ExpressionWrapper, F, Max, Min, OuterRef, Q, QuerySet

from annotator.choices import BOUNDARY_SOURCES, STEPS, JobStatus, Source
from annotator.models import FrameAnnotation, JobTrack, Track


@dataclass(frozen=True)
class Segment:
    """Frames first..last of one track, filled from `anchor` in direction `step`."""

    track_id: int
    video_id: int
    anchor: int
    step: int
    first: int
    last: int
    ends: tuple[tuple[int, int], ...]  # (anchor, step) of the runs that fill it: from either side


def track_segments(track_id: int, video_id: int, anchors: list[int], frame_count: int, *,
                   backward: bool, outside: frozenset[int] = frozenset()) -> list[Segment]:
    """Return the track's non-empty segments; `anchors` are its manual frames, `outside` its outside frames."""
    anchor_set = set(anchors)
    edges = [-1, *sorted(anchor_set | outside), frame_count]  # -1 and frame_count: the clip's edges
    segments = []
    for left, right in zip(edges, edges[1:]):
        if right - left <= 1:
            continue
        if left in anchor_set:
            ends = ((left, 1), (right, -1)) if right in anchor_set else ((left, 1),)
            segments.append(Segment(track_id, video_id, left, 1, left + 1, right - 1, ends))
        elif backward and right in anchor_set:
            segments.append(Segment(track_id, video_id, right, -1, left + 1, right - 1, ends=((right, -1),)))
    return segments


def stale_segments(tracks: QuerySet[Track], *, backward: bool) -> list[Segment]:
    """Return the segments of `tracks` that are not up to date, ordered by track."""
    rows = list(tracks.order_by("pk").values_list("pk", "video_id", "video__frame_count"))
    ids = tracks.values("pk")
    (anchors, outside), runs, leftovers = _anchors(ids), _last_runs(ids), _leftovers(ids)
    stale = []
    for track_id, video_id, frame_count in rows:
        changes = anchors.get(track_id)
        if not changes:
            continue
        segments = track_segments(track_id, video_id, sorted(changes), frame_count, backward=backward,
                                  outside=frozenset(outside.get(track_id, ())))
        for segment in segments:
            filled = any(_ran_since(runs.get((track_id, a, step)), *changes[a]) for a, step in segment.ends)
            left_over = any(lo <= segment.last and hi >= segment.first for lo, hi in leftovers.get(track_id, ()))
            if not filled or left_over:
                stale.append(segment)
    return stale


def _anchors(ids) -> tuple[dict[int, dict[int, tuple[datetime, bool]]], dict[int, set[int]]]:
    """Track -> manual frame -> (when it last changed, whether that was the tracker filling its mask in),
    and track -> its outside frames."""
    by_tracker = ExpressionWrapper(Q(source=Source.MANUAL_BOX, mask_rle__isnull=False), output_field=BooleanField())
    rows = (
        FrameAnnotation.objects.filter(track__in=ids, source__in=BOUNDARY_SOURCES).annotate(by_tracker=by_tracker)
        .values_list("track_id", "frame_index", "source", "updated_at", "by_tracker")
    )
    anchors: dict[int, dict[int, tuple[datetime, bool]]] = defaultdict(dict)
    outside: dict[int, set[int]] = defaultdict(set)
    for track_id, frame, source, updated_at, filled in rows:
        if source == Source.OUTSIDE:
            outside[track_id].add(frame)
        else:
            anchors[track_id][frame] = (updated_at, filled)
    return anchors, outside


def _ran_since(run: tuple[datetime, datetime] | None, changed_at: datetime, filled_by_tracker: bool) -> bool:
    """Whether the latest run (started, finished) used the anchor as it is now."""
    if run is None:
        return False
    started, finished = run
    # A fill is written by a job that started after the box was drawn, and a track runs one job at
    # a time: a job that finished after the fill is that job or a later one.
    return (finished if filled_by_tracker else started) >= changed_at


def _last_runs(ids) -> dict[tuple[int, int, int], tuple[datetime, datetime]]:
    """(track, start frame, step) -> when the latest succeeded jobs that ran it started and finished."""
    runs: dict[tuple[int, int, int], tuple[datetime, datetime]] = {}
    rows = (
        JobTrack.objects.filter(track__in=ids, job__status=JobStatus.SUCCEEDED, job__started_at__isnull=False)
        .values("track_id", "job__start_frame", "job__direction")
        .annotate(started=Max("job__started_at"), finished=Max("job__finished_at"))
    )
    for row in rows:
        for step in STEPS[row["job__direction"]]:
            key = (row["track_id"], row["job__start_frame"], step)
            earlier = runs.get(key, (row["started"], row["finished"]))
            runs[key] = (max(earlier[0], row["started"]), max(earlier[1], row["finished"]))
    return runs


def _leftovers(ids) -> dict[int, list[tuple[int, int]]]:
    """Track -> frame ranges propagated from a start frame that has no annotation any more."""
    start_kept = FrameAnnotation.objects.filter(track_id=OuterRef("track_id"), frame_index=OuterRef("job__start_frame"))
    after, before = Q(frame_index__gt=F("job__start_frame")), Q(frame_index__lt=F("job__start_frame"))
    rows = (
        FrameAnnotation.objects.filter(track__in=ids, source=Source.PROPAGATED, job__isnull=False)
        .annotate(start_kept=Exists(start_kept))
        .filter(start_kept=False)
        .values("track_id", "job__start_frame")
        .annotate(
            after_lo=Min("frame_index", filter=after), after_hi=Max("frame_index", filter=after),
            before_lo=Min("frame_index", filter=before), before_hi=Max("frame_index", filter=before),
        )
    )
    ranges: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for row in rows:
        for lo, hi in ((row["after_lo"], row["after_hi"]), (row["before_lo"], row["before_hi"])):
            if lo is not None:
                ranges[row["track_id"]].append((lo, hi))
    return ranges
