"""Paste a candidate window's mask into the frame inside the window's own rectangle.

    pasted = paste_window(window_probs, window_to_frame(...), frame_hw, cfg.seg_thr)
    mask = pasted.frame_mask()                      # (H, W) bool, as the full-frame warp gives
    corners = rotated_box_from_mask(pasted.mask, fallback, offset=pasted.origin)

The official crop_back warps the window over the whole frame (cv2.warpAffine, border -1) and
thresholds it, so its cost grows with the frame and the number of objects. Only the frame
rectangle under the window's pixels above the threshold can hold mask pixels, so computing that
rectangle alone is enough, provided each pixel inside gets the very value the full-frame warp
gives it. OpenCV 5's
warpAffine (imgproc/src/warp_kernels.simd.hpp, 32FC1 bilinear) casts the inverse map to float32
and maps pixel x of row y to sx = fma(M0, x, M2) and sy = y * M4 + M5 in float32 (M1 = M3 = 0
here: the map only scales and shifts); the last `width % lanes` pixels of a row take a scalar
path, sx = x * M0 + M2 with two roundings. We compute those coordinates for the rectangle's
pixels exactly and give them to cv2.remap, which samples with the same bilinear kernel.

The vector width depends on how OpenCV was built and on the CPU, so it is found once by
comparing against cv2.warpAffine itself (`_warp_lanes`); when no width reproduces the warp (an
OpenCV with another algorithm), the paste warps the full frame and keeps the rectangle: slower,
never different. tests/tracking_worker/siammask/test_paste.py checks bit equality.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import cv2
import numpy as np

from .crops import paste_window_mask

# 2 frame pixels beyond the mapped source bounds absorb the rounding of those bounds
_MARGIN = 2


@dataclass(frozen=True)
class PastedWindow:
    """Probabilities over the frame rectangle [y0, y0 + h) x [x0, x0 + w); the mask is False outside it."""

    probs: np.ndarray  # (h, w) float32, possibly empty
    origin: tuple[int, int]  # (x0, y0) in frame pixels
    frame_hw: tuple[int, int]
    threshold: float

    @property
    def mask(self) -> np.ndarray:
        """(h, w) bool: the rectangle's pixels above the threshold."""
        return self.probs > self.threshold

    def frame_mask(self, window_mask: np.ndarray | None = None) -> np.ndarray:
        """Return the (H, W) bool mask; `window_mask` is `self.mask` when the caller already has it."""
        mask = np.zeros(self.frame_hw, dtype=bool)
        x0, y0 = self.origin
        h, w = self.probs.shape
        mask[y0 : y0 + h, x0 : x0 + w] = self.mask if window_mask is None else window_mask
        return mask


def paste_window(window_probs: np.ndarray, mapping: np.ndarray, frame_hw: tuple[int, int],
                 threshold: float) -> PastedWindow:
    """Warp an (S, S) float32 window into the frame by `mapping` (window -> frame, scale + shift).

    Only the frame rectangle that can hold mask pixels is computed: a bilinear sample exceeds
    `threshold` only if one of its four source pixels does, so the rectangle is the window's
    rows and columns above it, one source pixel wider on each side, mapped into the frame.
    Inside it the probabilities are the full-frame warp's, bit for bit.
    """
    if mapping[0, 1] != 0 or mapping[1, 0] != 0:
        raise ValueError("paste_window handles scale-and-shift maps only")
    height, width = frame_hw
    above = window_probs > threshold
    cols, rows = np.flatnonzero(above.any(axis=0)), np.flatnonzero(above.any(axis=1))
    if cols.size == 0:
        return PastedWindow(np.empty((0, 0), np.float32), (0, 0), frame_hw, threshold)
    a, tx, b, ty = mapping[0, 0], mapping[0, 2], mapping[1, 1], mapping[1, 2]
    # source columns c0 - 1 .. c1 + 1 map to frame a * c + tx (a, b > 0)
    x0 = min(max(int(np.floor(tx + a * (cols[0] - 1))) - _MARGIN, 0), width)
    x1 = max(min(int(np.ceil(tx + a * (cols[-1] + 1))) + _MARGIN + 1, width), x0)
    y0 = min(max(int(np.floor(ty + b * (rows[0] - 1))) - _MARGIN, 0), height)
    y1 = max(min(int(np.ceil(ty + b * (rows[-1] + 1))) + _MARGIN + 1, height), y0)
    if x0 == x1 or y0 == y1:
        return PastedWindow(np.empty((y1 - y0, x1 - x0), np.float32), (x0, y0), frame_hw, threshold)
    lanes = _warp_lanes()
    if lanes is None:
        full = paste_window_mask(window_probs, mapping, frame_hw)
        return PastedWindow(full[y0:y1, x0:x1].copy(), (x0, y0), frame_hw, threshold)
    probs = _remap_rect(window_probs, mapping, (x0, x1, y0, y1), width, lanes)
    return PastedWindow(probs, (x0, y0), frame_hw, threshold)


