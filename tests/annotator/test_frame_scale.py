"""Labels between stored and original frames (annotator/frame_scale.py), at a scale that is not 2."""

import cv2
import numpy as np

from annotator.frame_scale import FrameScale, resize_mask

DAVIS_TO_640 = FrameScale(stored=(640, 360), original=(854, 480))


def disc(size: tuple[int, int], centre: tuple[int, int], radius: int) -> np.ndarray:
    mask = np.zeros(size[::-1], np.uint8)
    cv2.circle(mask, centre, radius, 1, -1)
    return mask.astype(bool)


def test_the_identity_scale_leaves_labels_alone():
    scale = FrameScale(stored=(160, 120), original=(160, 120))
    assert scale.is_identity
    assert scale.box_to_original([1.5, 2.0, 3.0, 4.0]) == [1.5, 2.0, 3.0, 4.0]


def test_boxes_and_corners_go_to_the_original_and_back_up_to_rounding():
    box = [13.25, 40.0, 101.5, 77.0]
    big = DAVIS_TO_640.box_to_original(box)
    assert big == [round(13.25 * 854 / 640, 3), round(40.0 * 480 / 360, 3), round(101.5 * 854 / 640, 3),
                   round(77.0 * 480 / 360, 3)]
    assert np.allclose(DAVIS_TO_640.box_to_stored(big), box, atol=1e-3)
    corners = [[10.0, 20.0], [30.0, 18.0], [32.0, 40.0], [12.0, 42.0]]
    assert np.allclose(DAVIS_TO_640.points_to_stored(DAVIS_TO_640.points_to_original(corners)), corners, atol=1e-3)


def test_a_mask_taken_to_the_stored_size_and_back_keeps_its_shape():
    truth = disc((854, 480), (400, 250), 60)
    small = DAVIS_TO_640.mask_to_stored(truth)
    assert small.shape == (360, 640)
    again = DAVIS_TO_640.mask_to_original(small)
    assert again.shape == (480, 854)
    assert np.count_nonzero(again & truth) / np.count_nonzero(again | truth) > 0.97


def test_an_object_thinner_than_a_stored_pixel_is_not_lost():
    line = np.zeros((480, 854), bool)
    line[100, 200:260] = True  # one pixel high: covers a third of the stored pixels it touches
    small = DAVIS_TO_640.mask_to_stored(line)
    assert small.any() and small[:, :140].sum() == 0
    assert resize_mask(np.zeros((480, 854), bool), (640, 360)).sum() == 0  # empty stays empty
