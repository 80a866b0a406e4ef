"""A manual correction, and the re-propagation it starts (issue 18).

    annotation, job = save_correction(track=t, frame_index=12, version=3, mask_rle=rle, by=user)

Correcting a propagated frame makes it an anchor. When the project's `auto_repropagate` is on (the
default), one interactive job then propagates from it both ways to the next manual frames, with
two-anchor fusion inside each segment (settings.SIAMLABEL_DEFAULT_FUSION), so the annotator never
has to ask. Editing a frame that was already manual does the same when its box moves and a
propagated frame borders it: those frames were tracked from the old box (the tracker starts from
an anchor's box, so a mask edit that keeps the box changes nothing they depend on). A second
stroke on a just-corrected frame, or undoing the correction, thus refreshes its neighbours too.
"""

from django.db import transaction

from annotator.choices import Direction, JobStatus, Source
from annotator.models import FrameAnnotation, PropagationJob, Track
from annotator.services.errors import Conflict
from annotator.services.propagation import cancel_job, start_propagation
from annotator.services.tracks import set_frame_annotation


def save_correction(
    *, track: Track, frame_index: int, version: int, bbox=None, mask_rle=None, by=None,
) -> tuple[FrameAnnotation, PropagationJob | None]:
    """Store a hand-made box or mask; return it and the re-propagation it started, if any."""
    previous = track.annotations.filter(frame_index=frame_index).values_list("source", "bbox").first()
    annotation = set_frame_annotation(track=track, frame_index=frame_index, version=version, bbox=bbox,
                                      mask_rle=mask_rle, by=by)
    if not track.video.project.auto_repropagate or not _makes_neighbours_stale(track, previous, annotation):
        return annotation, None
    return annotation, repropagate_from(track=track, frame_index=frame_index, by=by)


def _makes_neighbours_stale(track: Track, previous: tuple | None, annotation: FrameAnnotation) -> bool:
    """Whether the save leaves propagated frames that no longer follow from it: a propagated frame was
    corrected, or a hand-made frame's box moved while a propagated frame borders it."""
    if previous is None:
        return False
    source, box = previous
    if source == Source.PROPAGATED:
        return True
    if source == Source.OUTSIDE or box == annotation.bbox:
        return False
    around = (annotation.frame_index - 1, annotation.frame_index + 1)
    return track.annotations.filter(frame_index__in=around, source=Source.PROPAGATED).exists()


def repropagate_from(*, track: Track, frame_index: int, by=None) -> PropagationJob | None:
    """Queue one job from the frame to the next manual frames both ways, superseding the track's waiting jobs.

    A queued or running interactive job of this track alone whose every frame lies in the new job's
    range is cancelled: the new anchor makes its results stale. Any other job (one that also holds
    other tracks, or reaches frames the new job does not, such as an earlier correction's run back
    to the anchor before it) is kept, and the new job waits for the one holding the track and
    starts when it ends (docs/propagation.md, "Re-propagation after a correction"). None when
    nothing could start.
    """
    for job in PropagationJob.objects.filter(job_tracks__track=track, status=JobStatus.QUEUED, batch__isnull=True):
        if _is_superseded(job, track=track, frame_index=frame_index):
            cancel_job(job=job)
    with transaction.atomic():
        holder = PropagationJob.objects.select_for_update().filter(  # its end cannot slip past this transaction
            job_tracks__track=track, job_tracks__active=True).first()
        if holder is None or not holder.is_active:
            holder = None
        try:
            with transaction.atomic():
                job = start_propagation(tracks=[track], start_frame=frame_index, direction=Direction.BOTH, by=by,
                                        wait_for_tracks=holder is not None)
        except Conflict:  # another job took the track since: it did not exist when we looked
            return None
    if holder is not None and _is_superseded(holder, track=track, frame_index=frame_index):
        cancel_job(job=holder)
    return job


def _is_superseded(job: PropagationJob, *, track: Track, frame_index: int) -> bool:
    """Whether all a job would still write lies in the segment re-propagated from `frame_index`.

    True for an interactive job of this track alone that starts on the corrected frame itself (an
    earlier stroke's refresh: the new job covers its range from the newer anchor), or that runs
    towards the corrected frame from the anchor before (or after) it: no hand-made or outside frame
    lies between its start and the corrected one. Its frames past the corrected frame are in the
    new job's forward (or backward) run. A `both` job from elsewhere never is: one of its runs
    heads away from the corrected frame.
    """
    if job.batch_id or job.tracks.count() != 1:
        return False
    if job.start_frame == frame_index:
        return True
    towards = Direction.FORWARD if job.start_frame < frame_index else Direction.BACKWARD
    if job.direction != towards:
        return False
    low, high = sorted((job.start_frame, frame_index))
    between = track.annotations.filter(frame_index__gt=low, frame_index__lt=high).exclude(source=Source.PROPAGATED)
    return not between.exists()
