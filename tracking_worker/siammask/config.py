"""Tracker hyper-parameters as explicit, immutable data.

    cfg = TrackerConfig.davis()              # or TrackerConfig.vot()
    cfg = dataclasses.replace(cfg, refine=False, device="cpu")
    tracker = Tracker(model, cfg)

Values follow the official sharp model's configs (experiments/siammask_sharp/config_davis.json
and config_vot.json, as measured in shared/reference/README.md).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass

# Fields a checkpoint may set for itself (meta["tracker"], with_overrides): the numerics of the
# search and the mask. Geometry (crop sizes, anchors) is fixed by the network, refine by its
# heads, lost-target policy by the deployment, device and precision by the job.
CHECKPOINT_FIELDS = (
    "context_amount",
    "penalty_k",
    "window_influence",
    "lr",
    "seg_thr",
    "min_contour_area",
    "recenter_weight",
    "recenter_min_confidence",
)


@dataclass(frozen=True)
class TrackerConfig:
    """Numerics of the SiamMask tracker; defaults are the official DAVIS config."""

    # crops (official: tools/test.py TrackerConfig; inputs are raw BGR 0-255 floats)
    exemplar_size: int = 127
    instance_size: int = 255
    context_amount: float = 0.5

    # anchors (official: tools/test.py generate_anchor, utils/anchors.py)
    total_stride: int = 8
    base_size: int = 8
    ratios: tuple[float, ...] = (0.33, 0.5, 1.0, 2.0, 3.0)
    scales: tuple[float, ...] = (8.0,)

    # penalties (official: siamese_track, scale/ratio penalty, cosine window, size lr)
    penalty_k: float = 0.04
    window_influence: float = 0.4
    lr: float = 1.0

    # mask (official: siamese_track, mask branch; out size 127 with refine, 63 without)
    seg_thr: float = 0.35
    refine: bool = True
    min_contour_area: float = 100.0

    # mask recentring (ours, not official; 0 = off, the official behaviour): when the mask is
    # confident (quality, else score, at least `recenter_min_confidence`), move the next search
    # centre this fraction of the way from the RPN centre to the mask's centroid
    recenter_weight: float = 0.0
    recenter_min_confidence: float = 0.5

    # lost target (ours, not official): propagation stops a track after `lost_patience`
    # consecutive frames whose score is below `lost_score_threshold` or whose mask is empty.
    lost_score_threshold: float = 0.5
    lost_patience: int = 5

    # runtime: None picks "cuda" when available, else "cpu"
    device: str | None = None
    # "exact": float32, the official numerics; "fast": bfloat16 on capable CPUs, float16 on
    # CUDA (precision.py; accuracy measured in docs/tracker.md, opt-in per job)
    precision: str = "exact"

    def __post_init__(self) -> None:
        if (self.instance_size - self.exemplar_size) % self.total_stride:
            raise ValueError("instance_size - exemplar_size must be a multiple of total_stride")
        for name in ("context_amount", "penalty_k", "window_influence", "lr", "seg_thr",
                     "min_contour_area", "recenter_weight", "recenter_min_confidence"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
                raise ValueError(f"{name} must be a finite number, got {value!r}")
        if not 0.0 <= self.window_influence <= 1.0:
            raise ValueError(f"window_influence must be in [0, 1], got {self.window_influence}")
        if not 0.0 < self.seg_thr < 1.0:
            raise ValueError(f"seg_thr must be in (0, 1), got {self.seg_thr}")
        if self.context_amount <= 0 or self.penalty_k < 0 or self.min_contour_area < 0:
            raise ValueError("context_amount must be positive; penalty_k and min_contour_area not negative")
        for name in ("lr", "recenter_weight", "recenter_min_confidence"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be in [0, 1], got {getattr(self, name)}")
        if self.precision not in ("exact", "fast"):
            raise ValueError(f"precision must be 'exact' or 'fast', got {self.precision!r}")

    @classmethod
    def davis(cls, **overrides) -> TrackerConfig:
        """Return the official DAVIS config (experiments/siammask_sharp/config_davis.json)."""
        return cls(**{"window_influence": 0.4, "lr": 1.0, "seg_thr": 0.35, **overrides})

    @classmethod
    def vot(cls, **overrides) -> TrackerConfig:
        """Return the official VOT config (experiments/siammask_sharp/config_vot.json)."""
        return cls(**{"window_influence": 0.42, "lr": 0.25, "seg_thr": 0.30, **overrides})

    def with_overrides(self, overrides: Mapping | None) -> TrackerConfig:
        """Return this config with a checkpoint's tuned fields (meta["tracker"]) applied.

        Raises ValueError for a field that is unknown or not in CHECKPOINT_FIELDS, or a bad value.
        """
        if not overrides:
            return self
        if not isinstance(overrides, Mapping):
            raise ValueError(f"tracker overrides must be a dict, got {type(overrides).__name__}")
        known = {f.name for f in dataclasses.fields(self)}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise ValueError(f"unknown tracker fields: {', '.join(map(str, unknown))}")
        fixed = sorted(set(overrides) - set(CHECKPOINT_FIELDS))
        if fixed:
            raise ValueError(f"tracker fields a checkpoint may not set: {', '.join(fixed)} "
                             f"(allowed: {', '.join(CHECKPOINT_FIELDS)})")
        return dataclasses.replace(self, **overrides)

    @property
    def score_size(self) -> int:
        """Side of the response map: (255 - 127) / 8 + 1 + 8 = 25 (official: p.renew())."""
        return (self.instance_size - self.exemplar_size) // self.total_stride + 1 + self.base_size

    @property
    def anchor_num(self) -> int:
        return len(self.ratios) * len(self.scales)

    @property
    def mask_out_size(self) -> int:
        """Side of the mask over the candidate window: refine gives 127, the mask head 63."""
        return self.exemplar_size if self.refine else 63
