"""Loss curves of a run: one CSV row per logged step and a PNG of the curves.

    write_csv(run_dir / "losses.csv", history)
    plot_curves(run_dir / "losses.png", history)
"""

from __future__ import annotations

import csv
from itertools import pairwise
from pathlib import Path

COLUMNS = ("step", "stage", "lr", "total", "score", "box", "mask", "mask_iou", "seconds")


def write_csv(path: Path, history: list[dict]) -> None:
    """Write every logged row (rewritten whole, so a resumed run keeps one consistent file)."""
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, extrasaction="ignore")
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
    keys = ("total", "score", "box", "mask", "mask_iou", "lr")
    fig, axes = plt.subplots(2, 3, figsize=(13, 7))
    for ax, key in zip(axes.ravel(), keys):
        ax.plot(steps, [row[key] for row in history], lw=1)
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
