"""A stand-in for the Celery task "tracking_worker.propagate", for end-to-end tests of the browser only.

It follows the worker's contract (design.md: chunked writes, progress on the job, manual frames
never overwritten, stop at the next anchor) but does no tracking: it moves the start box the way
tests/clips.synthetic_frames moves its square (3 px right per frame) and writes that box as the
mask. conftest.celery_worker_process loads it (worker --include) when no checkpoint is available
for the real tracker; it then takes the real task's name in the registry, whatever the import order.
"""

import time

from tracking_worker.celery_app import app

STEP_SECONDS = 0.25  # per chunk, so the browser sees several partial updates


@app.task(name="tests.e2e.propagate_stand_in", acks_late=True)
def propagate_stand_in(job_id: int) -> None:
    from django.conf import settings
    from django.db import transaction
    from django.utils import timezone

    from annotator import masks
    from annotator.choices import JobStatus, Source
    from annotator.models import FrameAnnotation, PropagationJob
    from annotator.services.propagation import finish_job

    job = PropagationJob.objects.get(pk=job_id)
    if job.status != JobStatus.QUEUED:
        return
    video, start = job.video, job.start_frame
    forward = list(range(start + 1, video.frame_count))
    backward = list(range(start - 1, -1, -1))
    runs = {"forward": [forward], "backward": [backward], "both": [forward, backward]}[job.direction]
    plan = []  # (track, frame, box)
    for track in job.tracks.all():
        anchor = track.annotations.get(frame_index=start)
        manual = set(track.annotations.exclude(source=Source.PROPAGATED).values_list("frame_index", flat=True))
        for frames in runs:
            for frame in frames:
                if frame in manual:
                    break  # the next anchor ends this direction
                x, y, w, h = anchor.bbox
                dx, dy = 3 * (frame - start), (frame % 3) - (start % 3)
                box = [min(max(x + dx, 0), video.width - w), min(max(y + dy, 0), video.height - h), w, h]
                plan.append((track, frame, box))
    PropagationJob.objects.filter(pk=job_id).update(
        status=JobStatus.RUNNING, started_at=timezone.now(), frames_total=len(plan), frames_done=0
    )
    chunk = settings.SIAMLABEL_CHUNK_FRAMES
    for i in range(0, len(plan), chunk):
        time.sleep(STEP_SECONDS)
        with transaction.atomic():
            for track, frame, box in plan[i : i + chunk]:
                mask = masks.box_mask(box, video.height, video.width)
                FrameAnnotation.objects.update_or_create(track=track, frame_index=frame, defaults={
                    "source": Source.PROPAGATED, "mask_rle": masks.encode_mask(mask), "bbox": masks.mask_bbox(mask),
                    "rotated_box": masks.mask_rotated_box(mask), "area": int(mask.sum()),
                    "score": round(0.97 - 0.01 * abs(frame - start), 3), "job": job,
                })
            done = min(i + chunk, len(plan))
            PropagationJob.objects.filter(pk=job_id).update(frames_done=done, fps=chunk / STEP_SECONDS)
    with transaction.atomic():
        job = PropagationJob.objects.select_for_update().get(pk=job_id)
        finish_job(job, JobStatus.SUCCEEDED)


# Messages are routed by name: the worker runs this for "tracking_worker.propagate". A later
# registration of the real task under that name keeps this one (Celery skips known names).
app.tasks["tracking_worker.propagate"] = propagate_stand_in
