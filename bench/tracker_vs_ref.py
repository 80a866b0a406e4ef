"""This tree's tracker against another commit's, on the same frames, alternating, in one run.

    python bench/tracker_vs_ref.py --ref 0ffbd56                   # sharp + mobile, exact, 1 object
    python bench/tracker_vs_ref.py --ref HEAD~3 --models mobile --threads 1

The other commit is checked out with `git worktree` into a temporary folder; each round runs one
short timing process per tree in turn (same model weights, same tennis frames or synthetic ones,
DAVIS config, refine on, the exact precision, full `track()` calls after a warm-up), so a load
burst on a shared machine hits both sides alike. Prints ms per frame (best round) and the ratio.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# Runs inside each tree: only APIs both sides have (Tracker, TrackerConfig.davis, load_model).
TIMER = r"""
import json, sys, time
from pathlib import Path
import cv2, numpy as np, torch
sys.path.insert(0, ".")
torch.set_num_threads(int(sys.argv[2]))
from tracking_worker.siammask import Tracker, TrackerConfig
name, frames_n = sys.argv[1], int(sys.argv[3])
if name == "sharp":
    from tracking_worker.siammask.network import SiamMask
    torch.manual_seed(1)
    model = SiamMask().eval()
else:
    from tracking_worker.siammask import load_model
    model = load_model(sys.argv[4], device="cpu")
paths = sorted(Path(sys.argv[5]).glob("*.jpg"))[: frames_n + 3]
frames = [cv2.imread(str(p)) for p in paths]
tracker = Tracker(model, TrackerConfig.davis(device="cpu"))
tracker.init(frames[0], (300, 110, 165, 250))
for f in frames[1:3]:
    tracker.track(f)
start = time.perf_counter()
for f in frames[3:]:
    tracker.track(f)
print(json.dumps({"ms": 1000 * (time.perf_counter() - start) / len(frames[3:])}))
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ref", required=True, help="git commit to compare against")
    parser.add_argument("--models", nargs="+", default=["sharp", "mobile"], choices=["sharp", "mobile"])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--frames", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tennis", type=Path, default=REPO.parent / "shared" / "data" / "tennis" / "frames")
    args = parser.parse_args(argv)
    if not args.tennis.is_dir():
        parser.error(f"tennis frames not found at {args.tennis} (pass --tennis)")
    weights = REPO / "weights" / "mobile.pth"
    with tempfile.TemporaryDirectory(prefix="tracker-ref-") as tmp:
        ref_tree = Path(tmp) / "ref"
        subprocess.run(["git", "worktree", "add", "--detach", str(ref_tree), args.ref], cwd=REPO, check=True,
                       capture_output=True)
        try:
            best: dict[tuple[str, str], float] = {}
            sides = [("this", REPO), ("ref", ref_tree)]
            for round_index in range(args.rounds):
                for model in args.models:
                    # who goes first alternates too, so warm-up or drift favours neither side
                    for side, tree in sides if round_index % 2 == 0 else sides[::-1]:
                        out = subprocess.run([sys.executable, "-c", TIMER, model, str(args.threads), str(args.frames),
                                              str(weights), str(args.tennis)], cwd=tree, check=True,
                                             capture_output=True, text=True).stdout
                        ms = json.loads(out.strip().splitlines()[-1])["ms"]
                        best[(model, side)] = min(best.get((model, side), ms), ms)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(ref_tree)], cwd=REPO, check=False)
    print(f"exact precision, {args.threads} threads, {args.frames} frames, best of {args.rounds} alternating rounds; "
          f"ref = {args.ref}")
    print(f"{'model':<8}{'this ms':>9}{'ref ms':>9}{'ref / this':>12}")
    for model in args.models:
        this, ref = best[(model, "this")], best[(model, "ref")]
        print(f"{model:<8}{this:>9.1f}{ref:>9.1f}{ref / this:>12.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
