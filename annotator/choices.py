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


# A change to a track in these statuses sends it back to draft: its content is no longer what
# was submitted or accepted (docs/review.md).
REVIEWED_STATUSES = (ReviewStatus.IN_REVIEW, ReviewStatus.ACCEPTED)


class TrackChange(models.TextChoices):
    """What a track history entry records: a review decision, or the change that reopened the track."""

    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    EDITED = "edited"
    FRAMES_DELETED = "frames_deleted"
    RELABELLED = "relabelled"
    PROPAGATED = "propagated"
    REVERTED = "reverted"
    IMPORTED = "imported"
    MERGED = "merged"
    SPLIT = "split"
    MARKED_OUTSIDE = "marked_outside"


class Source(models.TextChoices):
    MANUAL_BOX = "manual_box"
    MANUAL_MASK = "manual_mask"
    PROPAGATED = "propagated"
    OUTSIDE = "outside"  # the annotator says the object is not visible here: no mask, no box


# Frames a propagation job may start from (anchors).
MANUAL_SOURCES = (Source.MANUAL_BOX, Source.MANUAL_MASK)
# Frames propagation never writes: a run stops before them (docs/propagation.md, "Outside frames").
BOUNDARY_SOURCES = (*MANUAL_SOURCES, Source.OUTSIDE)


class Precision(models.TextChoices):
    """Tracker precision of a propagation job (tracking_worker/siammask/precision.py)."""

    EXACT = "exact"
    FAST = "fast"


class Direction(models.TextChoices):
    FORWARD = "forward"
    BACKWARD = "backward"
    BOTH = "both"


# The tracking steps of each direction: +1 forward, -1 backward; `both` runs forward first.
STEPS = {Direction.FORWARD: (1,), Direction.BACKWARD: (-1,), Direction.BOTH: (1, -1)}


class JobStatus(models.TextChoices):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


ACTIVE_JOB_STATUSES = (JobStatus.QUEUED, JobStatus.RUNNING)
