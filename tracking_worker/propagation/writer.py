"""Chunked writes: one transaction per chunk, upserting propagated frames and the job's progress.

Manual and outside frames are never overwritten: the chunk locks its tracks (manual edits lock
them too), re-reads which frames are manual or outside, and skips them. Such a frame that appeared
ahead of a run while the job ran becomes that run's new end. Every write that reaches a track in review or
accepted makes it a draft again, in the same transaction (annotator/services/history.py).
"""

from dataclasses import dataclass, field

import numpy as np

from django.db import transaction
from django.utils import timezone

from annotator.choices import BOUNDARY_SOURCES, Source, TrackChange
from annotator.models import FrameAnnotation, PropagationJob, Track
from annotator.services.history import reopen_tracks

UPDATE_FIELDS = ["source", "mask_rle", "bbox", "rotated_box", "score", "quality", "area", "job", "run", "updated_at"]


@dataclass
class FrameRecord:
    track_id: int
    frame_index: int
    score: float
    bbox: list[float]
    rotated_box: list[list[float]]
    mask_rle: dict | None  # None until encode() (the writer thread encodes)
    area: int
    quality: float | None = None  # TrackResult.quality; None for models without one
    run: str = ""  # the run that tracked it: "forward" or "backward" (two-anchor fusion keeps either)
    mask: np.ndarray | None = field(default=None, repr=False)  # the frame mask, until encoded
    # or, instead of `mask`: (x0, y0, window mask, frame (h, w)), False outside the window
    window: tuple[int, int, np.ndarray, tuple[int, int]] | None = field(default=None, repr=False)

    def encode(self) -> "FrameRecord":
        """Turn the mask into its COCO RLE (the expensive part of a record) and drop the array."""
        from annotator import masks

        if self.window is not None:
            x0, y0, window, frame_hw = self.window
            self.mask_rle, self.window = masks.encode_window_mask(window, (x0, y0), frame_hw), None
        elif self.mask is not None:
            self.mask_rle, self.mask = masks.encode_mask(self.mask), None
        return self


@dataclass
class FlushResult:
    cancel_requested: bool
    ended_at: dict[int, int]  # track -> a manual frame made while the job ran: its run ends there


def flush(
    job: PropagationJob, records: list[FrameRecord], *, step: int, frames_done: int, fps: float | None
) -> FlushResult:
    """Upsert the records and the job's progress (and heartbeat) in one transaction, stopping runs at new anchors."""
    for record in records:
        record.encode()  # before the transaction: no lock is held while masks are encoded
    track_ids = sorted({r.track_id for r in records})
    with transaction.atomic():
        list(Track.objects.select_for_update().filter(pk__in=track_ids).order_by("pk").values_list("pk"))
        ended_at = {
            track_id: (min(frames) if step > 0 else max(frames))
            for track_id, frames in _manual_frames(track_ids, records).items()
        }
        rows = [
            FrameAnnotation(
                track_id=r.track_id, frame_index=r.frame_index, source=Source.PROPAGATED, mask_rle=r.mask_rle,
                bbox=r.bbox, rotated_box=r.rotated_box, score=r.score, quality=r.quality, area=r.area, job=job,
                run=r.run,
            )
            for r in records
            if r.track_id not in ended_at or (r.frame_index - ended_at[r.track_id]) * step < 0
        ]
        if rows:
            FrameAnnotation.objects.bulk_create(
                rows, update_conflicts=True, unique_fields=["track", "frame_index"], update_fields=UPDATE_FIELDS
            )
            reopen_tracks({r.track_id for r in rows}, TrackChange.PROPAGATED, job=job, detail=f"job {job.pk}")
        # the chunk renews the lease too: one statement fewer per chunk than a heartbeat of its own
        PropagationJob.objects.filter(pk=job.pk).update(frames_done=frames_done, fps=fps, heartbeat_at=timezone.now())
        cancel = PropagationJob.objects.filter(pk=job.pk).values_list("cancel_requested", flat=True).get()
    return FlushResult(cancel_requested=cancel, ended_at=ended_at)


def _manual_frames(track_ids: list[int], records: list[FrameRecord]) -> dict[int, set[int]]:
    if not records:
        return {}
    lo = min(r.frame_index for r in records)
    hi = max(r.frame_index for r in records)
    manual: dict[int, set[int]] = {}
    rows = FrameAnnotation.objects.filter(
        track_id__in=track_ids, source__in=BOUNDARY_SOURCES, frame_index__gte=lo, frame_index__lte=hi
    ).values_list("track_id", "frame_index")
    for track_id, frame in rows:
        manual.setdefault(track_id, set()).add(frame)
    return manual


def remove_stale_frames(job: PropagationJob, track_id: int, frames: list[int]) -> int:
    """Delete propagated frames in a finished run's range that older jobs wrote (replaced results)."""
    with transaction.atomic():
        deleted, _ = (
            FrameAnnotation.objects.filter(track_id=track_id, source=Source.PROPAGATED, frame_index__in=frames)
            .exclude(job=job)
            .delete()
        )
        if deleted:
            reopen_tracks([track_id], TrackChange.PROPAGATED, job=job, detail=f"job {job.pk}")
    return deleted


def fill_keyframe_mask(job: PropagationJob, record: FrameRecord) -> None:
    """Give a box-only keyframe the tracker's mask on that frame, inside the drawn box; the box stays.

    The annotator's box says where the object is, so mask pixels outside it are the tracker's
    spill onto the background and are dropped. Where nothing is left (a lost first step, a tiny
    box), the frame stays box-only: an empty mask would read as "not visible" and drop the drawn
    box from exports (docs/formats.md).
    """
    from annotator import masks

    keyframe = FrameAnnotation.objects.filter(
        track_id=record.track_id, frame_index=record.frame_index, mask_rle__isnull=True, bbox__isnull=False)
    drawn = keyframe.values_list("bbox", flat=True).first()
    if drawn is None:
        return
    record.encode()
    mask = masks.decode_mask(record.mask_rle)
    mask &= masks.box_mask(drawn, *mask.shape)
    area = int(mask.sum())
    if area == 0:
        return
    with transaction.atomic():
        filled = keyframe.update(mask_rle=masks.encode_mask(mask), area=area, score=record.score,
                                 quality=record.quality,
                                 updated_at=timezone.now())  # update() skips auto_now; clients re-read what changed
        if filled:
            reopen_tracks([record.track_id], TrackChange.PROPAGATED, job=job, detail=f"job {job.pk}")
