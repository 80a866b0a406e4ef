"""Labelled clips and archive helpers shared by the export, import and transfer API tests.

`label_video` gives the 12-frame 160x120 clip of `tests.clips` three tracks that exercise every
case the formats treat differently:

- object 1 ("person", in review): propagated masks with scores on every frame, a tracker box
  one pixel wider than the mask and a tilted rotated box; frame 11 is an empty mask (lost).
- object 2 ("ball", accepted): manual masks with a hole on frames 0-5; never overlaps object 1.
- object 3 ("person", draft): manual boxes only, on frames 2 and 5.
"""

import io
import json
import zipfile
from pathlib import Path

import numpy as np
from django.core.files.uploadedfile import SimpleUploadedFile

from annotator import masks
from annotator.choices import ReviewStatus, Source
from annotator.models import FrameAnnotation, Project, Track, Video
from annotator.services import projects as project_services
from annotator.services import transfers
from annotator.services import videos as video_services
from tests import clips

WIDTH, HEIGHT, FRAMES = 160, 120, 12
# add_halved_clip: the clip at twice the size, stored at WIDTH x HEIGHT (SIAMLABEL_FRAME_MAX_SIDE)
ORIGINAL_WIDTH, ORIGINAL_HEIGHT = 2 * WIDTH, 2 * HEIGHT


def square(x: int, y: int, size: int) -> np.ndarray:
    mask = np.zeros((HEIGHT, WIDTH), bool)
    mask[y:y + size, x:x + size] = True
    return mask


def ring(i: int) -> np.ndarray:
    """A 30x30 square with a 10x10 hole, drifting down; right half of the frame."""
    mask = square(110, 40 + i, 30)
    mask[50 + i:60 + i, 120:130] = False
    return mask


def person_mask(i: int) -> np.ndarray:
    return square(10 + 3 * i, 20, 20) if i < FRAMES - 1 else np.zeros((HEIGHT, WIDTH), bool)


def label_video(video: Video, *, by=None) -> list[Track]:
    person, ball = (video.project.labels.get(name=n) for n in ("person", "ball"))
    tracks = [
        Track.objects.create(video=video, label=label, object_id=i, review_status=status, created_by=by)
        for i, (label, status) in enumerate([(person, ReviewStatus.IN_REVIEW), (ball, ReviewStatus.ACCEPTED),
                                             (person, ReviewStatus.DRAFT)], start=1)
    ]
    rows = []
    for i in range(FRAMES):
        mask = person_mask(i)
        x, y = 10 + 3 * i, 20
        rows.append(FrameAnnotation(
            track=tracks[0], frame_index=i, source=Source.PROPAGATED, mask_rle=masks.encode_mask(mask),
            area=int(mask.sum()), bbox=[x - 0.5, y - 0.5, 21.0, 21.0], score=0.9 - i / 100,
            rotated_box=[[x, y + 2.0], [x + 18.0, y], [x + 20.0, y + 18.0], [x + 2.0, y + 20.0]],
        ))
    for i in range(6):
        mask = ring(i)
        rows.append(FrameAnnotation(
            track=tracks[1], frame_index=i, source=Source.MANUAL_MASK, mask_rle=masks.encode_mask(mask),
            area=int(mask.sum()), bbox=masks.mask_bbox(mask), rotated_box=masks.mask_rotated_box(mask),
        ))
    for i, box in ((2, [60.0, 70.0, 25.0, 15.0]), (5, [62.5, 71.0, 25.0, 15.5])):
        rows.append(FrameAnnotation(track=tracks[2], frame_index=i, source=Source.MANUAL_BOX, bbox=box,
                                    rotated_box=masks.box_corners(box)))
    FrameAnnotation.objects.bulk_create(rows)
    return tracks


def project_with_clip(*, name: str, by, tmp_path: Path, labels=("person", "ball"), video_name: str = "clip") -> Project:
    """A new project managed by `by` with the 12-frame clip, extracted synchronously."""
    project = project_services.create_project(name=name, by=by, labels=list(labels))
    add_clip(project, by=by, tmp_path=tmp_path, name=video_name)
    return project


def add_clip(project: Project, *, by, tmp_path: Path, name: str = "clip", size=(WIDTH, HEIGHT)) -> Video:
    path = clips.write_video(tmp_path / f"{name.replace('/', '_')}-{project.pk}.avi", width=size[0], height=size[1])
    upload = SimpleUploadedFile("clip.avi", path.read_bytes(), content_type="video/x-msvideo")
    video = video_services.create_video(project=project, name=name, upload=upload, by=by)
    return video_services.extract_video_frames(video.pk)


def add_halved_clip(project: Project, *, by, tmp_path: Path, settings) -> Video:
    """Add the clip at ORIGINAL_WIDTH x ORIGINAL_HEIGHT, its frames stored at WIDTH x HEIGHT.

    `settings` is pytest-django's fixture; SIAMLABEL_FRAME_MAX_SIDE stays set for the test.
    """
    settings.SIAMLABEL_FRAME_MAX_SIDE = WIDTH
    video = add_clip(project, by=by, tmp_path=tmp_path, size=(ORIGINAL_WIDTH, ORIGINAL_HEIGHT))
    assert (video.width, video.height, *video.original_size) == (WIDTH, HEIGHT, ORIGINAL_WIDTH, ORIGINAL_HEIGHT)
    return video


def export(project: Project, format: str, **options) -> zipfile.ZipFile:
    """Run an export synchronously and return its zip, opened."""
    job = transfers.start_export(project=project, format=format, by=None, **options)
    job = transfers.run_export(job.pk)
    assert job.status == "succeeded", job.error
    zip_file, _ = transfers.open_export(job=job)
    return zipfile.ZipFile(zip_file)


def import_archive(project: Project, format: str, data: bytes, filename: str = "labels.zip"):
    """Upload bytes as an import and run it synchronously; return the finished job."""
    job = transfers.start_import(project=project, format=format, upload=SimpleUploadedFile(filename, data), by=None)
    return transfers.run_import(job.pk)


def zip_bytes(entries: dict[str, bytes | str | dict | list]) -> bytes:
    """Return a zip holding `entries` (dicts and lists are written as JSON)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, value in entries.items():
            if isinstance(value, (dict, list)):
                value = json.dumps(value)
            zf.writestr(name, value)
    return out.getvalue()


def read_json(archive: zipfile.ZipFile, name: str):
    return json.loads(archive.read(name))
