"""Square crops around the target, padded with the first frame's mean colour.

    side = search_crop_side(size_wh, cfg)
    patch = get_subwindow(frame_bgr, center_xy, cfg.instance_size, round(side), pad_bgr)

Numerics follow the official get_subwindow_tracking (tools/test.py): the crop of side s spans
xmin = round(cx - (s + 1) / 2) .. xmin + s - 1 with Python's round (halves to even), pixels
outside the frame take the mean colour, and the patch is resized bilinearly with cv2 to the
model size (still uint8, so the network sees the rounded resized pixels).
"""

from __future__ import annotations

import math

import cv2
import numpy as np
import torch

from .config import TrackerConfig


def context_side(size_wh: tuple[float, float] | np.ndarray, context_amount: float) -> float:
    """Return sqrt((w + p)(h + p)) with p = context_amount * (w + h) (paper §3, SiamFC context)."""
    w, h = float(size_wh[0]), float(size_wh[1])
    pad = context_amount * (w + h)
    return math.sqrt((w + pad) * (h + pad))


def exemplar_crop_side(size_wh, cfg: TrackerConfig) -> int:
    """Return the exemplar crop side s_z = round(sqrt((w + p)(h + p))) (official: siamese_init)."""
    # at least one pixel: a box far below a pixel would otherwise give an empty crop
    return max(1, round(context_side(size_wh, cfg.context_amount)))


def search_crop_side(size_wh, cfg: TrackerConfig) -> float:
    """Return s_x = s + 2 * (((255 - 127) / 2) / (127 / s)), unrounded (official: siamese_track)."""
    side = context_side(size_wh, cfg.context_amount)
    scale = cfg.exemplar_size / side
    return side + 2 * (((cfg.instance_size - cfg.exemplar_size) / 2) / scale)


def mean_color(frame_bgr: np.ndarray) -> np.ndarray:
    """Return the per-channel mean (float64, BGR) used to pad every later crop of the object."""
    return frame_bgr.mean(axis=(0, 1))


def get_subwindow(
    frame_bgr: np.ndarray,
    center_xy: tuple[float, float] | np.ndarray,
    model_size: int,
    crop_size: int,
    pad_bgr: np.ndarray,
) -> np.ndarray:
    """Return the (model_size, model_size, 3) uint8 crop of side `crop_size` around `center_xy`.

    Args:
        frame_bgr: HxWx3 uint8 BGR image.
        center_xy: crop centre in pixels (x, y), 0-based.
        crop_size: integer side of the crop in frame pixels.
        pad_bgr: fill colour; stored in uint8, so a float mean is truncated like the official
            code's assignment into its uint8 padded image.
    """
    crop_size = int(crop_size)
    if crop_size < 1:
        raise ValueError(f"crop_size must be at least 1, got {crop_size}")
    height, width = frame_bgr.shape[:2]
    half = (crop_size + 1) / 2
    xmin = round(float(center_xy[0]) - half)
    ymin = round(float(center_xy[1]) - half)
    xmax, ymax = xmin + crop_size - 1, ymin + crop_size - 1
    if xmin >= 0 and ymin >= 0 and xmax < width and ymax < height:
        patch = frame_bgr[ymin : ymax + 1, xmin : xmax + 1]
    else:
        # only the crop is built, not the whole padded frame; same pixels as the official code
        fill = [int(v) for v in np.asarray(pad_bgr, dtype=np.float64).astype(np.uint8)]
        x0, y0 = max(xmin, 0), max(ymin, 0)
        x1, y1 = min(xmax + 1, width), min(ymax + 1, height)
        if x0 < x1 and y0 < y1:
            # copyMakeBorder writes each pixel once; numpy's broadcast fill of a 3-vector took
            # 13 ms for a 2000 px crop (0.2 ms this way), and big objects have crops that big
            patch = cv2.copyMakeBorder(frame_bgr[y0:y1, x0:x1], y0 - ymin, ymax + 1 - y1, x0 - xmin,
                                       xmax + 1 - x1, cv2.BORDER_CONSTANT, value=fill)
        else:
            patch = np.empty((crop_size, crop_size, 3), dtype=np.uint8)
            patch[:] = fill
    if crop_size != model_size:
        patch = cv2.resize(patch, (model_size, model_size))  # bilinear, as the official call
    return np.ascontiguousarray(patch)


def patches_to_tensor(patches: list[np.ndarray], device: torch.device) -> torch.Tensor:
    """Stack HxWx3 uint8 patches into a (B, 3, H, W) float32 tensor of raw 0-255 BGR values.

    Contiguous NCHW on purpose: channels-last inputs ran about 10 % faster on CPU here, but
    their different float32 rounding moved one reference step's mask IoU to 0.9896 (< 0.99).
    """
    batch = torch.from_numpy(np.stack(patches)).to(device)
    return batch.permute(0, 3, 1, 2).float().contiguous()


def paste_window_mask(window_probs: np.ndarray, mapping: np.ndarray, frame_hw: tuple[int, int]) -> np.ndarray:
    """Warp a candidate window's (S, S) float32 mask over the whole frame; outside it is -1.

    The official crop_back (bilinear, border -1) with `mapping` from `window_to_frame`. The
    tracker computes only the part that can hold mask pixels (paste.py); this is the reference.
    """
    height, width = frame_hw
    return cv2.warpAffine(window_probs, mapping, (width, height), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=-1)


def window_to_frame(
    out_size: int,
    crop_center_xy: np.ndarray,
    crop_side: int,
    row: int,
    col: int,
    cfg: TrackerConfig,
    frame_hw: tuple[int, int],
) -> np.ndarray:
    """Return the (2, 3) affine map from a candidate window's mask pixels to frame pixels.

    out_size: the window mask's side (127 after refine, 63 from the mask head).
    crop_center_xy / crop_side: the search crop the window lies in (side rounded, frame px).
    row, col: the window's position in the score map.
    """
    height, width = frame_hw
    # official: siamese_track, crop_box corner = centre - side / 2; window of side 127 * s whose
    # corner is offset by ((col, row) - base_size / 2) * total_stride * s, s = crop side / 255
    s = crop_side / cfg.instance_size
    sub_x = crop_center_xy[0] - crop_side / 2 + (col - cfg.base_size / 2) * cfg.total_stride * s
    sub_y = crop_center_xy[1] - crop_side / 2 + (row - cfg.base_size / 2) * cfg.total_stride * s
    k = out_size / (s * cfg.exemplar_size)
    back = (-sub_x * k, -sub_y * k, width * k, height * k)
    # official crop_back: scale (out - 1) / box side, the same affine map, bilinear, border -1
    a, b = (width - 1) / back[2], (height - 1) / back[3]
    return np.array([[a, 0.0, -a * back[0]], [0.0, b, -b * back[1]]], dtype=np.float64)
