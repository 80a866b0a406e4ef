"""Exports and imports of labels: start a job (web), run it (the `default` queue), fetch the zip.

    job = start_export(project=project, format="coco", by=user)    # queued once committed
    run_export(job.pk)                                              # what the worker task does
    zip_file, filename = open_export(job=job)
    job = start_import(project=project, format="davis", upload=uploaded_file, by=user)
    run_import(job.pk)

Formats live in annotator/exporters and annotator/importers; docs/formats.md describes them.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from annotator import media_store, queue
from annotator.choices import JobStatus, ReviewStatus, Source, VideoStatus
from annotator.exporters import EXPORTERS, ArchiveWriter
from annotator.exporters.base import VideoExport, folder_name, project_categories
from annotator.importers import IMPORTERS, ArchiveError, ImportTarget, TargetVideo
from annotator.importers.base import ImportedVideo
from annotator.models import CocoMasks, ExportJob, FrameAnnotation, ImportJob, Project, Track, TransferFormat, Video
from annotator.services.attempts import gave_up_reason, out_of_attempts
from annotator.services import history
from annotator.services.errors import Conflict, ServiceError, TooLarge

log = logging.getLogger(__name__)

EXPORTS_DIR = "exports"
IMPORTS_DIR = "imports"
PROGRESS_SECONDS = 0.5  # at most two progress writes a second
BULK_SIZE = 1000
BULK_MASK_CHARS = 4_000_000  # RLE characters per import insert: detailed masks run to 100 kB each

ProgressCallback = Callable[[float], None]


class _Progress:
    """Report a job's progress to a callback (tqdm) and, throttled, to its row."""

    def __init__(self, model, pk: int, on_progress: ProgressCallback | None, *, total: int = 1,
                 start: float = 0.0, end: float = 1.0):
        self.model, self.pk, self.on_progress = model, pk, on_progress
        self.total, self.start, self.end = max(total, 1), start, end
        self.done, self._written = 0, 0.0

    def advance(self, n: int) -> None:
        self.done += n
        self.report(self.done / self.total)

    def report(self, fraction: float) -> None:
        """Record `fraction` (0..1) of this stage; the job reaches 1.0 only when it ends."""
        value = min(self.start + (self.end - self.start) * fraction, 0.99)
        if self.on_progress:
            self.on_progress(value)
        now = time.monotonic()
        if now - self._written >= PROGRESS_SECONDS:
            self.model.objects.filter(pk=self.pk).update(progress=round(value, 3))
            self._written = now


def _finish(job, status: str, error: str = "") -> None:
    job.status, job.error, job.finished_at = status, error, timezone.now()
    if status == JobStatus.SUCCEEDED:
        job.progress = 1.0
    job.save(update_fields=["status", "error", "finished_at", "progress", "file"]
             + (["summary"] if isinstance(job, ImportJob) else []))


def _start_running(job) -> bool:
    """Count a start of the job and mark it running; False (the job failed) once out of attempts."""
    if out_of_attempts(job.attempts):
        _finish(job, JobStatus.FAILED, gave_up_reason(job.attempts))
        return False
    job.status, job.progress, job.error, job.finished_at = JobStatus.RUNNING, 0.0, "", None
    job.attempts += 1
    job.save(update_fields=["status", "progress", "error", "finished_at", "attempts"])
    return True


def _slug(name: str) -> str:
    return re.sub(r"[^\w.-]+", "-", name).strip("-.") or "project"


# --- exports ----------------------------------------------------------------------------------


def start_export(
    *, project: Project, format: str, by, video_ids: list[int] | None = None,
    review_status: list[str] | None = None, include_frames: bool | None = None, coco_masks: str = CocoMasks.RLE,
    enqueue: bool = True,
) -> ExportJob:
    """Create an export of a project (or some of its videos) and queue it.

    `review_status` keeps only tracks in those statuses (empty: all). `include_frames` None
    means the format's default (DAVIS: with frames; COCO, YouTube-VIS: without). `coco_masks`:
    how a COCO export writes masks ("rle" or "polygon").
    """
    if format not in EXPORTERS:
        raise ServiceError(f"unknown format '{format}': choose one of {', '.join(EXPORTERS)}")
    if coco_masks not in CocoMasks.values:
        raise ServiceError(f"unknown COCO mask form '{coco_masks}': choose one of {', '.join(CocoMasks.values)}")
    if coco_masks != CocoMasks.RLE and format != TransferFormat.COCO:
        raise ServiceError(f"coco_masks '{coco_masks}' applies to COCO exports only, not {format}")
    statuses = list(dict.fromkeys(review_status or []))
    unknown = [s for s in statuses if s not in ReviewStatus.values]
    if unknown:
        raise ServiceError(f"unknown review status {', '.join(unknown)}: choose from {', '.join(ReviewStatus.values)}")
    videos: list[Video] = []
    if video_ids:
        found = {v.pk: v for v in project.videos.filter(pk__in=video_ids)}
        missing = sorted(set(video_ids) - set(found))
        if missing:
            raise ServiceError(f"videos {', '.join(map(str, missing))} are not in this project")
        not_ready = [f"{v.name} ({v.status})" for v in found.values() if not v.is_ready]
        if not_ready:
            raise ServiceError(f"these videos are not ready to export: {', '.join(not_ready)}")
        videos = list(found.values())
    elif not project.videos.filter(status=VideoStatus.READY).exists():
        raise ServiceError("the project has no ready video to export")
    if statuses:
        chosen = videos or project.videos.filter(status=VideoStatus.READY)
        if not Track.objects.filter(video__in=chosen, review_status__in=statuses).exists():
            # an empty archive would look like a successful export of nothing
            raise ServiceError(f"no track in {'these videos' if videos else 'this project'} is "
                               f"{' or '.join(ReviewStatus(s).label.lower() for s in statuses)}: nothing to export")
    if include_frames is None:
        include_frames = EXPORTERS[format].frames_by_default
    with transaction.atomic():
        job = ExportJob.objects.create(project=project, format=format, review_status=statuses,
                                       include_frames=include_frames, coco_masks=coco_masks, created_by=by)
        job.videos.set(videos)
        if enqueue:
            queue.enqueue_export(job.pk)
    return job


