"""J, F, their statistics and rotated-box IoU on hand-computed cases."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tracking_worker.evaluation.metrics import (
    boundary_accuracy,
    boundary_precision_recall,
    boundary_tolerance,
    disk,
    mask_boundary,
    region_similarity,
    rotated_box_iou,
    sequence_statistics,
)


def square(top: int, left: int, size: int = 20, shape=(64, 64)) -> np.ndarray:
    mask = np.zeros(shape, dtype=bool)
    mask[top : top + size, left : left + size] = True
    return mask


def test_identical_masks_score_one():
    mask = square(20, 20)
    assert region_similarity(mask, mask) == 1.0
    assert boundary_accuracy(mask, mask) == 1.0


def test_disjoint_masks_score_zero():
    a, b = square(0, 0, 10), square(40, 40, 10)
    assert region_similarity(a, b) == 0.0
    assert boundary_accuracy(a, b) == 0.0


def test_both_empty_masks_score_one():
    empty = np.zeros((30, 40), dtype=bool)
    assert region_similarity(empty, empty) == 1.0
    assert boundary_precision_recall(empty, empty) == (1.0, 1.0)
    assert boundary_accuracy(empty, empty) == 1.0


def test_one_empty_mask_scores_zero_with_davis_precision_recall():
    empty, mask = np.zeros((64, 64), dtype=bool), square(20, 20)
    assert region_similarity(empty, mask) == 0.0
    assert region_similarity(mask, empty) == 0.0
    # nothing predicted: precision 1, recall 0; nothing to find: precision 0, recall 1
    assert boundary_precision_recall(empty, mask) == (1.0, 0.0)
    assert boundary_precision_recall(mask, empty) == (0.0, 1.0)
    assert boundary_accuracy(empty, mask) == 0.0
    assert boundary_accuracy(mask, empty) == 0.0


def test_boundary_of_a_square_is_one_pixel_wide_across_its_edge():
    # the right and bottom edges fall inside the square, the left and top edges outside
    # (each pixel compares with its right, lower and lower-right neighbours)
    boundary = mask_boundary(square(20, 20))
    expected = np.zeros((64, 64), dtype=bool)
    expected[19:40, 19] = True  # left, outside, with the top-left corner
    expected[19, 20:40] = True  # top, outside
    expected[20:40, 39] = True  # right, inside
    expected[39, 20:39] = True  # bottom, inside
    np.testing.assert_array_equal(boundary, expected)
    assert boundary.sum() == 80


def test_boundary_is_not_drawn_along_the_image_edge():
    full = np.ones((10, 12), dtype=bool)
    assert not mask_boundary(full).any()


def test_tolerance_is_the_rounded_up_fraction_of_the_diagonal():
    assert boundary_tolerance((480, 854)) == 8  # 0.008 * 979.6 = 7.84
    assert boundary_tolerance((64, 64)) == 1  # 0.008 * 90.5 = 0.72
    assert boundary_tolerance((64, 64), bound_th=3) == 3  # >= 1 means pixels
    np.testing.assert_array_equal(disk(1), [[0, 1, 0], [1, 1, 1], [0, 1, 0]])
    assert disk(2).sum() == 13


def test_square_shifted_by_two_pixels_has_hand_computed_j_and_f():
    # 64x64 image: tolerance radius 1 (a plus-shaped disk), shift 2 px to the right
    gt, pred = square(20, 20), square(20, 22)
    assert region_similarity(pred, gt) == pytest.approx(360 / 440)
    # of the 80 boundary pixels on each side, 42 lie within one pixel of the other boundary:
    # predicted: left 4 (the rows next to the top and bottom edges), top 19, right 0,
    # bottom 19; ground truth: left 0, top 20, right 3, bottom 19
    precision, recall = boundary_precision_recall(pred, gt)
    assert precision == pytest.approx(42 / 80)
    assert recall == pytest.approx(42 / 80)
    assert boundary_accuracy(pred, gt) == pytest.approx(42 / 80)


def test_shift_within_tolerance_keeps_f_at_one():
    gt, pred = square(20, 20), square(20, 21)
    assert region_similarity(pred, gt) == pytest.approx(380 / 420)
    assert boundary_accuracy(pred, gt) == 1.0


def test_statistics_of_a_rising_sequence():
    # 9 values 0, 1/8, ..., 1: bins are frames 0-2, 2-4, 4-6, 6-8
    stats = sequence_statistics(np.arange(9) / 8)
    assert stats.mean == pytest.approx(0.5)
    assert stats.recall == pytest.approx(4 / 9)  # 0.5 itself is not above 0.5
    assert stats.decay == pytest.approx(1 / 8 - 7 / 8)


def test_statistics_of_a_step_down():
    # 8 values: edges round(1, 2.75, 4.5, 6.25, 8) = 1, 3, 5, 6, 8, so bins 0-2 ... 5-7
    stats = sequence_statistics([1, 1, 1, 1, 0, 0, 0, 0])
    assert stats == (0.5, 0.5, 1.0)
    # the first bin is frames 0-2 and the last 5-7, so frames 3 and 4 do not change the decay
    assert sequence_statistics([1, 1, 1, 0, 1, 0, 0, 0]).decay == 1.0
    assert sequence_statistics([0.6, 0.2, 0.2, 0.9, 0.9, 0.5, 0.5, 0.2]).decay == pytest.approx(
        (0.6 + 0.2 + 0.2) / 3 - (0.5 + 0.5 + 0.2) / 3
    )


def test_statistics_of_short_and_empty_sequences():
    assert sequence_statistics([0.7]) == (0.7, 1.0, 0.0)
    assert sequence_statistics([1.0, 0.0]) == (0.5, 0.5, 1.0)
    assert all(math.isnan(v) for v in sequence_statistics([]))
    assert sequence_statistics([math.nan, 0.8]) == (0.8, 1.0, 0.0)


SQUARE = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]], dtype=float)


def rotate(box: np.ndarray, degrees: float) -> np.ndarray:
    t = math.radians(degrees)
    return box @ np.array([[math.cos(t), -math.sin(t)], [math.sin(t), math.cos(t)]]).T


def test_rotated_box_iou_of_identical_boxes_is_one():
    box = rotate(SQUARE * [3, 1], 30) + 10
    assert rotated_box_iou(box, box) == pytest.approx(1.0)
    assert rotated_box_iou(box, box[::-1]) == pytest.approx(1.0)  # either winding


def test_rotated_box_iou_of_disjoint_boxes_is_zero():
    assert rotated_box_iou(SQUARE, SQUARE + 5) == 0.0
    assert rotated_box_iou(SQUARE, SQUARE + [2, 0]) == 0.0  # touching edges


def test_rotated_box_iou_of_known_overlaps():
    # half-overlapping 2x2 squares: 2 / (4 + 4 - 2)
    assert rotated_box_iou(SQUARE, SQUARE + [1, 0]) == pytest.approx(1 / 3)
    # a square and itself turned 45 degrees meet in a regular octagon of area 8(sqrt2 - 1),
    # so IoU = 8(sqrt2 - 1) / (8 - 8(sqrt2 - 1)) = 1 / sqrt2
    assert rotated_box_iou(SQUARE, rotate(SQUARE, 45)) == pytest.approx(1 / math.sqrt(2), abs=1e-6)


def test_rotated_box_iou_of_a_degenerate_box_is_zero():
    assert rotated_box_iou(SQUARE, np.zeros((4, 2))) == 0.0


def test_masks_of_different_shapes_are_rejected():
    with pytest.raises(ValueError, match="equal shape"):
        region_similarity(np.zeros((4, 4)), np.zeros((4, 5)))
