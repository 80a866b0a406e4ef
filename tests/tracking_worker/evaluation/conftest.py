"""Tiny generated datasets: two coloured squares moving over a grey background.

Tests reach the generator through the `clip` fixture rather than by importing this module, so
they work under any pytest import mode and next to other conftest.py files.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from tracking_worker.evaluation.davis import write_id_png


class Clip:
    """The generated clip: object 1 (red) from frame 0, object 2 (green) from frame 2."""

    height, width = 48, 64
    n_frames = 6
    colours = {1: (0, 0, 255), 2: (0, 255, 0)}  # BGR
    first_frames = {1: 0, 2: 2}

    @staticmethod
    def object_ids_at(index: int) -> np.ndarray:
        """Return the ground-truth id map of frame `index`."""
        ids = np.zeros((Clip.height, Clip.width), dtype=np.uint8)
        ids[8:20, 4 + 2 * index : 16 + 2 * index] = 1
        if index >= Clip.first_frames[2]:
            ids[26:40, 40 - 3 * index : 50 - 3 * index] = 2
        return ids

    @staticmethod
    def frame_at(index: int) -> np.ndarray:
        """Return frame `index` as BGR, each object painted in its flat colour."""
        frame = np.full((Clip.height, Clip.width, 3), 128, dtype=np.uint8)
        ids = Clip.object_ids_at(index)
        for object_id, colour in Clip.colours.items():
            frame[ids == object_id] = colour
        return frame

    @staticmethod
    def write(frames_dir: Path, masks_dir: Path, *, frame_suffix: str = ".png") -> None:
        """Write the frames (lossless PNG by default) and palette id masks."""
        frames_dir.mkdir(parents=True, exist_ok=True)
        for i in range(Clip.n_frames):
            cv2.imwrite(str(frames_dir / f"{i:05d}{frame_suffix}"), Clip.frame_at(i))
            write_id_png(masks_dir / f"{i:05d}.png", Clip.object_ids_at(i))


@pytest.fixture
def clip() -> type[Clip]:
    return Clip


@pytest.fixture
def davis_dataset(tmp_path: Path) -> Path:
    """Return a DAVIS-layout dataset with sequences "alpha" and "beta"."""
    root = tmp_path / "davis"
    for seq in ("alpha", "beta"):
        Clip.write(root / "JPEGImages" / seq, root / "Annotations" / seq)
    return root


@pytest.fixture
def flat_dataset(tmp_path: Path) -> Path:
    """Return a flat-layout dataset with sequence "gamma" (JPEG frames)."""
    root = tmp_path / "flat"
    Clip.write(root / "gamma" / "frames", root / "gamma" / "masks", frame_suffix=".jpg")
    return root
