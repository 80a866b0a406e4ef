"""How likely the returned mask is right, from its own statistics and the object's first size (ours, not official).

    calibration = QualityCalibration.from_meta(meta["quality_calibration"])
    q = calibration.predict(calibration_features(mask_logits, init_fills))   # (B,) P(IoU >= 0.5)

The quality head (network/quality.py) reads the mask correlation, the score logits and three
statistics of the mask; trained on pairs of 8 sequences, it ranks held-out frames little better
than chance (docs/models.md). What tells a partial or lost mask on unseen footage is simpler: how
much of the mask window is foreground, compared with how much of the first search crop the
annotator's box filled. A track starting on a small object expects a small mask; a mask that
shrinks to a sliver of that, or swells far past it, is likely wrong. The calibration is a
logistic model over three such features, fitted on the tracker's own runs to whether the mask's
IoU with the object is at least 0.5 (training/quality_calibration.py), and stored in the
checkpoint's metadata; a model whose checkpoint has one reports that probability as
`TrackResult.quality` instead of the head's predicted IoU.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

import numpy as np
import torch

from .config import TrackerConfig
from .crops import search_crop_side
from .network.quality import mask_statistics

FEATURES = ("fg_fraction", "fg_vs_init_fill", "mean_probability")


def init_fill(size_wh: Sequence[float], cfg: TrackerConfig) -> float:
    """Return the share of the first search crop (side round(s_x), official) that the init box fills."""
    side = round(search_crop_side(np.asarray(size_wh, dtype=np.float64), cfg))
    return float(size_wh[0] * size_wh[1]) / side**2


def calibration_features(mask_logits: torch.Tensor, init_fills: Sequence[float]) -> np.ndarray:
    """Return (B, 3) FEATURES of (B, ...) mask logits: the foreground share of the window (p > 0.5),
    that share over the target's init fill, and the mean probability (the head's statistics)."""
    stats = mask_statistics(mask_logits).cpu().numpy().astype(np.float64)
    mean, fg = stats[:, 0], stats[:, 2]
    return np.stack([fg, fg / np.asarray(init_fills, dtype=np.float64), mean], axis=1)


@dataclass(frozen=True)
class QualityCalibration:
    """sigmoid(bias + sum(weights * (features - mean) / std)) over FEATURES."""

    mean: tuple[float, ...]
    std: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float

    def __post_init__(self) -> None:
        for name in ("mean", "std", "weights"):
            values = getattr(self, name)
            if len(values) != len(FEATURES) or not all(math.isfinite(v) for v in values):
                raise ValueError(f"quality calibration {name} must be {len(FEATURES)} finite numbers, got {values!r}")
        if not math.isfinite(self.bias) or min(self.std) <= 0:
            raise ValueError("quality calibration needs a finite bias and positive std")

    def predict(self, features: np.ndarray) -> np.ndarray:
        """Return (B,) probabilities in [0, 1] that the masks are right, from (B, 3) features."""
        z = self.bias + ((features - np.asarray(self.mean)) / np.asarray(self.std)) @ np.asarray(self.weights)
        return 1.0 / (1.0 + np.exp(-z))

    def to_meta(self) -> dict:
        return {"features": list(FEATURES), **{k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}}

    @classmethod
    def from_meta(cls, meta: Mapping) -> QualityCalibration:
        """Build from a checkpoint's meta["quality_calibration"]; ValueError if malformed or for other features."""
        if not isinstance(meta, Mapping) or list(meta.get("features", [])) != list(FEATURES):
            raise ValueError(f"quality calibration must name the features {list(FEATURES)}")
        try:
            return cls(*(tuple(float(v) for v in meta[k]) for k in ("mean", "std", "weights")), float(meta["bias"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"malformed quality calibration: {exc}") from exc
