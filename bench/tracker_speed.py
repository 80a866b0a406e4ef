"""Frames per second of the sharp, light and mobile SiamMask trackers on one CPU setting.

    python bench/tracker_speed.py                      # 2 threads, tennis frames, 30 frames
    python bench/tracker_speed.py --threads 1 --frames 60 --weights weights/starter.pth
    python bench/tracker_speed.py --models mobile light --mobile-weights weights/mobile.pth

Every model tracks the same object (the tennis player, box x=300 y=110 w=165 h=250 on frame
00000 of /work/shared/data/tennis/frames, or $SIAMLABEL_TENNIS_FRAMES; synthetic 854x480 frames
when the clip is absent) with the DAVIS config, refine module on, and each full `track()` call
(crops, network, mask paste, rotated box) is timed after a short warm-up. Speed does not depend
on the weights, so untrained models stand in where no checkpoint is given. Prints one table
with the ratio of every row to the sharp model, all measured in this run. The configurations
are measured in turn for `--rounds` rounds and each keeps its best round, so a burst of load
from other processes on a shared machine hits all rows alike and is mostly filtered out.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tracking_worker.siammask import Tracker, TrackerConfig
from tracking_worker.siammask.network import SiamMask
from tracking_worker.training.models import build_model, load_trained

REPO = Path(__file__).resolve().parents[1]

TENNIS = Path(os.environ.get("SIAMLABEL_TENNIS_FRAMES", "/work/shared/data/tennis/frames"))
TENNIS_BOX = (300, 110, 165, 250)


def load_frames(count: int) -> tuple[list[np.ndarray], tuple[int, int, int, int], str]:
    """Return frames, the initial box and a description of where they came from."""
    paths = sorted(TENNIS.glob("*.jpg"))[:count] if TENNIS.is_dir() else []
    if len(paths) >= 2:
        return [cv2.imread(str(p)) for p in paths], TENNIS_BOX, f"tennis ({TENNIS})"
    from tracking_worker.training.synthetic import make_clip

    clip = make_clip(0, count, width=854, height=480)
    ys, xs = np.nonzero(clip.masks[0])
    box = (int(xs.min()), int(ys.min()), int(xs.max() - xs.min() + 1), int(ys.max() - ys.min() + 1))
    return clip.frames, box, "synthetic 854x480 (tennis clip not found)"


def measure(model: torch.nn.Module, frames: list[np.ndarray], box, *, refine: bool, warmup: int = 3) -> float:
    """Return tracked frames per second (init excluded, first `warmup` frames not timed)."""
    tracker = Tracker(model, TrackerConfig.davis(device="cpu", refine=refine))
    tracker.init(frames[0], box)
    for frame in frames[1 : 1 + warmup]:
        tracker.track(frame)
    timed = frames[1 + warmup :]
    start = time.perf_counter()
    for frame in timed:
        tracker.track(frame)
    return len(timed) / (time.perf_counter() - start)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--frames", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3, help="best of this many rounds per row")
    parser.add_argument("--weights", type=Path, default=None, help="light checkpoint (default: untrained)")
    parser.add_argument("--mobile-weights", type=Path, default=REPO / "weights" / "mobile.pth",
                        help="mobile checkpoint (default weights/mobile.pth; untrained heads when absent)")
    parser.add_argument("--models", nargs="+", default=["sharp", "light", "mobile"],
                        choices=["sharp", "light", "mobile"], help="which models to measure (sharp is the base)")
    parser.add_argument("--no-refine-rows", action="store_true", help="skip the mask-head-only rows")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    frames, box, origin = load_frames(args.frames)

    builders = {
        "sharp": lambda: SiamMask().eval(),
        "light": lambda: load_trained(args.weights)[0] if args.weights else build_model("light").eval(),
        "mobile": lambda: (load_trained(args.mobile_weights)[0] if args.mobile_weights.is_file()
                           else build_model("mobile").eval()),
    }
    models = {name: builders[name]() for name in args.models}
    configs = [(name, refine) for name in models for refine in ((True,) if args.no_refine_rows else (True, False))]
    best = {c: 0.0 for c in configs}
    for _ in range(args.rounds):
        for name, refine in configs:
            best[(name, refine)] = max(best[(name, refine)], measure(models[name], frames, box, refine=refine))
    rows = [(name, refine, sum(p.numel() for p in models[name].parameters()) / 1e6, best[(name, refine)])
            for name, refine in configs]
    base_name = args.models[0]
    base = {refine: fps for name, refine, _, fps in rows if name == base_name}
    print(f"frames: {origin}, {len(frames)} frames {frames[0].shape[1]}x{frames[0].shape[0]}, "
          f"torch {torch.__version__}, {args.threads} threads, cpu, best of {args.rounds} rounds")
    print(f"{'model':<7}{'mask':<10}{'params (M)':>11}{'fps':>8}{'ms/frame':>10}{'x ' + base_name:>9}")
    for name, refine, params, fps in rows:
        print(f"{name:<7}{'refine' if refine else 'head 63':<10}{params:>11.2f}{fps:>8.1f}"
              f"{1000 / fps:>10.1f}{fps / base[refine]:>9.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
