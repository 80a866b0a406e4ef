"""Boxes from masks, the one rule for the tracker, the evaluation and the web side.

    corners = rotated_box_from_mask(mask, fallback_xywh=(x, y, w, h))   # (4, 2) float64
    x, y, w, h = mask_to_xywh(mask)

Only numpy and OpenCV: the web process (annotator) uses it too and never imports torch.

Official (tools/test.py siamese_track): largest external contour (no approximation); when it
exists with area > 100, the corners of cv2.minAreaRect; otherwise the axis-aligned corners of
the tracker's box.
"""

from __future__ import annotations

import cv2
import numpy as np


def xywh_corners(box_xywh: tuple[float, float, float, float]) -> np.ndarray:
    """Return (4, 2) corners of an axis-aligned box: top-left, top-right, bottom-right, bottom-left."""
    x, y, w, h = (float(v) for v in box_xywh)
    return np.array([[x, y], [x + w, y], [x + w, y + h], [x, y + h]], dtype=np.float64)


def rotated_box_from_mask(
    mask: np.ndarray,
    fallback_xywh: tuple[float, float, float, float],
    min_area: float = 100.0,
    offset: tuple[int, int] = (0, 0),
) -> np.ndarray:
    """Return the (4, 2) corners of the min-area rectangle around the mask's largest contour.

    Falls back to the corners of `fallback_xywh` when the mask has no contour of area above
    `min_area` (contour area in pixels, as cv2.contourArea measures it). `offset` places a mask
    cut from a larger frame: contours come back in frame pixels, so the rectangle is the one the
    whole frame's mask gives, provided the cut holds every foreground pixel.
    """
    if mask.size == 0:
        return xywh_corners(fallback_xywh)
    mask_u8 = np.ascontiguousarray(mask, dtype=np.uint8)
    found = cv2.findContours(mask_u8, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE, offset=offset)
    contours = found[-2]  # OpenCV 3 returns (image, contours, hierarchy), 4 and 5 (contours, hierarchy)
    if contours:
        areas = [cv2.contourArea(c) for c in contours]
        best = int(np.argmax(areas))
        if areas[best] > min_area:
            rect = cv2.minAreaRect(contours[best].reshape(-1, 2))
            return cv2.boxPoints(rect).astype(np.float64)
    return xywh_corners(fallback_xywh)


def mask_to_xywh(mask: np.ndarray) -> tuple[int, int, int, int]:
    """Return the min-max box (x, y, w, h) of a mask, or (0, 0, 0, 0) when it is empty."""
    ys, xs = np.nonzero(mask)
    if xs.size == 0:
        return 0, 0, 0, 0
    x0, y0 = int(xs.min()), int(ys.min())
    return x0, y0, int(xs.max()) - x0 + 1, int(ys.max()) - y0 + 1
