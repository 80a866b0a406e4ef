"""The production Celery app in a worker that dies the moment any job starts, for the attempt cap.

    celery -A tests.reliability.crashing_worker worker -Q gpu,default --pool prefork

It stands for a clip that crashes the decoder or an out-of-memory kill: once the row that marks a
job's start commits (a video extracting; an export, import or propagation job running, its
attempt counted), the process exits through os._exit, with no cleanup, no acknowledgement and no
chance to mark anything failed, as if the kernel had killed it. Nothing else differs from
`celery -A config`.
"""

import os

from django.db import transaction
from django.db.models.signals import post_save

from config.celery import app  # noqa: F401  (what `celery -A` looks up)

STARTED = {"annotator.Video": "extracting", "annotator.ExportJob": "running", "annotator.ImportJob": "running",
           "annotator.PropagationJob": "running"}
EXIT_CODE = 70


def _die_once_committed(sender, instance, **_):
    started = STARTED.get(sender._meta.label)
    if started and instance.status == started:
        transaction.on_commit(lambda: os._exit(EXIT_CODE))


post_save.connect(_die_once_committed, dispatch_uid="crashing_worker")
