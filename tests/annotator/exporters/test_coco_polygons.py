"""COCO masks as polygons (`coco_masks="polygon"`), for readers that take only polygons: the
polygons sit on pixel corners, so pycocotools decodes them back to the stored mask, holes filled."""

import numpy as np
import pytest
from pycocotools import mask as coco_mask

from annotator import masks
from annotator.models import FrameAnnotation
from tests.annotator.labelled import FRAMES, HEIGHT, WIDTH, export, import_archive, project_with_clip, read_json

pytestmark = pytest.mark.django_db


def decoded(segmentation) -> np.ndarray:
    """What a polygon-only COCO reader makes of a segmentation (pycocotools, as torchvision's reference does)."""
    return coco_mask.decode(coco_mask.merge(coco_mask.frPyObjects(segmentation, HEIGHT, WIDTH))).astype(bool)


def annotations(project, **options) -> list[dict]:
    return read_json(export(project, "coco", **options), "annotations/instances.json")["annotations"]


def test_polygons_decode_to_the_stored_masks_and_boxes_stay_boxes(cast, labelled):
    stored = {(a.track.object_id, a.frame_index): a for a in FrameAnnotation.objects.select_related("track")}
    by_rle = {(a["attributes"]["track_id"], a["image_id"]): a for a in annotations(cast.project)}
    polygons = annotations(cast.project, coco_masks="polygon")
    assert len(polygons) == len(by_rle) == 11 + 6 + 2
    for ann in polygons:
        key = (ann["attributes"]["track_id"], ann["image_id"] - 1)
        assert all(isinstance(ring, list) and len(ring) >= 6 for ring in ann["segmentation"])
        same = by_rle[(key[0], ann["image_id"])]
        assert (ann["bbox"], ann["attributes"]) == (same["bbox"], same["attributes"])
        if ann["attributes"]["box_only"]:
            assert ann["segmentation"] == same["segmentation"]  # the box as a ring, as before
            continue
        mask, back = masks.decode_mask(stored[key].mask_rle), decoded(ann["segmentation"])
        if key[0] == 1:  # the person: no hole, so exact
            assert np.array_equal(back, mask) and ann["area"] == float(mask.sum())
        else:  # the ball is a ring: its hole comes back filled
            assert (back >= mask).all() and back.sum() > mask.sum() and ann["area"] == float(back.sum())


def test_a_hole_comes_back_filled_and_the_area_is_what_readers_decode(cast, labelled):
    holed = np.zeros((HEIGHT, WIDTH), bool)
    holed[20:60, 20:80] = True
    holed[30:40, 30:50] = False  # 200 px hole: COCO polygons cannot cut it out
    FrameAnnotation.objects.filter(track__object_id=1, frame_index=0).update(
        mask_rle=masks.encode_mask(holed), area=int(holed.sum()))
    [first] = [a for a in annotations(cast.project, coco_masks="polygon")
               if a["attributes"]["track_id"] == 1 and a["image_id"] == 1]
    filled = holed.copy()
    filled[30:40, 30:50] = True
    assert np.array_equal(decoded(first["segmentation"]), filled)
    assert first["area"] == 40 * 60.0 and first["bbox"] == [20.0, 20.0, 60.0, 40.0]


def test_a_polygon_export_imports_back_with_its_masks_and_its_box_only_frames(cast, labelled, tmp_path):
    first = export(cast.project, "coco", coco_masks="polygon")
    fresh = project_with_clip(name="R", by=cast.carol, tmp_path=tmp_path)
    job = import_archive(fresh, "coco", open(first.filename, "rb").read())
    assert job.status == "succeeded", job.error
    back = {(a.track.object_id, a.frame_index): a for a in
            FrameAnnotation.objects.filter(track__video__project=fresh).select_related("track")}
    assert len(back) == 11 + 6 + 2
    assert back[(3, 2)].mask_rle is None and back[(3, 2)].source == "manual_box"  # box_only says so
    for frame in range(FRAMES - 1):  # the person's masks (no holes) come back exactly
        original = FrameAnnotation.objects.get(track__video__project=cast.project, track__object_id=1,
                                               frame_index=frame)
        assert np.array_equal(masks.decode_mask(back[(1, frame)].mask_rle), masks.decode_mask(original.mask_rle))


def test_polygons_are_for_coco_only(clients, cast, labelled):
    response = clients.carol.post(f"/api/projects/{cast.project.pk}/exports/",
                                  {"format": "youtube-vis", "coco_masks": "polygon"}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == "coco_masks 'polygon' applies to COCO exports only, not youtube-vis"
    response = clients.carol.post(f"/api/projects/{cast.project.pk}/exports/",
                                  {"format": "coco", "coco_masks": "polygon"}, format="json")
    assert response.status_code == 202 and response.json()["coco_masks"] == "polygon"
