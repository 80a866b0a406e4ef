"""A manual correction, and the re-propagation it starts (issue 18).

    annotation, job = save_correction(track=t, frame_index=12, version=3, mask_rle=rle, by=user)

Correcting a propagated frame makes it an anchor. When the project's `auto_repropagate` is on (the
default), one interactive job then propagates from it both ways to the next manual frames, with
two-anchor fusion inside each segment (settings.SIAMLABEL_DEFAULT_FUSION), so the annotator never
has to ask. Editing a frame that was already manual changes an anchor the annotator placed on
purpose, and starts nothing.
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
    previous = track.annotations.filter(frame_index=frame_index).values_list("source", flat=True).first()
    annotation = set_frame_annotation(track=track, frame_index=frame_index, version=version, bbox=bbox,
                                      mask_rle=mask_rle, by=by)
    if previous != Source.PROPAGATED or not track.video.project.auto_repropagate:
        return annotation, None
    return annotation, repropagate_from(track=track, frame_index=frame_index, by=by)


def repropagate_from(*, track: Track, frame_index: int, by=None) -> PropagationJob | None:
    """Queue one job from the frame to the next manual frames both ways, superseding the track's waiting jobs.

    Waiting (queued) interactive jobs of this track alone are cancelled: the new anchor makes
    their results stale. A job that also holds other tracks is left alone (cancelling it would
    drop their work), and so is a running one: it stops before the new anchor (an edit stop).
    Either then keeps the track busy, and no job is started (None); the annotator re-propagates
    when it ends.
    """
    waiting = PropagationJob.objects.filter(job_tracks__track=track, job_tracks__active=True,
                                            status=JobStatus.QUEUED, batch__isnull=True)
    for job in waiting:
        if job.tracks.count() == 1:
            cancel_job(job=job)
    try:
        with transaction.atomic():
            return start_propagation(tracks=[track], start_frame=frame_index, direction=Direction.BOTH, by=by)
    except Conflict:
        return None
