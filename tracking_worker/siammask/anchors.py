"""Anchors and the cosine window over the 25x25 response map.

    anchors = generate_anchors(cfg)      # (A*25*25, 4) float32 rows of (cx, cy, w, h)
    window = cosine_window(cfg)          # (A*25*25,) float64

Layout (official: tools/test.py generate_anchor): index = a * 625 + row * 25 + col, anchor-major,
matching the score/loc channels [a] / [5 + a] etc.
"""

from __future__ import annotations

import math

import numpy as np

from .config import TrackerConfig


def anchor_shapes(cfg: TrackerConfig) -> np.ndarray:
    """Return (A, 2) anchor widths and heights, ratio-major then scale."""
    size = cfg.total_stride * cfg.total_stride
    shapes = []
    for ratio in cfg.ratios:
        # official: utils/anchors.py, truncation with int() (round_dight = 0)
        ws = int(math.sqrt(size / ratio))
        hs = int(ws * ratio)
        shapes.extend((ws * scale, hs * scale) for scale in cfg.scales)
    return np.asarray(shapes, dtype=np.float32)


def generate_anchors(cfg: TrackerConfig) -> np.ndarray:
    """Return (A*S*S, 4) float32 anchors (cx, cy, w, h) in search-crop pixels, centred at 0."""
    shapes = anchor_shapes(cfg)
    side = cfg.score_size
    # centred offsets -96 + 8k for k in 0..24
    offsets = -(side // 2) * cfg.total_stride + cfg.total_stride * np.arange(side)
    xx, yy = np.meshgrid(offsets, offsets)
    count = len(shapes)
    anchors = np.zeros((count, side * side, 4), dtype=np.float32)
    anchors[:, :, 0] = xx.ravel()[None]
    anchors[:, :, 1] = yy.ravel()[None]
    anchors[:, :, 2:] = shapes[:, None, :]
    return anchors.reshape(-1, 4)


def cosine_window(cfg: TrackerConfig) -> np.ndarray:
    """Return the flattened outer product of Hanning windows, tiled once per anchor."""
    window = np.outer(np.hanning(cfg.score_size), np.hanning(cfg.score_size))
    return np.tile(window.ravel(), cfg.anchor_num)
