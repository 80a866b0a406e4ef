"""Cut a template/search training pair out of two frames, with augmentation.

    aug = AugmentConfig()
    pair = crop_pair(template_bgr, template_mask, search_bgr, search_mask, rng, aug)
    pair.template (127,127,3) uint8, pair.search (255,255,3) uint8, pair.search_mask (255,255)
    uint8 0/1, pair.search_box (x1, y1, x2, y2) float in search-crop pixels (None if no target)

Crops use the tracker's geometry: the template is the context square
sqrt((w + p)(h + p)), p = (w + h) / 2, resized to 127; the search crop has the same scale and is
255 wide, so the target has the same size in both (SiamFC/SiamRPN convention, as in
`siammask.crops`). Augmentation, as SiamMask does for still images and video pairs alike: a
random shift of the search crop (the target is no longer at the centre), a random scale change
of each crop, colour (per-channel gain, brightness, occasional grey), Gaussian blur and flips
(the same flip for template and search, so they still show the same object). Pixels outside
the frame take the frame's mean colour, like the tracker's padding.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from tracking_worker.siammask.config import TrackerConfig
from tracking_worker.siammask.crops import context_side

# the tracker's own geometry: what training crops must look like to mean the same at test time
_GEOMETRY = TrackerConfig()
EXEMPLAR_SIZE = _GEOMETRY.exemplar_size
INSTANCE_SIZE = _GEOMETRY.instance_size


@dataclass(frozen=True)
class AugmentConfig:
    """Ranges of the random transforms; shifts are in output-crop pixels."""

    template_shift: float = 4.0
    template_scale: float = 0.05
    search_shift: float = 64.0
    search_scale: float = 0.18
    colour: float = 0.2  # per-channel gain in [1 - c, 1 + c]
    grey_prob: float = 0.05
    blur_prob: float = 0.2
    blur_sigma: tuple[float, float] = (0.5, 2.0)
    hflip_prob: float = 0.5
    vflip_prob: float = 0.0


@dataclass
class CroppedPair:
    template: np.ndarray
    search: np.ndarray
    search_mask: np.ndarray
    search_box: np.ndarray | None


def mask_box(mask: np.ndarray) -> np.ndarray | None:
    """Return the (x1, y1, x2, y2) pixel-edge box around a mask's pixels, or None if empty."""
    ys, xs = np.nonzero(mask)
    if len(xs) == 0:
        return None
    # pixel i covers [i - 0.5, i + 0.5] in the pixel-index coordinates warpAffine uses
    return np.array([xs.min() - 0.5, ys.min() - 0.5, xs.max() + 0.5, ys.max() + 0.5], dtype=np.float64)


def _crop_matrix(box: np.ndarray, out_size: int, scale_jitter: float, shift: np.ndarray) -> np.ndarray:
    """Return the 2x3 map from frame pixels to a crop centred on the box (plus shift)."""
    centre = (box[:2] + box[2:]) / 2
    scale = EXEMPLAR_SIZE / context_side(box[2:] - box[:2], _GEOMETRY.context_amount) * scale_jitter
    offset = (out_size - 1) / 2 + shift - scale * centre
    return np.array([[scale, 0, offset[0]], [0, scale, offset[1]]], dtype=np.float64)


def _warp(image: np.ndarray, matrix: np.ndarray, size: int, *, nearest: bool = False) -> np.ndarray:
    if nearest:
        return cv2.warpAffine(image, matrix, (size, size), flags=cv2.INTER_NEAREST,
                              borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    fill = tuple(float(v) for v in cv2.mean(image)[:3])
    return cv2.warpAffine(image, matrix, (size, size), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=fill)


def _photometric(image: np.ndarray, rng: np.random.Generator, cfg: AugmentConfig) -> np.ndarray:
    out = image.astype(np.float32)
    if cfg.colour > 0:
        out = out * rng.uniform(1 - cfg.colour, 1 + cfg.colour, 3).astype(np.float32)
        out = out + np.float32(rng.uniform(-25, 25) * cfg.colour / 0.2)
    if rng.random() < cfg.grey_prob:
        out = np.repeat(out.mean(axis=2, keepdims=True), 3, axis=2)
    if rng.random() < cfg.blur_prob:
        out = cv2.GaussianBlur(out, (0, 0), float(rng.uniform(*cfg.blur_sigma)))
    return np.clip(out, 0, 255).astype(np.uint8)


def crop_pair(
    template_bgr: np.ndarray,
    template_mask: np.ndarray,
    search_bgr: np.ndarray,
    search_mask: np.ndarray | None,
    rng: np.random.Generator,
    cfg: AugmentConfig | None = None,
    *,
    search_reference: np.ndarray | None = None,
) -> CroppedPair:
    """Return the augmented 127 template crop and 255 search crop with the search mask and box.

    Args:
        template_mask / search_mask: HxW masks of the target (nonzero = target). `search_mask`
            None makes a negative pair: the search crop is taken around `search_reference`
            (a box in the search frame) and has no target.
    """
    cfg = cfg or AugmentConfig()
    t_box = mask_box(template_mask)
    if t_box is None:
        raise ValueError("the template mask is empty")
    t_matrix = _crop_matrix(
        t_box, EXEMPLAR_SIZE, 1 + rng.uniform(-cfg.template_scale, cfg.template_scale),
        rng.uniform(-cfg.template_shift, cfg.template_shift, 2),
    )
    s_box = mask_box(search_mask) if search_mask is not None else None
    anchor_box = s_box if s_box is not None else (search_reference if search_reference is not None else t_box)
    s_matrix = _crop_matrix(
        anchor_box, INSTANCE_SIZE, 1 + rng.uniform(-cfg.search_scale, cfg.search_scale),
        rng.uniform(-cfg.search_shift, cfg.search_shift, 2),
    )
    flips = (rng.random() < cfg.hflip_prob, rng.random() < cfg.vflip_prob)
    for matrix, size in ((t_matrix, EXEMPLAR_SIZE), (s_matrix, INSTANCE_SIZE)):
        if flips[0]:
            matrix[0] = -matrix[0]
            matrix[0, 2] += size - 1
        if flips[1]:
            matrix[1] = -matrix[1]
            matrix[1, 2] += size - 1
    template = _photometric(_warp(template_bgr, t_matrix, EXEMPLAR_SIZE), rng, cfg)
    search = _photometric(_warp(search_bgr, s_matrix, INSTANCE_SIZE), rng, cfg)
    if search_mask is None or s_box is None:
        return CroppedPair(template, search, np.zeros((INSTANCE_SIZE, INSTANCE_SIZE), np.uint8), None)
    crop_mask = _warp((search_mask > 0).astype(np.uint8), s_matrix, INSTANCE_SIZE, nearest=True)
    corners = np.array([[s_box[0], s_box[1], 1.0], [s_box[2], s_box[3], 1.0]]) @ s_matrix.T
    box = np.array([corners[:, 0].min(), corners[:, 1].min(), corners[:, 0].max(), corners[:, 1].max()])
    # a target shifted (partly) out of the crop: clip its box to the crop
    box = np.clip(box, -0.5, INSTANCE_SIZE - 0.5)
    if box[2] - box[0] < 1 or box[3] - box[1] < 1:
        return CroppedPair(template, search, crop_mask, None)
    return CroppedPair(template, search, crop_mask, box)
