"""Stored frame size against mask accuracy, per SIAMLABEL_FRAME_MAX_SIDE.

    .venv/bin/python bench/frame_max_side.py [--sides 854 640 480] [--frames 40]

Each held-out DAVIS 2016 sequence (../shared/data/davis2016; 854x480) is stored as extraction
would store it at each max side (shrunk with INTER_AREA, JPEG at quality 95), decoded back, and
tracked from the ground-truth box of its first frame, scaled to the stored size, with the default
model (weights/mobile.pth). The tracked masks are scaled back to 854x480 as exports scale them
(annotator/frame_scale.py) and scored against the ground truth: J (region) and F (boundary).
"scaling alone" is the ground truth itself taken to the stored size and back, by nearest
neighbour and by the exports' coverage threshold: the most any tracker could score at that size.
docs/operations.md ("Frame size") holds the table.
"""

import argparse
import sys

import cv2
import numpy as np

# bench/ is sys.path[0] when run as a script; frame_quality puts the repository on the path
from frame_quality import DAVIS, REPO, track

from annotator.frame_scale import FrameScale
from annotator.frames import encode_jpeg, shrink
from formats.mask_geometry import mask_to_xywh
from tracking_worker.evaluation.davis import (
    load_frame,
    load_ground_truth,
    read_sequence,
)
from tracking_worker.evaluation.metrics import boundary_accuracy, region_similarity
from tracking_worker.siammask import load_model

HELD_OUT = ["dance-twirl", "kite-surf", "libby"]  # docs/benchmarks.md: held out from the default model


def nearest(mask: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    return cv2.resize(mask.astype(np.uint8), size, interpolation=cv2.INTER_NEAREST) > 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sides", type=int, nargs="+", default=[854, 640, 480])
    parser.add_argument("--frames", type=int, default=40)
    parser.add_argument("--weights", default=str(REPO / "weights/mobile.pth"))
    args = parser.parse_args()
    if not DAVIS.is_dir():
        sys.exit(f"{DAVIS} is missing: this benchmark needs the DAVIS 2016 sequences")
    model = load_model(args.weights)
    keys = ("bytes", "j", "f", "j_nearest", "f_nearest", "j_cover", "f_cover")
    rows = {side: {k: [] for k in keys} for side in args.sides}
    sizes = {}  # side -> the stored size, "WxH"
    for name in HELD_OUT:
        sequence = read_sequence(DAVIS, name)
        truth = [m > 0 for m in load_ground_truth(sequence)[:args.frames]]
        frames = [load_frame(p) for p in sequence.frame_paths[:args.frames]]
        height, width = frames[0].shape[:2]
        for side in args.sides:
            stored, row = [], rows[side]
            for frame in frames:
                data = encode_jpeg(shrink(frame, side), 95)
                row["bytes"].append(len(data))
                stored.append(cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR))
            scale = FrameScale(stored=(stored[0].shape[1], stored[0].shape[0]), original=(width, height))
            box = scale.box_to_stored([float(v) for v in mask_to_xywh(truth[0])])
            masks = [scale.mask_to_original(m) for m in track(model, stored, box)]
            row["j"] += [region_similarity(m, t) for m, t in zip(masks, truth[1:])]
            row["f"] += [boundary_accuracy(m, t) for m, t in zip(masks, truth[1:])]
            for how in ("nearest", "cover"):
                small = [scale.mask_to_stored(t) for t in truth[1:]]
                again = [nearest(m, scale.original) if how == "nearest" else scale.mask_to_original(m) for m in small]
                row[f"j_{how}"] += [region_similarity(m, t) for m, t in zip(again, truth[1:])]
                row[f"f_{how}"] += [boundary_accuracy(m, t) for m, t in zip(again, truth[1:])]
            sizes[side] = f"{scale.stored[0]}x{scale.stored[1]}"
            print(f"{name} at {side}: stored {sizes[side]}", flush=True)
    print("| max side | stored size | bytes a frame | vs 854 | J | F | scaling alone, nearest: J / F "
          "| scaling alone, coverage: J / F |")
    print("|---|---|---|---|---|---|---|---|")
    base = np.mean(rows[args.sides[0]]["bytes"])
    for side in args.sides:
        row = {k: np.mean(v) for k, v in rows[side].items()}
        print(f"| {side} | {sizes[side]} | {row['bytes']:,.0f} | {row['bytes'] / base:.2f} | {row['j']:.3f} | "
              f"{row['f']:.3f} | {row['j_nearest']:.3f} / {row['f_nearest']:.3f} | "
              f"{row['j_cover']:.3f} / {row['f_cover']:.3f} |")


if __name__ == "__main__":
    main()