def _remap_rect(window_probs, mapping, rect, width: int, lanes: int) -> np.ndarray:
    """Sample the frame rectangle (x0, x1, y0, y1) at the coordinates warpAffine computes."""
    x0, x1, y0, y1 = rect
    m0, m2, m4, m5 = (np.float32(v) for v in _inverse_scale_shift(mapping[0, 0], mapping[0, 2],
                                                                    mapping[1, 1], mapping[1, 2]))
    cols = np.arange(x0, x1, dtype=np.float32)
    xs = _fma_f32(m0, cols, m2)
    tail = cols >= width - width % (2 * lanes)  # pixels past the last full vector block
    xs[tail] = cols[tail] * m0 + m2
    ys = np.arange(y0, y1, dtype=np.float32) * m4 + m5  # float32 multiply, then add: not fused
    shape = (y1 - y0, x1 - x0)
    map_x = np.ascontiguousarray(np.broadcast_to(xs, shape))
    map_y = np.ascontiguousarray(np.broadcast_to(ys[:, None], shape))
    return cv2.remap(window_probs, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=-1)


@cache
def _warp_lanes() -> int | None:
    """Return the float32 vector width that makes `_remap_rect` equal cv2.warpAffine, or None."""
    rng = np.random.default_rng(0)
    probs = rng.random((127, 127), dtype=np.float32)
    frame_hw = (4, 255)  # odd width: every vector width leaves a scalar tail
    # 40 random maps: a wrong width matches only a third to three quarters of them here
    maps = [np.array([[a, 0.0, tx], [0.0, b, ty]]) for a, tx, b, ty in zip(
        rng.uniform(0.3, 4, 40), rng.uniform(-300, 200, 40), rng.uniform(0.3, 4, 40), rng.uniform(-30, 5, 40))]
    for lanes in (4, 8, 16, 32):
        if all(np.array_equal(_remap_rect(probs, m, (0, 255, 0, 4), 255, lanes), paste_window_mask(probs, m, frame_hw))
               for m in maps):
            return lanes
    return None


def _inverse_scale_shift(a: float, tx: float, b: float, ty: float) -> tuple[float, float, float, float]:
    """Invert x' = a x + tx, y' = b y + ty in float64 with warpAffine's own formula (imgwarp.cpp)."""
    det = 1.0 / (a * b)
    ia, ib = b * det, a * det
    return ia, -ia * tx, ib, -ib * ty


def _fma_f32(a: np.float32, x: np.ndarray, c: np.float32) -> np.ndarray:
    """Return float32(a * x + c) rounded once, as a fused multiply-add does (numpy has no fma).

    a * x is exact in float64 (24 x 24 bits); the float64 sum s = p + c is rounded, and TwoSum
    gives its error. Rounding s to float32 can differ from rounding the exact sum only when s
    sits exactly halfway between two float32 values, where the error's sign decides.
    """
    p = np.float64(a) * x.astype(np.float64)
    c64 = np.float64(c)
    s = p + c64
    virtual = s - p
    err = (p - (s - virtual)) + (c64 - virtual)
    r = s.astype(np.float32)
    toward = np.where(s > r, np.float32(np.inf), np.float32(-np.inf)).astype(np.float32)
    other = np.nextafter(r, toward)
    halfway = (s != r) & (s == (r.astype(np.float64) + other.astype(np.float64)) / 2) & (err != 0)
    goes_up = err > 0
    return np.where(halfway & ((other > r) == goes_up), other, r)
