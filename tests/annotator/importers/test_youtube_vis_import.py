import json

import numpy as np
import pytest

from annotator import masks
from annotator.choices import Source
from annotator.models import FrameAnnotation, Track
from tests.annotator.labelled import import_archive, square

pytestmark = pytest.mark.django_db


def uncompressed(mask: np.ndarray) -> dict:
    """Column-major run lengths starting with a background run, as YouTube-VIS train files store them."""
    flat = mask.flatten(order="F").astype(int)
    changes = np.flatnonzero(np.diff(np.concatenate([[0], flat, [1 - flat[-1]]])))
    return {"size": list(mask.shape), "counts": np.diff(np.concatenate([[0], changes])).tolist()}


def ytvis(file_names, segmentations, bboxes, **video) -> dict:
    return {
        "videos": [{"id": 5, "width": 160, "height": 120, "length": len(file_names), "file_names": file_names,
                    **video}],
        "annotations": [{"id": 1, "video_id": 5, "category_id": 2, "iscrowd": 0, "segmentations": segmentations,
                         "bboxes": bboxes, "areas": [None] * len(file_names)}],
        "categories": [{"id": 2, "name": "ball", "supercategory": "object"}],
    }


def test_every_fifth_frame_listings_match_frames_by_number(cast, ready_video):
    names = ["clip/00000.jpg", "clip/00005.jpg", "clip/00010.jpg"]
    doc = ytvis(names, [uncompressed(square(20, 20, 10)), None, [[50, 50, 70, 50, 70, 70, 50, 70]]],
                [[20, 20, 10, 10], [1, 2, 3, 4], None])
    job = import_archive(cast.project, "youtube-vis", json.dumps(doc).encode(), "train.json")
    assert job.status == "succeeded", job.error
    track = Track.objects.get(video=ready_video)
    assert track.label.name == "ball"
    frames = {a.frame_index: a for a in FrameAnnotation.objects.filter(track=track)}
    assert {i: f.source for i, f in frames.items()} == {0: Source.MANUAL_MASK, 5: Source.MANUAL_BOX,
                                                       10: Source.MANUAL_MASK}
    assert np.array_equal(masks.decode_mask(frames[0].mask_rle), square(20, 20, 10))
    assert frames[5].bbox == [1.0, 2.0, 3.0, 4.0]


@pytest.mark.parametrize("doc, message", [
    (ytvis(["clip/00000.jpg"], [None, None], [None, None]), "'segmentations' must list one entry per frame (1)"),
    (ytvis(["clip/00000.jpg"], [None], [None], length=3), "has length 3 but lists 1 file names"),
    (ytvis(["clip/a.jpg", "clip/b.jpg"], [None] * 2, [None] * 2), "its file names carry no frame numbers"),
    (ytvis(["clip/00000.jpg"], [masks.encode_mask(np.ones((10, 10), bool))], [None]), "the mask is 10x10"),
])
def test_bad_youtube_vis_files_fail_with_a_clear_message(cast, ready_video, doc, message):
    job = import_archive(cast.project, "youtube-vis", json.dumps(doc).encode(), "instances.json")
    assert job.status == "failed"
    assert message in job.error
