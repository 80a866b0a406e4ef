"""Boxes from masks: min-area rotated rectangle, fallback for tiny or empty masks."""

from __future__ import annotations

import cv2
import numpy as np

from tracking_worker.siammask.boxes import mask_to_xywh, rotated_box_from_mask, xywh_corners


def as_point_set(corners: np.ndarray) -> set[tuple[float, float]]:
    return {(round(float(x), 3), round(float(y), 3)) for x, y in corners}


def test_axis_aligned_rectangle_gives_its_corners():
    mask = np.zeros((60, 80), dtype=bool)
    mask[10:30, 20:60] = True  # pixels 20..59 x 10..29
    corners = rotated_box_from_mask(mask, fallback_xywh=(0, 0, 1, 1))
    assert corners.shape == (4, 2) and corners.dtype == np.float64
    # minAreaRect runs through the contour's pixel centres
    assert as_point_set(corners) == {(20.0, 10.0), (59.0, 10.0), (59.0, 29.0), (20.0, 29.0)}


def test_rotated_rectangle_is_recovered():
    mask = np.zeros((200, 200), dtype=np.uint8)
    truth = cv2.boxPoints(((100, 100), (120, 40), 30))
    cv2.fillPoly(mask, [np.round(truth).astype(np.int32)], 1)
    corners = rotated_box_from_mask(mask, fallback_xywh=(0, 0, 1, 1))
    distance = np.linalg.norm(corners[:, None] - truth[None], axis=-1).min(axis=1)
    assert distance.max() < 2.0


def test_largest_contour_wins():
    mask = np.zeros((100, 100), dtype=bool)
    mask[5:20, 5:20] = True
    mask[40:90, 30:80] = True
    corners = rotated_box_from_mask(mask, fallback_xywh=(0, 0, 1, 1))
    assert corners[:, 0].min() == 30 and corners[:, 1].max() == 89


def test_tiny_mask_falls_back_to_the_tracker_box():
    mask = np.zeros((50, 50), dtype=bool)
    mask[10:15, 10:15] = True  # contour area 16 <= 100
    corners = rotated_box_from_mask(mask, fallback_xywh=(2.5, 3.0, 10.0, 20.0))
    np.testing.assert_array_equal(corners, [[2.5, 3.0], [12.5, 3.0], [12.5, 23.0], [2.5, 23.0]])


def test_empty_mask_falls_back_and_has_no_bbox():
    mask = np.zeros((50, 50), dtype=bool)
    np.testing.assert_array_equal(rotated_box_from_mask(mask, (1, 2, 3, 4)), xywh_corners((1, 2, 3, 4)))
    assert mask_to_xywh(mask) == (0, 0, 0, 0)


def test_min_max_box_of_a_mask():
    mask = np.zeros((50, 50), dtype=bool)
    mask[7:9, 3:10] = True
    assert mask_to_xywh(mask) == (3, 7, 7, 2)
