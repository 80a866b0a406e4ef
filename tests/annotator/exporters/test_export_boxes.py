"""COCO and YouTube-VIS boxes as their readers expect: `bbox` is the tight box of the mask (inside
the frame), `area` its pixel count; the tracker's box, which may cross the frame's edge, travels
in the SiamLabel fields and comes back on import."""

import numpy as np
import pytest
from pycocotools import mask as coco_mask

from annotator import masks
from annotator.models import FrameAnnotation
from tests.annotator.labelled import HEIGHT, WIDTH, export, import_archive, project_with_clip, read_json

pytestmark = pytest.mark.django_db

CORNER = np.zeros((HEIGHT, WIDTH), bool)
CORNER[0:15, 0:12] = True  # touches the top and left edges
FAR_CORNER = np.zeros((HEIGHT, WIDTH), bool)
FAR_CORNER[110:120, 150:160] = True  # touches the bottom and right edges
PIXEL = np.zeros((HEIGHT, WIDTH), bool)
PIXEL[119, 159] = True  # a one-pixel object in the last pixel of the frame

CASES = [  # mask, the tracker's box (past the edge), the expected tight box
    (CORNER, [-3.5, -2.0, 18.0, 20.0], [0.0, 0.0, 12.0, 15.0]),
    (FAR_CORNER, [148.0, 108.5, 16.0, 14.0], [150.0, 110.0, 10.0, 10.0]),
    (PIXEL, [156.5, 116.5, 6.0, 6.0], [159.0, 119.0, 1.0, 1.0]),
]


def set_first_frame(mask: np.ndarray, tracker_box: list[float]) -> None:
    """Give object 1 (propagated) this mask and tracker box on frame 0."""
    FrameAnnotation.objects.filter(track__object_id=1, frame_index=0).update(
        mask_rle=masks.encode_mask(mask), area=int(mask.sum()), bbox=tracker_box)


def first_frame_boxes(archive, format: str) -> tuple[list, float, list, dict]:
    """Return (bbox, area, tracker box, segmentation) of object 1 on frame 0 in an export."""
    if format == "coco":
        ann = read_json(archive, "annotations/instances.json")["annotations"][0]
        assert ann["attributes"]["track_id"] == 1 and ann["image_id"] == 1
        return ann["bbox"], ann["area"], ann["attributes"]["tracker_bbox"], ann["segmentation"]
    ann = read_json(archive, "instances.json")["annotations"][0]
    assert ann["track_id"] == 1
    return ann["bboxes"][0], ann["areas"][0], ann["tracker_bboxes"][0], ann["segmentations"][0]


@pytest.mark.parametrize("format", ["coco", "youtube-vis"])
@pytest.mark.parametrize(("mask", "tracker_box", "tight"), CASES, ids=["top-left", "bottom-right", "one-pixel"])
def test_bbox_is_the_masks_tight_box_inside_the_frame_and_area_its_pixels(cast, labelled, format, mask,
                                                                         tracker_box, tight):
    set_first_frame(mask, tracker_box)
    bbox, area, stored, segmentation = first_frame_boxes(export(cast.project, format), format)
    assert bbox == tight and area == float(mask.sum())
    x, y, w, h = bbox
    assert x >= 0 and y >= 0 and x + w <= WIDTH and y + h <= HEIGHT
    # what a COCO reader computes from the RLE itself
    rle = {"size": segmentation["size"], "counts": segmentation["counts"].encode()}
    assert coco_mask.toBbox(rle).tolist() == bbox and coco_mask.area(rle) == area
    assert stored == tracker_box


@pytest.mark.parametrize("format", ["coco", "youtube-vis"])
@pytest.mark.parametrize(("mask", "tracker_box", "tight"), CASES, ids=["top-left", "bottom-right", "one-pixel"])
def test_import_restores_the_tracker_box_and_the_round_trip_is_lossless(cast, labelled, tmp_path, format, mask,
                                                                       tracker_box, tight):
    set_first_frame(mask, tracker_box)
    first = export(cast.project, format)
    fresh = project_with_clip(name="R", by=cast.carol, tmp_path=tmp_path)
    job = import_archive(fresh, format, open(first.filename, "rb").read())
    assert job.status == "succeeded", job.error
    imported = FrameAnnotation.objects.get(track__video__project=fresh, track__object_id=1, frame_index=0)
    assert imported.bbox == tracker_box and imported.area == int(mask.sum())
    assert np.array_equal(masks.decode_mask(imported.mask_rle), mask)
    assert first_frame_boxes(export(fresh, format), format) == first_frame_boxes(first, format)


def keyframe_boxes(archive, format: str) -> tuple[list, object]:
    """Return (bbox, segmentation) of object 3's manual box on frame 2 in an export."""
    if format == "coco":
        [ann] = [a for a in read_json(archive, "annotations/instances.json")["annotations"]
                 if a["attributes"]["track_id"] == 3 and a["image_id"] == 3]
        return ann["bbox"], ann["segmentation"]
    [ann] = [a for a in read_json(archive, "instances.json")["annotations"] if a["track_id"] == 3]
    return ann["bboxes"][2], ann["segmentations"][2]


@pytest.mark.parametrize("format", ["coco", "youtube-vis"])
def test_a_manual_box_exports_the_drawn_box_beside_the_trackers_mask(cast, labelled, format):
    spill = np.zeros((HEIGHT, WIDTH), bool)
    spill[60:90, 50:90] = True  # the tracker's keyframe mask, wider than the drawn box [60, 70, 25, 15]
    FrameAnnotation.objects.filter(track__object_id=3, frame_index=2).update(
        mask_rle=masks.encode_mask(spill), area=int(spill.sum()))
    bbox, segmentation = keyframe_boxes(export(cast.project, format), format)
    assert bbox == [60.0, 70.0, 25.0, 15.0]  # the annotator's label, not the mask's [50, 60, 40, 30]
    assert np.array_equal(masks.decode_mask(segmentation), spill)


@pytest.mark.parametrize("format", ["coco", "youtube-vis"])
def test_a_manual_box_with_an_empty_stored_mask_still_exports_its_box(cast, labelled, format):
    empty = np.zeros((HEIGHT, WIDTH), bool)
    FrameAnnotation.objects.filter(track__object_id=3, frame_index=2).update(
        mask_rle=masks.encode_mask(empty), area=0)  # what versions before 2026-12-02 could store
    bbox, segmentation = keyframe_boxes(export(cast.project, format), format)
    assert bbox == [60.0, 70.0, 25.0, 15.0]
    if format == "coco":
        assert segmentation == [[60.0, 70.0, 85.0, 70.0, 85.0, 85.0, 60.0, 85.0]]  # the box as a polygon
    else:
        assert segmentation is None
