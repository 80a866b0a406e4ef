"""`is_active` and `progress` for rows a worker advances in counted steps.

    class PropagationJob(JobStateMixin, models.Model):
        active_statuses = ACTIVE_JOB_STATUSES
        counter_fields = ("frames_done", "frames_total")
"""


class JobStateMixin:
    """Derive a job's state from its `status` and a pair of done/total counters."""

    active_statuses: tuple[str, ...] = ()
    counter_fields: tuple[str, str] = ("", "")  # (done, total) field names

    @property
    def is_active(self) -> bool:
        return self.status in self.active_statuses

    @property
    def progress(self) -> float:
        done, total = (getattr(self, name) for name in self.counter_fields)
        return done / total if total else self.progress_uncounted()

    def progress_uncounted(self) -> float:
        """Return the progress of a job that has no total yet: none while active, all once it ended."""
        return 0.0 if self.is_active else 1.0
