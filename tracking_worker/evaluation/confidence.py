"""How well a per-frame confidence (the tracker's score or predicted quality) tells good masks from bad.

A frame is *bad* when its region similarity J is below 0.5. A useful confidence is low on bad
frames, so a reviewer sorting frames by it sees the bad ones first:

    auc = bad_frame_auc(quality, j)        # 1: every bad frame below every good one; 0.5: chance
    rho = spearman(quality, j)             # rank correlation with J itself

Every function here is pure and ignores pairs where either value is NaN (a tracker without a
quality head reports none). docs/evaluation.md gives the definitions.
"""

from __future__ import annotations

import math

import numpy as np

BAD_J = 0.5  # a frame is bad when J < BAD_J


def mid_ranks(values: np.ndarray) -> np.ndarray:
    """Return the 1-based ranks of `values`, ties sharing their mean rank (scipy's rankdata)."""
    values = np.asarray(values, dtype=np.float64).ravel()
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    starts_group = np.r_[True, ordered[1:] != ordered[:-1]]
    starts = np.flatnonzero(starts_group)
    counts = np.diff(np.r_[starts, values.size])
    ranks = np.empty(values.size)
    # a tie group occupying 0-based positions start .. start + count - 1 has mean rank start + (count + 1) / 2
    ranks[order] = np.repeat(starts + (counts + 1) / 2, counts)
    return ranks


def roc_auc(labels: np.ndarray, ranking: np.ndarray) -> float:
    """Return the ROC AUC of `ranking` for the positive `labels`; NaN unless both classes occur.

    The AUC is the probability that a random positive is ranked above a random negative, ties
    counting one half: the Mann-Whitney U of the positives over n_pos * n_neg, from mid-ranks.
    """
    positive = np.asarray(labels, dtype=bool).ravel()
    ranking = np.asarray(ranking, dtype=np.float64).ravel()
    if positive.shape != ranking.shape:
        raise ValueError(f"labels and ranking differ in length: {positive.size} and {ranking.size}")
    n_pos = int(positive.sum())
    n_neg = positive.size - n_pos
    if n_pos == 0 or n_neg == 0:
        return math.nan
    ranks = mid_ranks(ranking)
    u = ranks[positive].sum() - n_pos * (n_pos + 1) / 2
    return float(u / (n_pos * n_neg))


def bad_frame_auc(confidence: np.ndarray, j: np.ndarray, *, bad_j: float = BAD_J) -> float:
    """Return the ROC AUC of (1 - confidence) for flagging frames with J < `bad_j`.

    NaN when every frame is good, every frame is bad, or no frame has a confidence.
    """
    confidence, j = _finite_pairs(confidence, j)
    return roc_auc(j < bad_j, 1.0 - confidence)


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    """Return Spearman's rank correlation of two sequences (Pearson's r of their mid-ranks).

    NaN with fewer than two pairs or when either side is constant (its ranks have no spread).
    """
    a, b = _finite_pairs(a, b)
    if a.size < 2:
        return math.nan
    ra, rb = mid_ranks(a) - (a.size + 1) / 2, mid_ranks(b) - (b.size + 1) / 2
    norm = math.sqrt(float(ra @ ra) * float(rb @ rb))
    if norm == 0:
        return math.nan
    return float(ra @ rb / norm)


def _finite_pairs(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    a = np.asarray(a, dtype=np.float64).ravel()
    b = np.asarray(b, dtype=np.float64).ravel()
    if a.shape != b.shape:
        raise ValueError(f"expected two sequences of equal length, got {a.size} and {b.size}")
    keep = ~(np.isnan(a) | np.isnan(b))
    return a[keep], b[keep]
