from django.db import models


class OutboxMessage(models.Model):
    """A worker task written in the same transaction as the rows it is about (transactional outbox).

    It is sent to the broker once that transaction commits and deleted when the broker took it.
    If the broker was away, it waits here and every worker's heartbeat loop sends it later, so a
    Redis restart never leaves a job `queued` with no message behind it.
    """

    task = models.CharField(max_length=100)
    args = models.JSONField(default=list)
    queue = models.CharField(max_length=50)
    priority = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"{self.task}{self.args} -> {self.queue}"
