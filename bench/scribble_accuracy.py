"""Benchmark: how much one scribble stroke fixes on real frames (annotator/services/grabcut.py).

    .venv/bin/python bench/scribble_accuracy.py [--data ../shared/data/davis2016] [--every 10] [--radius 6]

On every --every-th frame of each DAVIS-layout sequence whose object has at least 500 pixels, the
true mask with its lower third removed plays a propagated mask that missed part of the object;
one foreground stroke (radius --radius) runs down the middle of the missed part, as an annotator
would paint it. refine_mask then runs confined (what the API does: GrabCut may add only near the
mask or the stroke, and changes the mask only near the stroke) and unconfined (GrabCut over the
whole window decides every pixel, as before 2026-12-01). Printed: IoU with the true mask before and
after, the worst five, and how often the answer grew past 1.5x the object (a flood over background).
docs/benchmarks.md ("Scribble refine: accuracy") has the figures. Skips with a message without the data.
"""

import argparse
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from annotator.services.grabcut import Stroke, refine_mask  # noqa: E402
from tracking_worker.evaluation import davis  # noqa: E402


def missed_lower_third(truth: np.ndarray) -> tuple[np.ndarray, list[tuple[float, float]]]:
    """Return (the mask without the object's lower third, stroke points down the middle of that third)."""
    rows = np.nonzero(truth)[0]
    cut = rows.min() + int(0.67 * (rows.max() - rows.min()))
    mask = truth.copy()
    mask[cut:] = False
    missed = truth & ~mask
    points = []
    for y in range(cut, rows.max() + 1, 4):
        xs = np.nonzero(missed[y])[0]
        if xs.size:
            points.append((float(np.median(xs)) + 0.5, y + 0.5))
    return mask, points


def iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / max(1, (a | b).sum()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "davis2016")
    parser.add_argument("--every", type=int, default=10)
    parser.add_argument("--radius", type=float, default=6.0)
    args = parser.parse_args()
    if not args.data.is_dir():
        print(f"skipped: no DAVIS-layout data at {args.data}")
        return 0
    results = {True: [], False: []}
    before, sizes = [], []
    for name in sorted(p.name for p in args.data.iterdir() if p.is_dir()):
        clip = davis.read_sequence(args.data, name)
        ids = davis.load_ground_truth(clip)
        for index in range(0, len(clip), args.every):
            truth = ids[index] == davis.object_ids(ids)[0]
            if truth.sum() < 500:
                continue
            mask, points = missed_lower_third(truth)
            if len(points) < 2:
                continue
            frame = davis.load_frame(clip.frame_paths[index])
            before.append(iou(mask, truth))
            sizes.append(truth.sum())
            for confined in (True, False):
                refined = refine_mask(frame, mask, [Stroke(True, args.radius, points)], confined=confined).mask
                results[confined].append((iou(refined, truth), refined.sum()))
    print(f"{len(before)} frames of {args.data}; IoU of the cut masks: mean {np.mean(before):.3f}")
    for confined, rows in results.items():
        ious = np.array([r[0] for r in rows])
        grown = np.array([r[1] for r in rows]) / np.array(sizes)
        print(f"{'confined (shipped)' if confined else 'whole window (before)':22s} IoU after: mean {ious.mean():.3f}, "
              f"median {np.median(ious):.3f}, worst five {', '.join(f'{v:.3f}' for v in np.sort(ious)[:5])}; "
              f"answers over 1.5x the object: {int((grown > 1.5).sum())}, largest {grown.max():.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
