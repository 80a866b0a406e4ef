"""Cancelling a queued-or-running job row (a propagation job, a fine-tune) the same way.

    job = request_cancel(job, queued=JobStatus.QUEUED, end_queued=lambda j: finish_job(j, JobStatus.CANCELLED))
"""

from collections.abc import Callable
from typing import TypeVar

from django.db import models, transaction

Row = TypeVar("Row", bound=models.Model)


def request_cancel(row: Row, *, queued: str, end_queued: Callable[[Row], None]) -> Row:
    """Ask `row` to stop: a queued one ends at once through `end_queued`, a running one when its worker next looks.

    The row is re-read under a lock, so a worker claiming it at the same moment either sees the
    request or finds it already ended.
    """
    with transaction.atomic():
        row = type(row).objects.select_for_update().get(pk=row.pk)
        if not row.is_active:
            return row
        row.cancel_requested = True
        if row.status == queued:
            end_queued(row)
        else:
            row.save(update_fields=["cancel_requested"])
    return row
