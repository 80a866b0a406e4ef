import numpy as np
import pytest
from pycocotools import mask as coco_mask
from pycocotools.coco import COCO

from annotator import masks
from annotator.models import FrameAnnotation
from tests.annotator.labelled import FRAMES, add_clip, export, person_mask, read_json, ring

pytestmark = pytest.mark.django_db


def test_coco_export_has_one_image_per_frame_and_one_annotation_per_track_and_frame(cast, labelled):
    archive = export(cast.project, "coco")
    doc = read_json(archive, "annotations/instances.json")
    assert doc["categories"] == [{"id": 1, "name": "person", "supercategory": ""},
                                 {"id": 2, "name": "ball", "supercategory": ""}]
    assert doc["videos"] == [{"id": 1, "name": "clip", "width": 160, "height": 120, "length": FRAMES, "fps": 10.0}]
    assert doc["images"][3] == {"id": 4, "file_name": "clip/00003.jpg", "width": 160, "height": 120, "video_id": 1,
                                "frame_index": 3}
    assert len(doc["images"]) == FRAMES
    # object 1 on frames 0-10 (11 is an empty mask), object 2 on 0-5, object 3 on 2 and 5
    assert len(doc["annotations"]) == 11 + 6 + 2
    assert [a["id"] for a in doc["annotations"]] == list(range(1, 20))
    first = doc["annotations"][0]
    assert first["image_id"] == 1 and first["category_id"] == 1 and first["iscrowd"] == 0
    assert first["bbox"] == [10.0, 20.0, 20.0, 20.0]  # the mask's tight box, not the tracker's
    assert first["area"] == 400.0
    assert first["attributes"] == {"track_id": 1, "tracker_bbox": [9.5, 19.5, 21.0, 21.0],
                                   "rotated_box": [[10, 22.0], [28.0, 20], [30.0, 38.0], [12.0, 40.0]],
                                   "score": 0.9, "source": "propagated", "box_only": False}
    assert archive.namelist() == ["annotations/instances.json"]


def test_pycocotools_loads_the_export_and_its_masks_decode_to_the_stored_ones(cast, labelled, tmp_path):
    archive = export(cast.project, "coco")
    archive.extract("annotations/instances.json", tmp_path)
    coco = COCO(str(tmp_path / "annotations/instances.json"))
    assert len(coco.getImgIds()) == FRAMES and len(coco.getCatIds()) == 2
    stored = {(a.track.object_id, a.frame_index): a for a in FrameAnnotation.objects.select_related("track")}
    checked = 0
    for ann in coco.loadAnns(coco.getAnnIds()):
        image = coco.loadImgs(ann["image_id"])[0]
        row = stored[(ann["attributes"]["track_id"], image["frame_index"])]
        if row.mask_rle is None:
            continue
        decoded = coco.annToMask(ann).astype(bool)
        assert np.array_equal(decoded, masks.decode_mask(row.mask_rle))
        assert np.array_equal(coco_mask.decode(coco.annToRLE(ann)).astype(bool), decoded)
        checked += 1
    assert checked == 11 + 6
    assert np.array_equal(coco.annToMask(coco.loadAnns(coco.getAnnIds(catIds=[2]))[0]).astype(bool), ring(0))
    assert np.array_equal(coco.annToMask(coco.loadAnns(1)[0]).astype(bool), person_mask(0))


def test_box_only_frames_export_as_a_box_polygon_marked_manual_box(cast, labelled, tmp_path):
    archive = export(cast.project, "coco")
    doc = read_json(archive, "annotations/instances.json")
    boxes = [a for a in doc["annotations"] if a["attributes"]["track_id"] == 3]
    assert [(a["image_id"], a["bbox"], a["attributes"]["source"]) for a in boxes] == [
        (3, [60.0, 70.0, 25.0, 15.0], "manual_box"), (6, [62.5, 71.0, 25.0, 15.5], "manual_box")]
    assert boxes[0]["segmentation"] == [[60.0, 70.0, 85.0, 70.0, 85.0, 85.0, 60.0, 85.0]]
    assert boxes[0]["area"] == 25.0 * 15.0
    assert boxes[0]["attributes"]["rotated_box"] == masks.box_corners([60.0, 70.0, 25.0, 15.0])
    archive.extract("annotations/instances.json", tmp_path)
    coco = COCO(str(tmp_path / "annotations/instances.json"))
    assert coco.annToMask(coco.loadAnns(boxes[0]["id"])[0]).sum() > 0  # every annotation decodes


def test_empty_masks_are_left_out(cast, labelled):
    doc = read_json(export(cast.project, "coco"), "annotations/instances.json")
    assert 12 not in {a["image_id"] for a in doc["annotations"] if a["attributes"]["track_id"] == 1}


def test_review_status_filter_keeps_only_those_tracks(cast, labelled):
    doc = read_json(export(cast.project, "coco", review_status=["accepted", "in_review"]), "annotations/instances.json")
    assert {a["attributes"]["track_id"] for a in doc["annotations"]} == {1, 2}
    doc = read_json(export(cast.project, "coco", review_status=["accepted"]), "annotations/instances.json")
    assert {a["attributes"]["track_id"] for a in doc["annotations"]} == {2}


def test_frames_go_in_the_archive_on_request(cast, labelled):
    archive = export(cast.project, "coco", include_frames=True)
    frames = sorted(n for n in archive.namelist() if n.startswith("images/"))
    assert frames == [f"images/clip/{i:05d}.jpg" for i in range(FRAMES)]
    assert archive.read("images/clip/00004.jpg") == labelled.frame_path(4).read_bytes()


def test_a_selection_exports_only_those_videos_numbered_by_name(cast, labelled, tmp_path):
    other = add_clip(cast.project, by=cast.carol, tmp_path=tmp_path, name="another")
    doc = read_json(export(cast.project, "coco"), "annotations/instances.json")
    assert [(v["id"], v["name"]) for v in doc["videos"]] == [(1, "another"), (2, "clip")]
    assert doc["images"][FRAMES]["file_name"] == "clip/00000.jpg"
    doc = read_json(export(cast.project, "coco", video_ids=[other.pk]), "annotations/instances.json")
    assert [v["name"] for v in doc["videos"]] == ["another"] and doc["annotations"] == []


def test_unsafe_video_names_get_safe_folders(cast, tmp_path):
    add_clip(cast.project, by=cast.carol, tmp_path=tmp_path, name="../up and/away")
    archive = export(cast.project, "coco", include_frames=True)
    doc = read_json(archive, "annotations/instances.json")
    assert doc["videos"][0]["name"] == "../up and/away"
    assert doc["images"][0]["file_name"] == "video.._up_and_away/00000.jpg"
    for name in archive.namelist():
        assert ".." not in name.split("/") and not name.startswith("/")
