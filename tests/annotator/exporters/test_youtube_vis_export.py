import numpy as np
import pytest

from annotator import masks
from tests.annotator.labelled import FRAMES, export, person_mask, read_json, ring

pytestmark = pytest.mark.django_db


def test_youtube_vis_export_lists_frames_and_one_annotation_per_track(cast, labelled):
    archive = export(cast.project, "youtube-vis")
    assert archive.namelist() == ["instances.json"]
    doc = read_json(archive, "instances.json")
    assert set(doc) == {"info", "licenses", "videos", "annotations", "categories"}
    assert doc["categories"] == [{"id": 1, "name": "person", "supercategory": ""},
                                 {"id": 2, "name": "ball", "supercategory": ""}]
    [video] = doc["videos"]
    assert [video[k] for k in ("id", "name", "width", "height", "length")] == [1, "clip", 160, 120, FRAMES]
    assert video["file_names"] == [f"clip/{i:05d}.jpg" for i in range(FRAMES)]
    assert [(a["id"], a["video_id"], a["category_id"], a["track_id"], a["iscrowd"]) for a in doc["annotations"]] == [
        (1, 1, 1, 1, 0), (2, 1, 2, 2, 0), (3, 1, 1, 3, 0)]
    for annotation in doc["annotations"]:
        for key in ("segmentations", "bboxes", "areas", "tracker_bboxes", "rotated_boxes"):
            assert len(annotation[key]) == FRAMES, key


def test_segmentations_decode_to_the_stored_masks_and_absent_frames_are_null(cast, labelled):
    person, ball, boxes = read_json(export(cast.project, "youtube-vis"), "instances.json")["annotations"]
    for i in range(FRAMES - 1):
        assert np.array_equal(masks.decode_mask(person["segmentations"][i]), person_mask(i))
        assert person["areas"][i] == float(person_mask(i).sum())
    assert person["segmentations"][11] is None and person["bboxes"][11] is None  # the empty (lost) frame
    assert person["bboxes"][0] == [10.0, 20.0, 20.0, 20.0]  # the mask's tight box
    assert person["tracker_bboxes"][0] == [9.5, 19.5, 21.0, 21.0]
    assert [s is None for s in ball["segmentations"]] == [False] * 6 + [True] * 6
    assert np.array_equal(masks.decode_mask(ball["segmentations"][5]), ring(5))


def test_box_only_frames_keep_their_box_with_a_null_segmentation(cast, labelled):
    boxes = read_json(export(cast.project, "youtube-vis"), "instances.json")["annotations"][2]
    assert boxes["segmentations"] == [None] * FRAMES
    assert boxes["areas"] == [None] * FRAMES
    assert boxes["bboxes"][2] == [60.0, 70.0, 25.0, 15.0] and boxes["bboxes"][5] == [62.5, 71.0, 25.0, 15.5]
    assert [b is None for b in boxes["bboxes"]].count(False) == 2


def test_frames_go_under_jpegimages_on_request(cast, labelled):
    names = export(cast.project, "youtube-vis", include_frames=True).namelist()
    frames = sorted(n for n in names if n.startswith("JPEGImages/"))
    assert frames == [f"JPEGImages/clip/{i:05d}.jpg" for i in range(FRAMES)]
