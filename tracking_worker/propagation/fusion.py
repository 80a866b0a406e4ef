"""Two-anchor fusion: between manual frames A < B, a run from A and a run back from B; keep the better.

    partners = plan_partners(job, plan)            # runs back from the far anchor of each run in `plan`
    backs = track_partners(partners, ...)           # {track: {frame: FrameRecord}}, masks already RLE
    record = better(own, backs[track].get(frame))   # per frame, while the main run goes on

The run from the far anchor goes first and is kept in memory (its masks as RLE, a few kB a
frame), then the main run writes in chunks as without fusion, choosing per frame: progress,
live display and edit stops behave as for a single run, and nothing is written twice. Per frame
the result with the higher confidence wins: the mask's quality where the model gives one,
else the tracker score (models.confidence); an empty mask never wins.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from annotator.choices import MANUAL_SOURCES
from annotator.models import FrameAnnotation, PropagationJob
from annotator.models.tracks import confidence
from tracking_worker.propagation.plan import DirectionPlan, TrackRun
from tracking_worker.propagation.writer import FrameRecord


@dataclass
class PartnerRun:
    """The run back from the manual frame `anchor` that ends a main run, over the same frames."""

    anchor: int
    run: TrackRun


def plan_partners(job: PropagationJob, plan: DirectionPlan) -> list[PartnerRun]:
    """Return a partner for each run of `plan` that ends before a manual frame with a box."""
    runs = {r.track_id: r for r in plan.runs if not r.finished and r.remaining}
    ends = {t: r.frames[-1] + plan.step for t, r in runs.items()}
    # outside frames end a run too, but have no box to start from: no partner there
    anchors = FrameAnnotation.objects.filter(
        track_id__in=list(runs), source__in=MANUAL_SOURCES, bbox__isnull=False,
    ).filter(frame_index__in=set(ends.values())).values_list("track_id", "frame_index", "bbox")
    return [
        PartnerRun(anchor=frame, run=TrackRun(track_id=track_id, key_box=list(bbox),
                                              frames=list(reversed(runs[track_id].remaining))))
        for track_id, frame, bbox in anchors if ends[track_id] == frame
    ]


def partner_steps(partners: list[PartnerRun]) -> int:
    """Frames the partner passes step through: per anchor frame, its longest run (one batched pass each)."""
    longest: dict[int, int] = {}
    for p in partners:
        longest[p.anchor] = max(longest.get(p.anchor, 0), len(p.run.frames))
    return sum(longest.values())


def track_partners(
    partners: list[PartnerRun], *, tracker, read_frame_at: Callable, frames_at: Callable[[list[int]], Iterable],
    make_record: Callable, is_low: Callable[[FrameRecord], bool], patience: int, on_step: Callable[[], None],
) -> dict[int, dict[int, FrameRecord]]:
    """Run every partner (one batched pass per anchor frame); return its kept records, masks encoded.

    A partner stops like a main run when `patience` consecutive frames are low; its held frames
    are dropped, so where both runs lost the target the frames stay unwritten.
    """
    kept: dict[int, dict[int, FrameRecord]] = {p.run.track_id: {} for p in partners}
    by_anchor: dict[int, list[PartnerRun]] = {}
    for p in partners:
        by_anchor.setdefault(p.anchor, []).append(p)
    for anchor, group in by_anchor.items():
        key_frame = read_frame_at(anchor)
        tracker.clear()
        for p in group:
            tracker.add(p.run.track_id, key_frame, p.run.key_box)
        last = {p.run.track_id: p.run.frames[-1] for p in group}
        step = -1 if group[0].run.frames[0] < anchor else 1
        frames = sorted(set().union(*(p.run.frames for p in group)), key=lambda f: f * step)
        held: dict[int, list[FrameRecord]] = {t: [] for t in last}
        for frame_index, frame in frames_at(frames):
            for track_id, result in tracker.track(frame).items():
                record = make_record(track_id, frame_index, result, step).encode()
                if is_low(record):
                    held[track_id].append(record)
                    if len(held[track_id]) >= patience:
                        tracker.remove(track_id)
                        continue
                else:
                    held[track_id].append(record)
                    kept[track_id].update((r.frame_index, r) for r in held[track_id])
                    held[track_id] = []
                if frame_index == last[track_id]:
                    kept[track_id].update({r.frame_index: r for r in held[track_id]})
                    tracker.remove(track_id)
            on_step()
            if len(tracker) == 0:
                break
    tracker.clear()
    return kept


def better(own: FrameRecord, other: FrameRecord | None) -> FrameRecord:
    """Return the record with the higher confidence; `own` on a tie or when `other` is missing or empty."""
    if other is None or other.area == 0:
        return own
    if own.area == 0:
        return other
    return other if confidence(other.quality, other.score) > confidence(own.quality, own.score) else own


def covers(kept: dict[int, FrameRecord], frames: Iterable[int]) -> bool:
    """Return whether the partner kept a record on every one of `frames`."""
    return all(f in kept for f in frames)
