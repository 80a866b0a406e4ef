"""Status and role vocabularies shared by models, API and workers."""

from django.db import models


class Role(models.TextChoices):
    ANNOTATOR = "annotator"
    REVIEWER = "reviewer"
    MANAGER = "manager"


class VideoStatus(models.TextChoices):
    UPLOADED = "uploaded"
    EXTRACTING = "extracting"
    READY = "ready"
    FAILED = "failed"


class ReviewStatus(models.TextChoices):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class Source(models.TextChoices):
    MANUAL_BOX = "manual_box"
    MANUAL_MASK = "manual_mask"
    PROPAGATED = "propagated"


MANUAL_SOURCES = (Source.MANUAL_BOX, Source.MANUAL_MASK)


class Direction(models.TextChoices):
    FORWARD = "forward"
    BACKWARD = "backward"
    BOTH = "both"


class JobStatus(models.TextChoices):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


ACTIVE_JOB_STATUSES = (JobStatus.QUEUED, JobStatus.RUNNING)