def run_export(job_id: int, *, on_progress: ProgressCallback | None = None) -> ExportJob:
    """Write an export's zip (the `default` queue task). Idempotent; failures end as `failed`."""
    job = ExportJob.objects.select_related("project").get(pk=job_id)
    if job.status == JobStatus.SUCCEEDED or not _start_running(job):
        return job
    relative = f"{EXPORTS_DIR}/{job.pk}/{_slug(job.project.name)}-{job.format}-{job.pk}.zip"
    try:
        with media_store.get().writing_file(relative) as partial:  # in place only once whole
            _write_export(job, partial, _Progress(ExportJob, job.pk, on_progress))
    except Exception as exc:
        if not isinstance(exc, (ServiceError, FileNotFoundError, ValueError)):
            log.exception("export %s failed", job_id)
        _finish(job, JobStatus.FAILED, getattr(exc, "message", None) or f"export failed: {exc}")
        return job
    job.file = relative
    _finish(job, JobStatus.SUCCEEDED)
    return job


def _write_export(job: ExportJob, path: Path, progress: _Progress) -> None:
    project = job.project
    videos = list(job.videos.all()) or list(project.videos.filter(status=VideoStatus.READY))
    not_ready = [v.name for v in videos if not v.is_ready]
    if not_ready:
        raise ServiceError(f"these videos are no longer ready: {', '.join(not_ready)}")
    videos.sort(key=lambda v: (v.name, v.pk))  # stable archive ids: re-exports number videos alike
    labels = list(project.labels.all())
    categories = project_categories(labels)
    category_of_label = {label.pk: category.id for label, category in zip(labels, categories, strict=True)}
    progress.total = max(sum(v.frame_count for v in videos), 1)
    with ArchiveWriter(path) as archive:
        exporter = EXPORTERS[job.format](archive, project_name=project.name, categories=categories,
                                         include_frames=job.include_frames, coco_masks=job.coco_masks)
        folders: set[str] = set()
        for number, video in enumerate(videos, start=1):
            folder = folder_name(video.name)
            while folder in folders:  # two names that differ only in unsafe characters
                folder = f"{folder}-{video.pk}"
            folders.add(folder)
            exporter.add_video(
                VideoExport(video, number=number, folder=folder, review_status=job.review_status,
                            category_of_label=category_of_label),
                on_frames=progress.advance,
            )
        exporter.finish()


def open_export(*, job: ExportJob) -> tuple[BinaryIO, str]:
    """Return a finished export's zip, open for reading, and the file name to download it as."""
    if job.status != JobStatus.SUCCEEDED:
        detail = f": {job.error}" if job.error else ""
        raise Conflict(f"the export is {job.status}{detail}; it can be downloaded once it has succeeded",
                       status=job.status)
    try:
        return media_store.get().open(job.file), PurePosixPath(job.file).name
    except FileNotFoundError:
        raise Conflict("the export's file is no longer in storage; start a new export") from None


# --- imports ----------------------------------------------------------------------------------


def start_import(*, project: Project, format: str, upload, by, enqueue: bool = True) -> ImportJob:
    """Store an uploaded archive (a Django File) and queue its import into the project.

    What can be checked without reading the labels (type, size, unsafe zip entries, the
    format's files) is refused here; everything else ends the job as `failed` with a message.
    """
    importer = IMPORTERS.get(format)
    if importer is None:
        raise ServiceError(f"unknown format '{format}': choose one of {', '.join(IMPORTERS)}")
    filename = _slug(Path(upload.name).name)
    try:
        importer.check_name(filename)
    except ArchiveError as exc:
        raise ServiceError(str(exc)) from exc
    if upload.size > settings.SIAMLABEL_MAX_UPLOAD_BYTES:
        limit_mb = settings.SIAMLABEL_MAX_UPLOAD_BYTES // 2**20
        raise TooLarge(f"the file is {upload.size / 2**20:.1f} MB; the limit is {limit_mb} MB")
    with transaction.atomic():
        job = ImportJob.objects.create(project=project, format=format, file="", created_by=by)
        relative = f"{IMPORTS_DIR}/{job.pk}/{filename}"
        store = media_store.get()
        try:
            with store.storing_upload(relative, upload) as target:
                importer.check_upload(target)
        except ArchiveError as exc:
            store.delete_prefix(f"{IMPORTS_DIR}/{job.pk}")
            raise ServiceError(str(exc)) from exc
        job.file = relative
        job.save(update_fields=["file"])
        if enqueue:
            queue.enqueue_import(job.pk)
    return job


