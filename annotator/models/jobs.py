from django.conf import settings
from django.db import models
from django.utils import timezone

from annotator.choices import ACTIVE_JOB_STATUSES, Direction, JobStatus, Precision
from annotator.models.job_state import JobStateMixin


class BatchPropagation(models.Model):
    """An admin-triggered propagation over many videos; progress aggregates its jobs."""

    project = models.ForeignKey("annotator.Project", null=True, on_delete=models.CASCADE, related_name="batches")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    max_running = models.PositiveIntegerField(default=2, help_text="How many of its jobs may run at once.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "batch propagations"

    def __str__(self):
        return f"Batch {self.pk}"


class PropagationJob(JobStateMixin, models.Model):
    active_statuses = ACTIVE_JOB_STATUSES
    counter_fields = ("frames_done", "frames_total")

    video = models.ForeignKey("annotator.Video", on_delete=models.CASCADE, related_name="jobs")
    tracks = models.ManyToManyField("annotator.Track", through="annotator.JobTrack", related_name="jobs")
    start_frame = models.PositiveIntegerField()
    direction = models.CharField(max_length=8, choices=Direction.choices, default=Direction.FORWARD)
    precision = models.CharField(max_length=8, choices=Precision.choices, default=Precision.EXACT,
                                 help_text="Tracker precision: exact (float32) or fast (docs/tracker.md).")
    fusion = models.BooleanField(
        default=False, help_text="Between two anchors, also run back from the far one and keep the better frame; "
                                 "a worker that finds no run to fuse sets it back to false.",
    )
    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    frames_done = models.PositiveIntegerField(default=0)
    frames_total = models.PositiveIntegerField(default=0)
    fps = models.FloatField(null=True, blank=True)
    error = models.TextField(blank=True)
    cancel_requested = models.BooleanField(default=False)
    checkpoint = models.ForeignKey(
        "annotator.ModelCheckpoint", null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    checkpoint_sha256 = models.CharField(max_length=64, blank=True)
    tracker_config = models.JSONField(default=dict, blank=True)
    stop_reasons = models.JSONField(default=dict, blank=True, help_text="Per track: why and where it stopped.")
    batch = models.ForeignKey(BatchPropagation, null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs")
    attempts = models.PositiveIntegerField(default=0)
    enqueued_at = models.DateTimeField(null=True, blank=True, help_text="When it was sent to a worker queue.")
    heartbeat_at = models.DateTimeField(null=True, blank=True, help_text="Last sign of life of the worker running it.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=JobStatus.values), name="job_valid_status"),
            models.CheckConstraint(condition=models.Q(direction__in=Direction.values), name="job_valid_direction"),
            models.CheckConstraint(condition=models.Q(frames_done__lte=models.F("frames_total")), name="job_done_le_total"),
        ]

    def __str__(self):
        return f"Job {self.pk} ({self.status})"

    @property
    def waits_for_track(self) -> bool:
        """Whether it waits for another job holding its track to end (a re-propagation, services/corrections.py)."""
        return self.status == JobStatus.QUEUED and not self.batch_id and self.enqueued_at is None

    @property
    def seconds_left(self) -> float | None:
        if not self.fps or not self.is_active:
            return None
        return max(self.frames_total - self.frames_done, 0) / self.fps

    @property
    def duration(self) -> float | None:
        if not self.started_at:
            return None
        return ((self.finished_at or timezone.now()) - self.started_at).total_seconds()


class JobTrack(models.Model):
    """Links a job to a track; `active` rows enforce one running job per track in the database.

    A batch job's rows become active only when a worker starts it (services/batches.py).
    """

    job = models.ForeignKey(PropagationJob, on_delete=models.CASCADE, related_name="job_tracks")
    track = models.ForeignKey("annotator.Track", on_delete=models.CASCADE, related_name="job_tracks")
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "track"], name="jobtrack_unique"),
            models.UniqueConstraint(
                fields=["track"], condition=models.Q(active=True), name="one_active_job_per_track"
            ),
        ]
