"""Imports into a video stored at half size (SIAMLABEL_FRAME_MAX_SIDE) read original coordinates.

Labels exported from a halved video (original coordinates, tests/annotator/exporters/
test_export_original_size.py) and imported into another halved video give back the stored labels.
"""

from pathlib import Path

import numpy as np
import pytest

from annotator import masks
from annotator.models import FrameAnnotation
from annotator.services import projects as project_services
from tests.annotator.labelled import (
    add_halved_clip,
    export,
    import_archive,
    label_video,
)

pytestmark = pytest.mark.django_db


def halved_project(name: str, cast, tmp_path, settings):
    project = project_services.create_project(name=name, by=cast.carol, labels=["person", "ball"])
    add_halved_clip(project, by=cast.carol, tmp_path=tmp_path, settings=settings)
    return project


def stored(project) -> dict:
    """{(object id, frame): (mask, tracker box, rotated box)} of the project's one video."""
    rows = FrameAnnotation.objects.filter(track__video__project=project).values_list(
        "track__object_id", "frame_index", "mask_rle", "bbox", "rotated_box")
    return {(object_id, frame): (None if rle is None else masks.decode_mask(rle), bbox, rotated)
            for object_id, frame, rle, bbox, rotated in rows}


@pytest.mark.parametrize("format", ["coco", "youtube-vis", "davis"])
def test_labels_exported_from_a_halved_video_import_back_at_the_stored_size(cast, tmp_path, settings, format):
    source, target = halved_project("H", cast, tmp_path, settings), halved_project("R", cast, tmp_path, settings)
    label_video(source.videos.get(), by=cast.alice)
    archive = export(source, format)
    job = import_archive(target, format, Path(archive.filename).read_bytes())
    assert job.status == "succeeded", job.error
    before, after = stored(source), stored(target)
    if format == "davis":  # DAVIS has masks only: the box-only track 3 and the empty frame are not in it
        before = {k: v for k, v in before.items() if v[0] is not None and v[0].any()}
    else:
        before = {k: v for k, v in before.items() if v[0] is None or v[0].any()}
    assert after.keys() == before.keys()
    for key, (mask, bbox, rotated) in before.items():
        got_mask, got_bbox, got_rotated = after[key]
        if mask is not None:
            assert got_mask.shape == (120, 160) and np.array_equal(got_mask, mask), key
        if format != "davis":  # DAVIS carries no boxes: they are the masks' own on import
            assert np.allclose(got_bbox, bbox, atol=1e-3) and np.allclose(got_rotated, rotated, atol=1e-3), key


def test_labels_at_the_stored_size_are_refused_by_a_halved_video(cast, labelled, tmp_path, settings):
    target = halved_project("R", cast, tmp_path, settings)
    archive = export(cast.project, "coco")  # P's clip is 160x120: the stored size of R's, not its original
    job = import_archive(target, "coco", Path(archive.filename).read_bytes())
    assert job.status == "failed"
    assert "is 160x120, but video 'clip' is 320x240" in job.error
