"""Loss curves of a run: one CSV row per logged step and a PNG of the curves.

    write_csv(run_dir / "losses.csv", history)
    plot_curves(run_dir / "losses.png", history)
"""

from __future__ import annotations

import csv
from itertools import pairwise
from pathlib import Path

COLUMNS = ("step", "stage", "lr", "total", "score", "box", "mask", "refine", "quality", "mask_iou", "seconds")


def write_csv(path: Path, history: list[dict]) -> None:
    """Write every logged row (rewritten whole, so a resumed run keeps one consistent file).

    Terms a run did not log (runs from before the refine and quality terms) stay empty.
    """
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, extrasaction="ignore", restval="")
        writer.writeheader()
        writer.writerows(history)


def plot_curves(path: Path, history: list[dict]) -> None:
    """Save total/score/box/mask losses, mask IoU and lr against the step (matplotlib, Agg)."""
    if not history:
        return
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    steps = [row["step"] for row in history]
    keys = [k for k in ("total", "score", "box", "mask", "refine", "quality", "mask_iou", "lr")
            if any(k in row for row in history)]
    fig, axes = plt.subplots(2, (len(keys) + 1) // 2, figsize=(4.3 * ((len(keys) + 1) // 2), 7))
    for ax, key in zip(axes.ravel(), keys):
        ax.plot(steps, [row.get(key, float("nan")) for row in history], lw=1)
        ax.set_title(key)
        ax.set_xlabel("step")
        ax.grid(alpha=0.3)
        # stage boundaries
        for prev, row in pairwise(history):
            if row["stage"] != prev["stage"]:
                ax.axvline(row["step"], color="grey", ls="--", lw=0.8)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
