"""Crops: official rounding, mean-colour padding and the paste back into the frame."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from tracking_worker.siammask.config import TrackerConfig
from tracking_worker.siammask.crops import (
    exemplar_crop_side,
    get_subwindow,
    mean_color,
    paste_window_mask,
    search_crop_side,
    window_to_frame,
)


@pytest.fixture
def frame():
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, size=(40, 50, 3), dtype=np.uint8)


def test_inside_crop_is_the_frame_slice(frame):
    # side 9 around (20, 15): xmin = round(20 - 5) = 15, ymin = 10
    patch = get_subwindow(frame, (20.0, 15.0), 9, 9, mean_color(frame))
    np.testing.assert_array_equal(patch, frame[10:19, 15:24])


@pytest.mark.parametrize(("cx", "xmin"), [(8.0, 2), (9.0, 4), (10.0, 4), (9.6, 4), (10.2, 5)])
def test_corner_rounds_half_to_even(frame, cx, xmin):
    # side 10: xmin = round(cx - 5.5); 2.5 -> 2, 3.5 -> 4, 4.5 -> 4 (Python round, as official)
    patch = get_subwindow(frame, (cx, 20.0), 10, 10, mean_color(frame))
    np.testing.assert_array_equal(patch, frame[14:24, xmin : xmin + 10])  # ymin = round(14.5) = 14


def test_outside_pixels_take_the_truncated_mean_colour(frame):
    mean = mean_color(frame)
    patch = get_subwindow(frame, (0.0, 0.0), 11, 11, mean)  # xmin = ymin = round(-6) = -6
    fill = mean.astype(np.uint8)  # the official code stores the mean in a uint8 image
    np.testing.assert_array_equal(patch[:6, :, :], np.broadcast_to(fill, (6, 11, 3)))
    np.testing.assert_array_equal(patch[:, :6, :], np.broadcast_to(fill, (11, 6, 3)))
    np.testing.assert_array_equal(patch[6:, 6:], frame[:5, :5])


def test_crop_larger_than_the_frame_is_padded_on_all_sides(frame):
    patch = get_subwindow(frame, (25.0, 20.0), 200, 200, np.array([1.0, 2.0, 3.0]))
    assert patch.shape == (200, 200, 3)
    np.testing.assert_array_equal(patch[0, 0], [1, 2, 3])
    np.testing.assert_array_equal(patch[-1, -1], [1, 2, 3])


@pytest.mark.parametrize(("cx", "cy", "side"), [(25.0, 20.0, 200), (-3.0, 10.0, 17), (49.0, 39.0, 23),
                                              (-40.0, -40.0, 9), (10.0, 30.0, 64)])
def test_padded_crop_equals_the_official_padded_frame(frame, cx, cy, side):
    # official get_subwindow_tracking: pad the whole frame with the uint8 mean, slice, resize
    mean = mean_color(frame)
    margin = 2 * side + 100
    padded = np.empty((frame.shape[0] + 2 * margin, frame.shape[1] + 2 * margin, 3), dtype=np.uint8)
    padded[:] = mean.astype(np.uint8)
    padded[margin:-margin, margin:-margin] = frame
    xmin, ymin = round(cx - (side + 1) / 2) + margin, round(cy - (side + 1) / 2) + margin
    expected = cv2.resize(padded[ymin : ymin + side, xmin : xmin + side], (31, 31))
    np.testing.assert_array_equal(get_subwindow(frame, (cx, cy), 31, side, mean), expected)


def test_crop_is_resized_to_the_model_size(frame):
    patch = get_subwindow(frame, (25.0, 20.0), 127, 31, mean_color(frame))
    assert patch.shape == (127, 127, 3) and patch.dtype == np.uint8


def test_crop_sides_follow_the_context_formula():
    cfg = TrackerConfig.davis()
    # w=100, h=50: p = 75, sqrt(175 * 125) = 147.9
    assert exemplar_crop_side((100, 50), cfg) == 148
    side = np.sqrt(175 * 125)
    assert search_crop_side((100, 50), cfg) == pytest.approx(side + 2 * 64 * side / 127)


def test_centre_window_is_pasted_around_the_crop_centre():
    cfg = TrackerConfig.davis()
    ones = np.ones((127, 127), dtype=np.float32)
    # crop side 255 (s = 1) around (200, 150): the centre window is 127 px wide around it
    pasted = paste_window_mask(ones, window_to_frame(127, np.array([200.0, 150.0]), 255, 12, 12, cfg, (300, 400)), (300, 400))
    ys, xs = np.nonzero(pasted > 0.5)
    assert pasted.shape == (300, 400)
    assert abs(xs.min() - (200 - 63.5)) <= 1.5 and abs(xs.max() - (200 + 63.5)) <= 1.5
    assert abs(ys.min() - (150 - 63.5)) <= 1.5 and abs(ys.max() - (150 + 63.5)) <= 1.5
    assert pasted[0, 0] == -1  # outside the window: the official border value
