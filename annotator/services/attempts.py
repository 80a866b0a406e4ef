"""Bounded retries for every job a worker runs (propagation, frame extraction, export, import).

Tasks are acknowledged late, so a job whose worker dies on it (a clip that crashes the decoder,
an out-of-memory kill) is delivered again. Each job counts its starts; once it has been started
SIAMLABEL_MAX_ATTEMPTS times, the next delivery ends it `failed` instead of running it again.

    if out_of_attempts(job.attempts):
        fail(job, gave_up_reason(job.attempts))
"""

from django.conf import settings


def out_of_attempts(attempts: int) -> bool:
    """Return whether a job already started `attempts` times must not be started again."""
    return attempts >= settings.SIAMLABEL_MAX_ATTEMPTS


def gave_up_reason(attempts: int) -> str:
    """Return the job's error once it is given up: what happened, and where to look."""
    return (f"worker died {attempts} times on this job; it is not retried again (SIAMLABEL_MAX_ATTEMPTS). "
            "The worker's log says why: a crash, or the system killing it for memory")
