"""Training targets for the score and box branches: anchor assignment and box deltas.

    anchors = training_anchors(cfg)                      # (A*25*25, 4) cx, cy, w, h in crop px
    labels = assign_anchors(anchors, box_xyxy, rng)     # 1 positive, 0 negative, -1 ignored
    deltas = encode_deltas(anchors, box_xyxy)           # (4, A*25*25) normalised dx, dy, dw, dh

Assignment follows SiamRPN (Li et al., "High Performance Visual Tracking with Siamese Region
Proposal Network", CVPR 2018, training section), which SiamMask's score and box branches
inherit (SiamMask paper §3.2 / §4): anchors whose IoU with the ground-truth box is above 0.6 are
positive, below 0.3 negative, and one training pair contributes at most 16 positives and 64
samples in all. Anchor layout and shapes are the tracker's own (`siammask.anchors`), so the
trained channels mean exactly what the tracker decodes.
"""

from __future__ import annotations

import numpy as np

from tracking_worker.siammask.anchors import generate_anchors
from tracking_worker.siammask.config import TrackerConfig

POSITIVE_IOU = 0.6
NEGATIVE_IOU = 0.3
MAX_POSITIVES = 16
TOTAL_SAMPLES = 64


def training_anchors(cfg: TrackerConfig | None = None) -> np.ndarray:
    """Return (A*S*S, 4) float32 anchors (cx, cy, w, h) in search-crop pixels (crop centre = 127)."""
    cfg = cfg or TrackerConfig()
    anchors = generate_anchors(cfg).copy()
    # the tracker's anchors are offsets from the crop centre; pixel (instance_size - 1) / 2
    anchors[:, :2] += (cfg.instance_size - 1) / 2
    return anchors


def anchors_to_corners(anchors: np.ndarray) -> np.ndarray:
    """Return (N, 4) x1, y1, x2, y2 of (cx, cy, w, h) anchors."""
    half = anchors[:, 2:] / 2
    return np.concatenate([anchors[:, :2] - half, anchors[:, :2] + half], axis=1)


def box_iou(corners: np.ndarray, box_xyxy: np.ndarray) -> np.ndarray:
    """Return the IoU of each of the (N, 4) x1y1x2y2 boxes with one box."""
    x1 = np.maximum(corners[:, 0], box_xyxy[0])
    y1 = np.maximum(corners[:, 1], box_xyxy[1])
    x2 = np.minimum(corners[:, 2], box_xyxy[2])
    y2 = np.minimum(corners[:, 3], box_xyxy[3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    area_a = (corners[:, 2] - corners[:, 0]) * (corners[:, 3] - corners[:, 1])
    area_b = (box_xyxy[2] - box_xyxy[0]) * (box_xyxy[3] - box_xyxy[1])
    return inter / np.maximum(area_a + area_b - inter, 1e-9)


def assign_anchors(
    anchors: np.ndarray,
    box_xyxy: np.ndarray | None,
    rng: np.random.Generator,
    *,
    positive_iou: float = POSITIVE_IOU,
    negative_iou: float = NEGATIVE_IOU,
    max_positives: int = MAX_POSITIVES,
    total: int = TOTAL_SAMPLES,
) -> np.ndarray:
    """Return (N,) int64 labels: 1 positive, 0 negative, -1 not sampled.

    Args:
        anchors: (N, 4) cx, cy, w, h in crop pixels.
        box_xyxy: the target box in crop pixels, or None for a negative pair (no target).
    Positives (IoU > positive_iou) are subsampled to `max_positives`; negatives (IoU <
    negative_iou) fill the rest up to `total`.
    """
    labels = np.full(len(anchors), -1, dtype=np.int64)
    if box_xyxy is None:
        positive = np.zeros(len(anchors), dtype=bool)
        negative = np.ones(len(anchors), dtype=bool)
    else:
        iou = box_iou(anchors_to_corners(anchors), np.asarray(box_xyxy, dtype=np.float64))
        positive, negative = iou > positive_iou, iou < negative_iou
    pos_idx = np.flatnonzero(positive)
    if len(pos_idx) > max_positives:
        pos_idx = rng.choice(pos_idx, max_positives, replace=False)
    neg_idx = np.flatnonzero(negative)
    n_neg = total - len(pos_idx)
    if len(neg_idx) > n_neg:
        neg_idx = rng.choice(neg_idx, n_neg, replace=False)
    labels[neg_idx] = 0
    labels[pos_idx] = 1
    return labels


def encode_deltas(anchors: np.ndarray, box_xyxy: np.ndarray | None) -> np.ndarray:
    """Return (4, N) float32 regression targets, the inverse of the tracker's decoding.

    dx = (gx - ax) / aw, dy = (gy - ay) / ah, dw = log(gw / aw), dh = log(gh / ah) (SiamRPN's
    normalised coordinates; the tracker computes cx = dx * aw + ax, w = exp(dw) * aw).
    """
    if box_xyxy is None:
        return np.zeros((4, len(anchors)), dtype=np.float32)
    x1, y1, x2, y2 = (float(v) for v in box_xyxy)
    gw, gh = max(x2 - x1, 1e-3), max(y2 - y1, 1e-3)
    gx, gy = x1 + gw / 2, y1 + gh / 2
    ax, ay, aw, ah = anchors.T.astype(np.float64)
    return np.stack(
        [(gx - ax) / aw, (gy - ay) / ah, np.log(gw / aw), np.log(gh / ah)]
    ).astype(np.float32)
