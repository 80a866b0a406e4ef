"""Fixtures for the SiamMask tests: shared reference data, seed-1 weights, generated clips.

The reference fixtures live in the shared folder: $SIAMLABEL_SHARED_DIR, or ../shared next to
the repository. Tests that need them skip with a message when it is absent.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch

REPO_ROOT = Path(__file__).resolve().parents[3]


def shared_dir() -> Path | None:
    """Return the shared folder, or None when it is not on this machine."""
    path = Path(os.environ.get("SIAMLABEL_SHARED_DIR", REPO_ROOT.parent / "shared"))
    return path if (path / "reference").is_dir() else None


def require_shared(*relative: str) -> Path:
    """Return the shared folder, skipping the test unless it holds every `relative` path."""
    root = shared_dir()
    if root is None:
        pytest.skip("shared reference data absent (set SIAMLABEL_SHARED_DIR or provide ../shared)")
    missing = [r for r in relative if not (root / r).exists()]
    if missing:
        pytest.skip(f"shared folder {root} lacks {', '.join(missing)}")
    return root


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def shared_root() -> Path:
    """The shared folder; skips the test when it is absent."""
    return require_shared("reference", "data/tennis/frames")


@pytest.fixture(scope="session")
def seed1_weights(tmp_path_factory) -> Path:
    """Build the fixtures' weights with the reference make_weights.py (seed 1 + BN stats)."""
    ref = require_shared("reference/make_weights.py") / "reference"
    out = tmp_path_factory.mktemp("weights") / "seed1.pth"
    subprocess.run(
        [
            sys.executable,
            str(ref / "make_weights.py"),
            str(ref / "siammask_sharp_state_dict.json"),
            "1",
            str(out),
            str(ref / "bn_stats_seed1.npz"),
        ],
        check=True,
    )
    return out


@pytest.fixture(scope="session")
def seed1_model(seed1_weights):
    from tracking_worker.siammask import load_model

    return load_model(seed1_weights, device="cpu")


@pytest.fixture(scope="session")
def random_model():
    """A SiamMask with its own default initialisation from a fixed seed (no shared data)."""
    from tracking_worker.siammask.network import SiamMask

    torch.manual_seed(0)
    return SiamMask().eval()


@pytest.fixture(scope="session")
def tennis_frame():
    """Return a loader of tennis frame i (BGR uint8), cached."""
    frames_dir = require_shared("data/tennis/frames") / "data" / "tennis" / "frames"
    cache: dict[int, np.ndarray] = {}

    def load(index: int) -> np.ndarray:
        if index not in cache:
            frame = cv2.imread(str(frames_dir / f"{index:05d}.jpg"))
            assert frame is not None, f"cannot read tennis frame {index}"
            cache[index] = frame
        return cache[index]

    return load


def moving_squares_clip(n: int = 6, width: int = 160, height: int = 120, seed: int = 0) -> list[np.ndarray]:
    """Return BGR frames of three textured squares moving over a noisy background."""
    rng = np.random.default_rng(seed)
    background = rng.integers(30, 100, size=(height, width, 3), dtype=np.uint8)
    textures = [rng.integers(120, 255, size=(24, 24, 3), dtype=np.uint8) for _ in range(3)]
    frames = []
    for i in range(n):
        frame = background.copy()
        for k, texture in enumerate(textures):
            x, y = SQUARE_STARTS[k][0] + (2 + k) * i, SQUARE_STARTS[k][1] + (-1) ** k * i
            frame[y : y + 24, x : x + 24] = texture
        frames.append(frame)
    return frames


SQUARE_STARTS = [(10, 20), (70, 60), (110, 15)]


@pytest.fixture(scope="session")
def squares_clip() -> list[np.ndarray]:
    return moving_squares_clip()


@pytest.fixture(scope="session")
def squares_boxes() -> list[tuple[float, float, float, float]]:
    """The first-frame boxes of the three squares."""
    return [(float(x), float(y), 24.0, 24.0) for x, y in SQUARE_STARTS]
