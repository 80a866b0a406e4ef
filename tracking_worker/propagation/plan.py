"""Which frames a job fills, per track and direction, and where a retried job resumes."""

from dataclasses import dataclass, field

from annotator.choices import BOUNDARY_SOURCES, STEPS, Source
from annotator.models import FrameAnnotation, PropagationJob


@dataclass
class TrackRun:
    """One track in one direction: fill `frames` (in tracking order) from the keyframe's box."""

    track_id: int
    key_box: list[float]
    frames: list[int]
    resume_after: int | None = None  # last frame written by an earlier attempt of this job
    resume_box: list[float] | None = None
    finished: bool = False

    @property
    def remaining(self) -> list[int]:
        if self.resume_after is None:
            return self.frames
        return self.frames[self.frames.index(self.resume_after) + 1 :]


@dataclass
class DirectionPlan:
    step: int  # +1 forward, -1 backward
    runs: list[TrackRun] = field(default_factory=list)

    @property
    def steps(self) -> int:
        return max((len(r.frames) for r in self.runs), default=0)

    @property
    def steps_done(self) -> int:
        return max((len(r.frames) - len(r.remaining) for r in self.runs), default=0)


def directions_of(job: PropagationJob) -> list[int]:
    return list(STEPS[job.direction])


def key_box(annotation: FrameAnnotation) -> list[float]:
    """The box the tracker starts from: a corrected mask re-initialises from that mask's box."""
    return list(annotation.bbox or ())


def frames_until_anchor(start: int, step: int, frame_count: int, anchors: set[int]) -> list[int]:
    """Frames after `start` in direction `step`, stopping before the next anchor or the clip's end."""
    frames, f = [], start + step
    while 0 <= f < frame_count and f not in anchors:
        frames.append(f)
        f += step
    return frames


def plan_job(job: PropagationJob) -> list[DirectionPlan]:
    """Plan every direction of the job, resuming after frames an earlier attempt wrote."""
    frame_count = job.video.frame_count
    plans = []
    for step in directions_of(job):
        plan = DirectionPlan(step=step)
        for track in job.tracks.order_by("id"):
            key = track.annotations.get(frame_index=job.start_frame)
            # outside frames end a run like anchors do (docs/propagation.md, "Outside frames")
            ends = set(track.annotations.filter(source__in=BOUNDARY_SOURCES).values_list("frame_index", flat=True))
            frames = frames_until_anchor(job.start_frame, step, frame_count, ends)
            # the keyframe itself was marked outside after the job was queued: nothing to start from
            run = TrackRun(track_id=track.pk, key_box=key_box(key), frames=frames if key.bbox is not None else [])
            _resume(run, job, track)
            if str(track.pk) in job.stop_reasons.get(str(step), {}):
                run.finished = True  # stopped in an earlier attempt (target lost, or an edit ahead)
            plan.runs.append(run)
        plans.append(plan)
    return plans


def _resume(run: TrackRun, job: PropagationJob, track) -> None:
    """Continue after the contiguous frames this job already wrote (a re-delivered task)."""
    written = dict(
        track.annotations.filter(job=job, source=Source.PROPAGATED, frame_index__in=run.frames)
        .values_list("frame_index", "bbox")
    )
    for frame in run.frames:
        if frame not in written:
            break
        run.resume_after, run.resume_box = frame, list(written[frame])
