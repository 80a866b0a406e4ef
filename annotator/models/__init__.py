"""Data model: one module per domain, re-exported here for Django and callers."""

from annotator.models.checkpoints import ModelCheckpoint, WorkerHeartbeat
from annotator.models.finetune import FineTuneRun
from annotator.models.jobs import BatchPropagation, JobTrack, PropagationJob
from annotator.models.outbox import OutboxMessage
from annotator.models.projects import Label, Membership, Project
from annotator.models.transfers import CocoMasks, ExportJob, ImportJob, TransferFormat
from annotator.models.tracks import FrameAnnotation, ReviewComment, Track, TrackEvent
from annotator.models.videos import Video

__all__ = [
    "BatchPropagation",
    "ExportJob",
    "ImportJob",
    "FineTuneRun",
    "FrameAnnotation",
    "JobTrack",
    "Label",
    "Membership",
    "ModelCheckpoint",
    "OutboxMessage",
    "Project",
    "PropagationJob",
    "ReviewComment",
    "Track",
    "TrackEvent",
    "TransferFormat",
    "CocoMasks",
    "Video",
    "WorkerHeartbeat",
]
