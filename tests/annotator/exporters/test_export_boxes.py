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
