"""Exact against fast precision on real sequences: J and F of each, and per-frame mask IoU between them.

    report = compare_precisions("../shared/data/davis2016", "weights/mobile.pth",
                                ["dance-twirl", "kite-surf", "libby"])
    report["delta_J"], report["frame_iou_mean"], report["frame_iou_worst"]

Used by bench/fast_accuracy.py (the table in docs/tracker.md) and by the fast-mode accuracy
tests. Both runs are whole tracking runs from the first ground-truth mask's box, as
`python -m tracking_worker.evaluate` does, so the fast run's small differences compound the way
they would in a propagation job.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

from tracking_worker.evaluation.report import summarize
from tracking_worker.evaluation.run import evaluate_tracker, tracker_factory

PRECISIONS = ("exact", "fast")


def compare_precisions(data_dir: str | Path, weights: str | Path, sequences: list[str] | None = None, *,
                       config: str = "davis", progress: bool = False) -> dict:
    """Track the sequences in both precisions; return J, F, their deltas and the per-frame IoU."""
    with tempfile.TemporaryDirectory(prefix="siamlabel-precision-") as tmp:
        out: dict = {"weights": str(weights), "sequences": sequences}
        for precision in PRECISIONS:
            scores = evaluate_tracker(data_dir, tracker_factory(weights, config, precision), sequences=sequences,
                                      save_dir=Path(tmp) / precision, progress=progress)
            report = summarize(scores)
            out[precision] = {"J": report["J_mean"], "F": report["F_mean"],
                              "fps": float(np.mean([s.fps for s in scores]))}
        ious = frame_ious(Path(tmp) / "exact", Path(tmp) / "fast")
    out["delta_J"] = out["fast"]["J"] - out["exact"]["J"]
    out["delta_F"] = out["fast"]["F"] - out["exact"]["F"]
    out["frames"] = len(ious)
    out["frame_iou_mean"] = float(np.mean(ious))
    out["frame_iou_worst"] = float(np.min(ious))
    return out


def frame_ious(exact_dir: Path, fast_dir: Path) -> list[float]:
    """IoU of the foreground (id > 0) of every saved frame in both folders; 1.0 where both are empty."""
    ious = []
    for exact_png in sorted(exact_dir.glob("*/*.png")):
        a = np.asarray(Image.open(exact_png)) > 0
        b = np.asarray(Image.open(fast_dir / exact_png.relative_to(exact_dir))) > 0
        union = np.logical_or(a, b).sum()
        ious.append(float(np.logical_and(a, b).sum() / union) if union else 1.0)
    if not ious:
        raise ValueError(f"no saved masks in {exact_dir}")
    return ious
