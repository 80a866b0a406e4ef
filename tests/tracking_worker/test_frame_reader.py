"""Frames decode to OpenCV's pixels, faster, ahead of the tracker in bounded memory; bad files give a clear error."""

import threading
import time

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


def _jpeg_source(count: int):
    """read_bytes over `count` in-memory JPEGs (frame i is grey level i % 256); it logs each read."""
    encoded = [cv2.imencode(".jpg", np.full((16, 24, 3), i % 256, np.uint8))[1].tobytes() for i in range(count)]
    reads: list[str] = []

    def read_bytes(key: str) -> bytes:
        reads.append(key)
        return encoded[int(key.split("/")[-1][:5])]

    return [(i, f"videos/1/frames/{i:05d}.jpg") for i in range(count)], read_bytes, reads


def test_frames_come_in_order_with_their_pixels():
    paths, read_bytes, _ = _jpeg_source(30)
    frames = list(prefetch_frames(paths, depth=3, read_bytes=read_bytes))
    assert [i for i, _ in frames] == list(range(30))
    assert [abs(int(f.mean()) - i) <= 1 for i, f in frames] == [True] * 30


def test_the_reader_stays_at_most_depth_frames_ahead():
    paths, read_bytes, reads = _jpeg_source(40)
    ahead = []
    for consumed, _ in enumerate(prefetch_frames(paths, depth=4, read_bytes=read_bytes), start=1):
        time.sleep(0.01)  # a slow tracker: the reader fills its queue meanwhile
        ahead.append(len(reads) - consumed)
    assert max(ahead) <= 4 + 1  # the queue, plus the one frame waiting to be put
    assert max(ahead) >= 3  # it did read ahead


def test_closing_the_iterator_stops_the_reader():
    paths, read_bytes, reads = _jpeg_source(200)
    frames = prefetch_frames(paths, depth=2, read_bytes=read_bytes)
    next(frames)
    frames.close()  # what a cancelled job's loop does when it leaves the `for`
    done = len(reads)
    time.sleep(0.2)
    assert len(reads) == done <= 1 + 2 + 1
    assert not any(t.name == "frame-prefetch" for t in threading.enumerate())

