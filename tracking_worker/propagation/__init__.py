"""The seam between a propagation job in the database and the tracker.

    run_job(job_id)   # called by the `tracking_worker.propagate` Celery task

plan.py works out which frames each track fills, runner.py drives the tracker over them,
writer.py stores results in chunks (one transaction each) with the job's progress.
"""

from tracking_worker.propagation.runner import run_job

__all__ = ["run_job"]
