"""Region similarity J, boundary accuracy F and their per-sequence statistics (DAVIS), plus
rotated-box IoU (VOT).

J and F follow Perazzi et al., "A Benchmark Dataset and Evaluation Methodology for Video Object
Segmentation" (CVPR 2016) with the conventions of the DAVIS 2017 evaluation toolkit; see
docs/evaluation.md. Every function here is pure: masks in, numbers out.

    j = region_similarity(pred_mask, gt_mask)
    f = boundary_accuracy(pred_mask, gt_mask)
    j_mean, j_recall, j_decay = sequence_statistics(per_frame_j)
"""

from __future__ import annotations

import math
from typing import NamedTuple

import cv2
import numpy as np

# DAVIS: boundaries match within 0.8% of the image diagonal
BOUND_TH = 0.008


def region_similarity(pred_mask: np.ndarray, gt_mask: np.ndarray) -> float:
    """Return the Jaccard index of two HxW masks; 1.0 when both are empty.

    Args:
        pred_mask, gt_mask: HxW arrays of the same shape; nonzero is foreground.
    """
    pred, gt = _as_bool_pair(pred_mask, gt_mask)
    union = np.count_nonzero(pred | gt)
    if union == 0:
        # nothing to find and nothing found: a perfect answer (DAVIS convention)
        return 1.0
    return float(np.count_nonzero(pred & gt) / union)


def mask_boundary(mask: np.ndarray) -> np.ndarray:
    """Return the one-pixel boundary map of a mask as an HxW bool array.

    A pixel is on the boundary when it differs from its right, lower or lower-right neighbour
    inside the image; pixels past the image edge are not compared. This is the boundary map of
    the BSDS `seg2bmap` used by the DAVIS toolkit, at the mask's own resolution.
    """
    m = np.asarray(mask).astype(bool)
    if m.ndim != 2:
        raise ValueError(f"expected an HxW mask, got shape {m.shape}")
    boundary = np.zeros(m.shape, dtype=bool)
    boundary[:, :-1] |= m[:, :-1] != m[:, 1:]
    boundary[:-1, :] |= m[:-1, :] != m[1:, :]
    boundary[:-1, :-1] |= m[:-1, :-1] != m[1:, 1:]
    return boundary


def boundary_tolerance(shape: tuple[int, ...], bound_th: float = BOUND_TH) -> int:
    """Return the boundary matching radius in pixels for an image of the given (H, W) shape.

    A `bound_th` of 1 or more is already a radius in pixels (as in the DAVIS toolkit); below 1
    it is a fraction of the image diagonal, rounded up.
    """
    if bound_th >= 1:
        return int(math.ceil(bound_th))
    height, width = shape[:2]
    return int(math.ceil(bound_th * math.hypot(height, width)))


def disk(radius: int) -> np.ndarray:
    """Return a (2r+1)x(2r+1) uint8 kernel of the pixels within Euclidean distance r."""
    r = int(radius)
    yy, xx = np.mgrid[-r : r + 1, -r : r + 1]
    return (xx * xx + yy * yy <= r * r).astype(np.uint8)


def boundary_precision_recall(
    pred_mask: np.ndarray, gt_mask: np.ndarray, *, bound_th: float = BOUND_TH
) -> tuple[float, float]:
    """Return (precision, recall) of the predicted boundary against the ground-truth boundary.

    A boundary pixel counts as matched when the other boundary has a pixel within the tolerance
    disk around it. Empty boundaries follow DAVIS: both empty gives (1, 1); only the prediction
    empty gives (1, 0); only the ground truth empty gives (0, 1).
    """
    pred, gt = _as_bool_pair(pred_mask, gt_mask)
    pred_boundary = mask_boundary(pred)
    gt_boundary = mask_boundary(gt)
    n_pred = np.count_nonzero(pred_boundary)
    n_gt = np.count_nonzero(gt_boundary)
    if n_pred == 0 and n_gt == 0:
        return 1.0, 1.0
    if n_pred == 0:
        return 1.0, 0.0
    if n_gt == 0:
        return 0.0, 1.0

    kernel = disk(boundary_tolerance(pred.shape, bound_th))
    pred_near = cv2.dilate(pred_boundary.astype(np.uint8), kernel).astype(bool)
    gt_near = cv2.dilate(gt_boundary.astype(np.uint8), kernel).astype(bool)
    precision = float(np.count_nonzero(pred_boundary & gt_near) / n_pred)
    recall = float(np.count_nonzero(gt_boundary & pred_near) / n_gt)
    return precision, recall


