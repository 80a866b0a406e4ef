"""encode_window_mask gives encode_mask's RLE of the frame mask, byte for byte, from the window alone."""

import numpy as np
import pytest

from annotator.masks import MaskError, encode_mask, encode_window_mask


def frame_mask(window, origin, frame_hw):
    mask = np.zeros(frame_hw, dtype=bool)
    x0, y0 = origin
    mask[y0 : y0 + window.shape[0], x0 : x0 + window.shape[1]] = window
    return mask


def test_random_windows_encode_as_their_frame_mask():
    rng = np.random.default_rng(0)
    for _ in range(2000):
        height, width = (int(v) for v in rng.integers(1, 30, 2))
        h, w = int(rng.integers(0, height + 1)), int(rng.integers(0, width + 1))
        origin = int(rng.integers(0, width - w + 1)), int(rng.integers(0, height - h + 1))
        window = rng.random((h, w)) < rng.random()
        frame_hw = (height, width)
        assert encode_window_mask(window, origin, frame_hw) == encode_mask(frame_mask(window, origin, frame_hw))


@pytest.mark.parametrize("window, origin, frame_hw", [
    (np.ones((6, 3), bool), (2, 0), (6, 8)),  # full-height columns: runs join across columns
    (np.ones((2, 2), bool), (6, 4), (6, 8)),  # ones up to the last pixel of the frame
    (np.ones((1, 1), bool), (0, 0), (6, 8)),  # a one at the very first pixel
    (np.zeros((3, 3), bool), (1, 1), (6, 8)),  # empty
    (np.ones((6, 8), bool), (0, 0), (6, 8)),  # the whole frame
])
def test_edge_cases_encode_as_their_frame_mask(window, origin, frame_hw):
    assert encode_window_mask(window, origin, frame_hw) == encode_mask(frame_mask(window, origin, frame_hw))


def test_a_1080p_object_window_encodes_as_the_full_frame():
    window = np.zeros((300, 250), bool)
    window[20:280, 30:220] = np.random.default_rng(1).random((260, 190)) < 0.9
    origin, frame_hw = (800, 400), (1080, 1920)
    assert encode_window_mask(window, origin, frame_hw) == encode_mask(frame_mask(window, origin, frame_hw))


def test_a_window_outside_the_frame_is_refused():
    with pytest.raises(MaskError, match="does not fit"):
        encode_window_mask(np.ones((4, 4), bool), (6, 0), (6, 8))
