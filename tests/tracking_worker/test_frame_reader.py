"""Frames decode to OpenCV's pixels, faster; bad files give a clear error."""

import cv2
import numpy as np
import pytest

from tracking_worker.frame_reader import FrameReadError, prefetch_frames, read_frame


def test_jpeg_frames_decode_to_the_same_pixels_as_opencv(tmp_path):
    rng = np.random.default_rng(0)
    frame = cv2.GaussianBlur(rng.integers(0, 255, (120, 161, 3), dtype=np.uint8), (0, 0), 2)
    path = tmp_path / "00000.jpg"
    cv2.imwrite(str(path), frame, [cv2.IMWRITE_JPEG_QUALITY, 90])
    np.testing.assert_array_equal(read_frame(path), cv2.imread(str(path)))


@pytest.mark.parametrize("content", [b"", b"not a jpeg", b"\xff\xd8\xff\xe0" + b"\x00" * 64])
def test_a_corrupt_or_empty_frame_names_the_file(tmp_path, content):
    path = tmp_path / "00007.jpg"
    path.write_bytes(content)
    with pytest.raises(FrameReadError, match="00007.jpg"):
        read_frame(path)


def test_a_missing_frame_surfaces_in_order(tmp_path):
    good = tmp_path / "00000.png"
    cv2.imwrite(str(good), np.zeros((8, 8, 3), np.uint8))
    frames = prefetch_frames([(0, good), (1, tmp_path / "00001.jpg")])
    assert next(frames)[0] == 0
    with pytest.raises(FrameReadError, match="00001.jpg"):
        next(frames)
