"""Map labels between a video's stored frames and its original frames (SIAMLABEL_FRAME_MAX_SIDE).

Everything in the database and the API is in stored-frame pixels; exports write, and imports
read, the original frame's pixels. With frames stored at their own size the scale is the
identity and nothing is touched.

    scale = FrameScale.of_video(video)
    box = scale.box_to_original([x, y, w, h])      # and points_, mask_; *_to_stored for imports

Masks are resized as coverage, then thresholded at one half: a pixel of the new grid is set when
at least half of it lies inside the mask (bilinear when enlarging, area averaging when
shrinking). That follows the boundary better than nearest neighbour, which enlarges every
stored pixel into a block (docs/operations.md, "Frame size", has the measurement).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

# Box and corner coordinates are rounded to this many decimals after scaling: 1/1000 px is far
# below what anyone draws, and it keeps 854/640 from writing 13.340000000000002 into exports.
DECIMALS = 3


@dataclass(frozen=True)
class FrameScale:
    """The stored and the original (width, height) of one video's frames."""

    stored: tuple[int, int]
    original: tuple[int, int]

    @classmethod
    def of_video(cls, video) -> FrameScale:
        """Return the scale of a Video row (annotator.models.Video)."""
        return cls(stored=(video.width, video.height), original=video.original_size)

    @property
    def is_identity(self) -> bool:
        return self.stored == self.original

    def box_to_original(self, box_xywh: list[float]) -> list[float]:
        return _scale_box(box_xywh, self.stored, self.original)

    def box_to_stored(self, box_xywh: list[float]) -> list[float]:
        return _scale_box(box_xywh, self.original, self.stored)

    def points_to_original(self, points: list[list[float]]) -> list[list[float]]:
        """Return [x, y] points (a rotated box's corners) in original pixels."""
        return _scale_points(points, self.stored, self.original)

    def points_to_stored(self, points: list[list[float]]) -> list[list[float]]:
        return _scale_points(points, self.original, self.stored)

    def mask_to_original(self, mask: np.ndarray) -> np.ndarray:
        """Return an HxW bool mask of the stored size at the original size."""
        return resize_mask(mask, self.original)

    def mask_to_stored(self, mask: np.ndarray) -> np.ndarray:
        return resize_mask(mask, self.stored)


def resize_mask(mask: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Return an HxW bool mask resized to `size` (width, height); a non-empty mask stays non-empty.

    A pixel is set when at least half of it is covered. An object thinner than half a pixel of
    the new grid would vanish that way, so then every pixel it touches is kept instead.
    """
    assert mask.ndim == 2, f"expected an HxW mask, got shape {mask.shape}"
    width, height = size
    if mask.shape == (height, width):
        return mask.astype(bool)
    shrinking = width * height < mask.shape[0] * mask.shape[1]
    interpolation = cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR
    coverage = cv2.resize(mask.astype(np.float32), (width, height), interpolation=interpolation)
    resized = coverage >= 0.5
    if not resized.any() and mask.any():
        resized = coverage > 0
    return resized


def _factors(source: tuple[int, int], target: tuple[int, int]) -> tuple[float, float]:
    return target[0] / source[0], target[1] / source[1]


def _scale_box(box: list[float], source: tuple[int, int], target: tuple[int, int]) -> list[float]:
    fx, fy = _factors(source, target)
    x, y, w, h = box
    return [round(float(v), DECIMALS) for v in (x * fx, y * fy, w * fx, h * fy)]


def _scale_points(points: list[list[float]], source: tuple[int, int], target: tuple[int, int]) -> list[list[float]]:
    fx, fy = _factors(source, target)
    return [[round(float(x) * fx, DECIMALS), round(float(y) * fy, DECIMALS)] for x, y in points]