def boundary_accuracy(
    pred_mask: np.ndarray, gt_mask: np.ndarray, *, bound_th: float = BOUND_TH
) -> float:
    """Return the boundary F-measure of two HxW masks; 1.0 when both are empty, 0.0 when one is."""
    precision, recall = boundary_precision_recall(pred_mask, gt_mask, bound_th=bound_th)
    if precision + recall == 0:
        return 0.0
    return 2 * precision * recall / (precision + recall)


class Statistics(NamedTuple):
    """Per-sequence summary of a per-frame measure (J or F)."""

    mean: float
    recall: float
    decay: float


def sequence_statistics(
    values: np.ndarray | list[float], *, threshold: float = 0.5, n_bins: int = 4
) -> Statistics:
    """Return the mean, recall and decay of one object's per-frame values, in frame order.

    recall is the fraction of frames whose value is strictly above `threshold`. decay follows
    the DAVIS toolkit: the frames are cut into `n_bins` quantiles whose edges are the rounded
    points of linspace(1, N, n_bins + 1) (neighbouring bins share their edge frame), and decay
    is the mean of the first bin minus the mean of the last. NaN values are ignored; with no
    values all three are NaN.
    """
    v = np.asarray(values, dtype=np.float64).ravel()
    v = v[~np.isnan(v)]
    if v.size == 0:
        return Statistics(math.nan, math.nan, math.nan)
    # 1-based edges rounded half up, as the toolkit's round(x + 1e-10), then made 0-based
    edges = np.floor(np.linspace(1, v.size, n_bins + 1) + 0.5).astype(int) - 1
    first = v[edges[0] : edges[1] + 1]
    last = v[edges[-2] : edges[-1] + 1]
    return Statistics(
        mean=float(v.mean()),
        recall=float(np.mean(v > threshold)),
        decay=float(first.mean() - last.mean()),
    )


def rotated_box_iou(box_a: np.ndarray, box_b: np.ndarray) -> float:
    """Return the IoU of two rotated boxes given as 4x2 arrays of (x, y) corners in order.

    The corners may run clockwise or counter-clockwise. Degenerate boxes (zero area) give 0.
    """
    a = _as_polygon(box_a)
    b = _as_polygon(box_b)
    area_a = abs(cv2.contourArea(a))
    area_b = abs(cv2.contourArea(b))
    if area_a <= 0 or area_b <= 0:
        return 0.0
    inter, _ = cv2.intersectConvexConvex(a, b)
    inter = max(float(inter), 0.0)
    union = area_a + area_b - inter
    return min(inter / union, 1.0) if union > 0 else 0.0


def _as_polygon(box: np.ndarray) -> np.ndarray:
    p = np.asarray(box, dtype=np.float32)
    if p.shape != (4, 2):
        raise ValueError(f"expected a 4x2 rotated box, got shape {p.shape}")
    if cv2.contourArea(p, oriented=True) < 0:
        # intersectConvexConvex wants both polygons wound the same way
        p = p[::-1].copy()
    return p


def _as_bool_pair(pred_mask: np.ndarray, gt_mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    pred = np.asarray(pred_mask).astype(bool)
    gt = np.asarray(gt_mask).astype(bool)
    if pred.shape != gt.shape or pred.ndim != 2:
        raise ValueError(f"masks must be HxW of equal shape, got {pred.shape} and {gt.shape}")
    return pred, gt
