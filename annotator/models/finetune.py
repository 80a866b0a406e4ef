from django.conf import settings
from django.db import models

from annotator.models.job_state import JobStateMixin


class FineTuneStatus(models.TextChoices):
    QUEUED = "queued"
    RUNNING = "running"
    EVALUATING = "evaluating"  # training is complete; comparing the old and the new model
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


ACTIVE_FINETUNE_STATUSES = (FineTuneStatus.QUEUED, FineTuneStatus.RUNNING, FineTuneStatus.EVALUATING)


class FineTuneRun(JobStateMixin, models.Model):
    """One fine-tune of a project's model on its accepted tracks (annotator/services/finetune.py).

    It trains in bounded slices on the `gpu` queue, evaluates the old and the new model on the
    held-out videos, and registers the result as `checkpoint`; `decision` says whether the
    project now uses it.
    """

    Status = FineTuneStatus
    active_statuses = ACTIVE_FINETUNE_STATUSES
    counter_fields = ("steps_done", "steps_total")

    class Decision(models.TextChoices):
        NONE = "", "not decided"
        PROMOTED = "promoted"
        NOT_BETTER = "not_better"

    project = models.ForeignKey("annotator.Project", on_delete=models.CASCADE, related_name="finetunes")
    parent_checkpoint = models.ForeignKey(
        "annotator.ModelCheckpoint", null=True, on_delete=models.SET_NULL, related_name="+",
        help_text="The model it started from: the project's model when it was started.",
    )
    checkpoint = models.ForeignKey(
        "annotator.ModelCheckpoint", null=True, blank=True, on_delete=models.SET_NULL, related_name="finetune_runs",
        help_text="The fine-tuned model, once written (promoted or not).",
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    steps_done = models.PositiveIntegerField(default=0)
    steps_total = models.PositiveIntegerField(default=0)
    loss = models.FloatField(null=True, blank=True)
    seconds_left = models.FloatField(null=True, blank=True)
    cancel_requested = models.BooleanField(default=False)
    train_videos = models.JSONField(default=list, blank=True, help_text="Ids of the videos trained on.")
    heldout_videos = models.JSONField(default=list, blank=True, help_text="Ids of the videos evaluated on.")
    frames = models.PositiveIntegerField(default=0, help_text="Trusted (hand-made mask) frames trained on.")
    evaluation = models.JSONField(default=dict, blank=True,
                                  help_text='{"old": {...}, "new": {...}} on held-out videos.')
    decision = models.CharField(max_length=16, choices=Decision.choices, default=Decision.NONE, blank=True)
    reason = models.TextField(blank=True, help_text="Why it was promoted or not.")
    run_dir = models.CharField(max_length=500, blank=True,
                               help_text="The run's data and local training state on the last worker's host.")
    state_step = models.PositiveIntegerField(
        null=True, blank=True,
        help_text="Steps done in the resumable training state stored in the media store (null: none yet).",
    )
    state_sha256 = models.CharField(max_length=64, blank=True, help_text="The stored state's file sha256.")
    error = models.TextField(blank=True)
    slice_no = models.PositiveIntegerField(
        default=0,
        help_text="The training slice it is on; each task message names one, so a stale duplicate is dropped.",
    )
    attempts = models.PositiveIntegerField(
        default=0, help_text="Starts of the current slice: more than one means a worker died on it (redelivered).",
    )
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=FineTuneStatus.values),
                                   name="finetune_valid_status"),
            models.UniqueConstraint(fields=["project"], condition=models.Q(status__in=ACTIVE_FINETUNE_STATUSES),
                                    name="one_active_finetune_per_project"),
        ]

    def __str__(self):
        return f"Fine-tune {self.pk} ({self.status})"

    @property
    def progress(self) -> float:
        # evaluation follows the last step, so only DONE reads as complete
        return 1.0 if self.status == self.Status.DONE else super().progress

    def progress_uncounted(self) -> float:
        return 0.0  # a run that ended before its steps were counted trained nothing
