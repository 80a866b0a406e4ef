"""Small generated clips, so a fresh clone tests fully without ../shared/data."""

import zipfile
from pathlib import Path

import cv2
import numpy as np


def synthetic_frames(n: int = 12, width: int = 160, height: int = 120, seed: int = 0):
    """Yield BGR frames of a textured square moving right over a noisy background."""
    rng = np.random.default_rng(seed)
    background = rng.integers(40, 90, size=(height, width, 3), dtype=np.uint8)
    texture = rng.integers(150, 255, size=(30, 30, 3), dtype=np.uint8)
    for i in range(n):
        frame = background.copy()
        x, y, w, h = (int(v) for v in square_box(i, width))
        frame[y : y + h, x : x + w] = texture
        yield frame


def square_box(i: int, width: int = 160) -> list[float]:
    """The box of the square in frame i of synthetic_frames: it moves right, then back left."""
    span = width - 60
    offset = (3 * i) % (2 * span)
    return [20.0 + (offset if offset <= span else 2 * span - offset), 40.0 + (i % 3), 30.0, 30.0]


def write_video(path: Path, n: int = 12, width: int = 160, height: int = 120, fps: float = 10.0) -> Path:
    """Write an MJPEG .avi (a codec every OpenCV build can write and read)."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (width, height))
    assert writer.isOpened(), "OpenCV cannot write MJPG video"
    for frame in synthetic_frames(n, width, height):
        writer.write(frame)
    writer.release()
    return path


def write_frames_zip(path: Path, n: int = 8, width: int = 160, height: int = 120, ext: str = ".jpg") -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for i, frame in enumerate(synthetic_frames(n, width, height)):
            ok, data = cv2.imencode(ext, frame)
            zf.writestr(f"clip/frame_{i + 1}{ext}", data.tobytes())
    return path