def run_import(job_id: int, *, on_progress: ProgressCallback | None = None) -> ImportJob:
    """Read an uploaded archive and create its tracks (the `default` queue task).

    All or nothing: the archive is read and checked completely before anything is written,
    and the writes and the job's success commit together, so a retried job never imports twice.
    """
    job = ImportJob.objects.select_related("project").get(pk=job_id)
    if job.status == JobStatus.SUCCEEDED or not _start_running(job):
        return job
    progress = _Progress(ImportJob, job.pk, on_progress, end=0.9)
    try:
        with media_store.get().fetched(job.file) as archive:
            videos = IMPORTERS[job.format](archive, _import_target(job.project)).read(on_progress=progress.report)
        with transaction.atomic():
            job.summary = _write_imported(job, videos)
            _finish(job, JobStatus.SUCCEEDED)
    except (ArchiveError, ServiceError) as exc:
        _finish(job, JobStatus.FAILED, str(exc))
    except Exception as exc:  # an unexpected crash must still end readable, not stuck
        log.exception("import %s failed", job_id)
        _finish(job, JobStatus.FAILED, f"import failed: {exc}")
    return job


def _import_target(project: Project) -> ImportTarget:
    videos = list(project.videos.all())
    taken: dict[str, set[int]] = {}
    for name, object_id in Track.objects.filter(video__project=project).values_list("video__name", "object_id"):
        taken.setdefault(name, set()).add(object_id)
    return ImportTarget(
        videos=[TargetVideo(name=v.name, width=v.original_size[0], height=v.original_size[1],
                            frame_count=v.frame_count, status=v.status, stored_width=v.width, stored_height=v.height)
                for v in videos],
        labels=list(project.labels.values_list("name", flat=True)),
        taken_object_ids=taken,
    )


def _write_imported(job: ImportJob, imported: list[ImportedVideo]) -> dict:
    """Create the tracks and their manual annotations; return the job's summary."""
    project = job.project
    labels = {label.name: label for label in project.labels.all()}
    videos = {v.name: v for v in project.videos.select_for_update().filter(name__in=[iv.name for iv in imported])}
    summary = {"videos": 0, "tracks": 0, "frames": 0, "masks": 0, "boxes": 0, "outside": 0, "per_video": {}}
    for item in imported:
        video = videos[item.name]
        # checked when reading, checked again under the lock: someone may have added tracks since
        taken = set(video.tracks.values_list("object_id", flat=True)) & {t.object_id for t in item.tracks}
        if taken:
            raise ServiceError(f"video '{video.name}' now has tracks with object ids {sorted(taken)}; import again")
        tracks = Track.objects.bulk_create([
            Track(video=video, label=labels[t.label], object_id=t.object_id, created_by=job.created_by)
            for t in item.tracks
        ])
        history.record_imported(tracks, by=job.created_by, detail=f"import {job.pk} ({job.format})")
        rows = (  # read back from the import's spool one by one: never all of them in memory
            FrameAnnotation(
                track=track, frame_index=f.frame_index, mask_rle=f.mask_rle, area=f.area, bbox=f.bbox,
                rotated_box=f.rotated_box, source=_source(f),
            )
            for track, imported_track in zip(tracks, item.tracks, strict=True)
            for f in imported_track.frames.values()
        )
        for batch in _bounded_batches(rows):
            FrameAnnotation.objects.bulk_create(batch)
        masks = sum(t.frames.masks for t in item.tracks)
        outside = sum(t.frames.outside for t in item.tracks)
        summary["videos"] += 1
        summary["tracks"] += len(tracks)
        summary["frames"] += item.frame_total
        summary["masks"] += masks
        summary["boxes"] += item.frame_total - masks - outside
        summary["outside"] += outside
        summary["per_video"][video.name] = {"tracks": [t.object_id for t in item.tracks], "frames": item.frame_total}
    return summary


def _source(frame) -> str:
    """Imported frames are hand-made: a mask, a box alone, or an outside mark."""
    if frame.outside:
        return Source.OUTSIDE
    return Source.MANUAL_MASK if frame.mask_rle else Source.MANUAL_BOX


def _bounded_batches(rows):
    """Yield lists of at most BULK_SIZE rows and about BULK_MASK_CHARS of masks (bulk_create lists its input)."""
    batch, chars = [], 0
    for row in rows:
        batch.append(row)
        chars += len(row.mask_rle["counts"]) if row.mask_rle else 0
        if len(batch) >= BULK_SIZE or chars >= BULK_MASK_CHARS:
            yield batch
            batch, chars = [], 0
    if batch:
        yield batch
