"""Stored frame size against mask accuracy, per JPEG quality of the frame store.

    .venv/bin/python bench/frame_quality.py [--qualities 95 90 85 80 75] [--frames 40]

Each DAVIS 2016 sequence (../shared/data/davis2016, else a generated clip) is re-encoded at each
quality, as extraction stores frames (SIAMLABEL_FRAME_JPEG_QUALITY), decoded back, and tracked
from the ground-truth box of its first frame with the default model (weights/mobile.pth). Per
quality: mean bytes a frame; the masks' IoU against the masks tracked on quality-95 frames (what
the store changes); J (region) and F (boundary: mask edges within 0.8% of the diagonal, the
DAVIS tolerance) against the ground truth. docs/operations.md ("Disk") holds the table.
"""

import argparse
import sys
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from formats.mask_geometry import mask_to_xywh  # noqa: E402
from tracking_worker.evaluation.davis import load_frame, load_ground_truth, read_sequence  # noqa: E402
from tracking_worker.evaluation.metrics import boundary_accuracy, region_similarity  # noqa: E402
from tracking_worker.siammask import Tracker, TrackerConfig, load_model  # noqa: E402

DAVIS = REPO.parent / "shared/data/davis2016"
SEQUENCES = ["dance-twirl", "kite-surf", "libby", "car-roundabout"]


def clips(frames: int) -> list[tuple[str, list[np.ndarray], list[np.ndarray]]]:
    """(name, BGR frames, ground-truth masks) of each sequence: DAVIS when present, else generated."""
    if not DAVIS.is_dir():
        return [("generated", *generated(frames))]
    out = []
    for name in SEQUENCES:
        sequence = read_sequence(DAVIS, name)
        truth = [m > 0 for m in load_ground_truth(sequence)[:frames]]
        out.append((name, [load_frame(p) for p in sequence.frame_paths[:frames]], truth))
    return out


def generated(n: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    rng = np.random.default_rng(0)
    base = cv2.GaussianBlur(rng.integers(0, 255, (480, 854, 3), dtype=np.uint8), (0, 0), 2)
    frames, truth = [], []
    for i in range(n):
        frame, mask = base.copy(), np.zeros((480, 854), np.uint8)
        cv2.circle(mask, (200 + 5 * i, 240), 70, 1, -1)
        frame[mask > 0] = (40, 80, 200)
        frames.append(frame)
        truth.append(mask > 0)
    return frames, truth


def stored(frame: np.ndarray, quality: int) -> tuple[np.ndarray, int]:
    """Return the frame as the store gives it back at `quality`, and its size in bytes."""
    data = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, quality])[1]
    return cv2.imdecode(data, cv2.IMREAD_COLOR), len(data)


def track(model, frames: list[np.ndarray], box) -> list[np.ndarray]:
    tracker = Tracker(model, TrackerConfig.davis())
    tracker.init(frames[0], box)
    return [tracker.track(f).mask for f in frames[1:]]


def iou(a: np.ndarray, b: np.ndarray) -> float:
    union = np.count_nonzero(a | b)
    return 1.0 if union == 0 else np.count_nonzero(a & b) / union


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--qualities", type=int, nargs="+", default=[95, 90, 85, 80, 75])
    parser.add_argument("--frames", type=int, default=40)
    parser.add_argument("--weights", default=str(REPO / "weights/mobile.pth"))
    args = parser.parse_args()
    qualities = sorted(set(args.qualities) | {95}, reverse=True)
    model = load_model(args.weights)
    rows = {q: {"bytes": [], "iou95": [], "j": [], "f": []} for q in qualities}
    for name, frames, truth in clips(args.frames):
        box = [float(v) for v in mask_to_xywh(truth[0])]
        reference = None
        for quality in qualities:
            decoded, sizes = zip(*(stored(f, quality) for f in frames))
            masks = track(model, list(decoded), box)
            reference = masks if quality == 95 else reference
            row = rows[quality]
            row["bytes"] += sizes
            row["iou95"] += [iou(m, r) for m, r in zip(masks, reference)]
            row["j"] += [region_similarity(m, t) for m, t in zip(masks, truth[1:])]
            row["f"] += [boundary_accuracy(m, t) for m, t in zip(masks, truth[1:])]
        print(f"{name}: {len(frames)} frames {frames[0].shape[1]}x{frames[0].shape[0]}", flush=True)
    print("| quality | bytes a frame | vs 95 | mask IoU vs 95 | J | F (boundary) |")
    print("|---|---|---|---|---|---|")
    base = np.mean(rows[95]["bytes"])
    for quality in qualities:
        row = rows[quality]
        print(f"| {quality} | {np.mean(row['bytes']):,.0f} | {np.mean(row['bytes']) / base:.2f} | "
              f"{np.mean(row['iou95']):.3f} | {np.mean(row['j']):.3f} | {np.mean(row['f']):.3f} |")


if __name__ == "__main__":
    main()
