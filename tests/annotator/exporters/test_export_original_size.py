"""Exports of a video stored at half size (SIAMLABEL_FRAME_MAX_SIDE) are in original coordinates.

The same labels go on the 160x120 clip of project P and on the clip uploaded at 320x240 and stored
at 160x120 in project H; H's export must be P's at twice the scale.
"""

import io

import numpy as np
import pytest
from PIL import Image

from annotator import masks
from annotator.services import projects as project_services
from tests.annotator.labelled import (
    ORIGINAL_HEIGHT,
    ORIGINAL_WIDTH,
    add_halved_clip,
    export,
    label_video,
    read_json,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def halved(cast, labelled, tmp_path, settings):
    """Project H: the clip at 320x240, stored at 160x120, with the labels of P's clip."""
    project = project_services.create_project(name="H", by=cast.carol, labels=["person", "ball"])
    label_video(add_halved_clip(project, by=cast.carol, tmp_path=tmp_path, settings=settings), by=cast.alice)
    return project


def doubled(mask: np.ndarray) -> np.ndarray:
    return np.kron(mask, np.ones((2, 2), bool))


def iou(a: np.ndarray, b: np.ndarray) -> float:
    return np.count_nonzero(a & b) / np.count_nonzero(a | b)


def twice(value):
    """Every number of a box or of corners, doubled."""
    return None if value is None else [twice(v) if isinstance(v, list) else 2 * v for v in value]


def test_coco_export_of_a_halved_video_is_in_original_coordinates(cast, halved):
    plain = read_json(export(cast.project, "coco"), "annotations/instances.json")
    scaled = read_json(export(halved, "coco"), "annotations/instances.json")
    assert [(v["width"], v["height"]) for v in scaled["videos"]] == [(ORIGINAL_WIDTH, ORIGINAL_HEIGHT)]
    assert {(i["width"], i["height"]) for i in scaled["images"]} == {(ORIGINAL_WIDTH, ORIGINAL_HEIGHT)}
    assert len(plain["annotations"]) == len(scaled["annotations"]) == 19
    for a, b in zip(plain["annotations"], scaled["annotations"], strict=True):
        assert b["attributes"]["tracker_bbox"] == twice(a["attributes"]["tracker_bbox"])
        assert b["attributes"]["rotated_box"] == twice(a["attributes"]["rotated_box"])
        if isinstance(a["segmentation"], dict):
            big, small = masks.decode_mask(b["segmentation"]), masks.decode_mask(a["segmentation"])
            assert big.shape == (ORIGINAL_HEIGHT, ORIGINAL_WIDTH)
            assert iou(big, doubled(small)) > 0.99
            assert b["bbox"] == masks.mask_bbox(big) == twice(a["bbox"])
            assert b["area"] == big.sum()
        else:  # a box-only frame's polygon
            assert b["segmentation"] == twice(a["segmentation"]) and b["bbox"] == twice(a["bbox"])
            assert b["area"] == 4 * a["area"]


def test_youtube_vis_export_of_a_halved_video_is_in_original_coordinates(cast, halved):
    plain, scaled = (read_json(export(p, "youtube-vis"), "instances.json") for p in (cast.project, halved))
    assert (scaled["videos"][0]["width"], scaled["videos"][0]["height"]) == (ORIGINAL_WIDTH, ORIGINAL_HEIGHT)
    for a, b in zip(plain["annotations"], scaled["annotations"], strict=True):
        assert (b["width"], b["height"]) == (ORIGINAL_WIDTH, ORIGINAL_HEIGHT)
        assert b["bboxes"] == [twice(box) for box in a["bboxes"]]
        assert b["tracker_bboxes"] == [twice(box) for box in a["tracker_bboxes"]]
        assert b["rotated_boxes"] == [twice(box) for box in a["rotated_boxes"]]
        for small, big in zip(a["segmentations"], b["segmentations"], strict=True):
            assert (small is None) == (big is None)
            if small is not None:
                assert iou(masks.decode_mask(big), doubled(masks.decode_mask(small))) > 0.99


def test_davis_export_of_a_halved_video_has_original_size_pngs(cast, halved):
    plain, scaled = export(cast.project, "davis"), export(halved, "davis")
    pngs = sorted(n for n in plain.namelist() if n.startswith("Annotations/"))
    assert pngs == sorted(n for n in scaled.namelist() if n.startswith("Annotations/"))
    for name in pngs:
        small, big = (np.array(Image.open(io.BytesIO(z.read(name)))) for z in (plain, scaled))
        assert big.shape == (ORIGINAL_HEIGHT, ORIGINAL_WIDTH)
        for object_id in set(np.unique(small)) - {0}:
            assert iou(big == object_id, doubled(small == object_id)) > 0.99


def test_frames_in_the_export_of_a_halved_video_are_enlarged_to_the_original_size(cast, halved):
    archive = export(halved, "coco", include_frames=True)
    frames = [n for n in archive.namelist() if n.startswith("images/")]
    assert len(frames) == 12
    sizes = {Image.open(io.BytesIO(archive.read(n))).size for n in frames}
    assert sizes == {(ORIGINAL_WIDTH, ORIGINAL_HEIGHT)}
