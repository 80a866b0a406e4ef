"""The tracker's mask on a box keyframe (tracking_worker/propagation/writer.py `fill_keyframe_mask`):
cut to the drawn box, and not stored when nothing is left, so the drawn box is never lost."""

import numpy as np
import pytest

from annotator import masks
from annotator.models import FrameAnnotation
from annotator.services import propagation as propagation_services
from tests.annotator.labelled import HEIGHT, WIDTH
from tracking_worker.propagation.writer import FrameRecord, fill_keyframe_mask

pytestmark = pytest.mark.django_db


def fill(video, mask: np.ndarray) -> FrameAnnotation:
    track = video.tracks.get(object_id=3)  # the manual boxes on frames 2 and 5
    job = propagation_services.start_propagation(tracks=[track], start_frame=2, direction="forward", by=None,
                                                 enqueue=False)
    fill_keyframe_mask(job, FrameRecord(track_id=track.pk, frame_index=2, score=0.7, bbox=[0, 0, 1, 1],
                                        rotated_box=[], mask_rle=None, area=int(mask.sum()), mask=mask))
    return FrameAnnotation.objects.get(track=track, frame_index=2)


def test_the_keyframe_mask_is_cut_to_the_drawn_box(labelled):
    spill = np.zeros((HEIGHT, WIDTH), bool)
    spill[60:90, 50:90] = True  # past the drawn box [60, 70, 25, 15] on every side
    keyframe = fill(labelled, spill)
    inside = np.zeros_like(spill)
    inside[70:85, 60:85] = True
    assert np.array_equal(masks.decode_mask(keyframe.mask_rle), inside) and keyframe.area == 25 * 15
    assert keyframe.bbox == [60.0, 70.0, 25.0, 15.0] and keyframe.source == "manual_box" and keyframe.score == 0.7


def test_a_keyframe_mask_with_nothing_inside_the_box_is_not_stored(labelled):
    away = np.zeros((HEIGHT, WIDTH), bool)
    away[0:20, 0:20] = True  # the tracker's first step found something else
    keyframe = fill(labelled, away)
    assert keyframe.mask_rle is None and keyframe.area == 0 and keyframe.bbox == [60.0, 70.0, 25.0, 15.0]
