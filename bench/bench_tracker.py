"""Benchmark the SiamMask tracker on the tennis frames: fps for 1 object, and for 1/2/4 objects
tracked batched (MultiTracker) vs sequentially (one Tracker each).

    python bench/bench_tracker.py [--frames 30] [--threads 2] [--device cpu] [--weights W]

Uses the seed-1 fixture weights (shared/reference/make_weights.py) unless --weights is given;
fps does not depend on the weights' values. Skips cleanly (exit 0) without the shared data
($SIAMLABEL_SHARED_DIR or ../shared). Results are recorded in docs/benchmarks.md ("## Tracker").
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

import cv2  # noqa: E402
import torch  # noqa: E402

from tracking_worker.machine import cpu_model  # noqa: E402
from tracking_worker.siammask import MultiTracker, Tracker, TrackerConfig, load_model  # noqa: E402

BOXES = [(300, 110, 165, 250), (420, 60, 70, 60), (20, 380, 200, 90), (600, 200, 120, 120)]
WARMUP = 2


def shared_dir() -> Path | None:
    path = Path(os.environ.get("SIAMLABEL_SHARED_DIR", REPO_ROOT.parent / "shared"))
    return path if (path / "reference" / "make_weights.py").is_file() else None


def seed1_weights(shared: Path, out_dir: Path) -> Path:
    ref = shared / "reference"
    out = out_dir / "seed1.pth"
    subprocess.run(
        [sys.executable, str(ref / "make_weights.py"), str(ref / "siammask_sharp_state_dict.json"), "1",
         str(out), str(ref / "bn_stats_seed1.npz")],
        check=True,
    )
    return out


def bench(model, config, frames, n_objects) -> tuple[float, float]:
    """Return (sequential fps, batched fps) for `n_objects` on the same frames.

    The two ways alternate frame by frame and fps is 1 / median frame time, so both see the
    same machine load and short spikes from other processes do not count.
    """
    trackers = []
    multi = MultiTracker(model, config)
    for obj_id, box in enumerate(BOXES[:n_objects]):
        tracker = Tracker(model, config)
        tracker.init(frames[0], box)
        trackers.append(tracker)
        multi.add(obj_id, frames[0], box)
    times: dict[str, list[float]] = {"sequential": [], "batched": []}
    for index, frame in enumerate(frames[1:]):
        for name, step in (("sequential", lambda f: [t.track(f) for t in trackers]), ("batched", multi.track)):
            start = time.perf_counter()
            step(frame)
            if index >= WARMUP:
                times[name].append(time.perf_counter() - start)
    return 1 / statistics.median(times["sequential"]), 1 / statistics.median(times["batched"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--frames", type=int, default=30, help="tracked frames per measurement (max 69)")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's)")
    parser.add_argument("--device", default=None)
    parser.add_argument("--weights", type=Path, default=None)
    parser.add_argument("--config", choices=("davis", "vot"), default="davis")
    args = parser.parse_args()

    shared = shared_dir()
    if shared is None:
        print("skipped: shared data absent (set SIAMLABEL_SHARED_DIR or provide ../shared)")
        return 0
    if args.threads:
        torch.set_num_threads(args.threads)
    frames_dir = shared / "data" / "tennis" / "frames"
    paths = sorted(frames_dir.glob("*.jpg"))[: args.frames + 1 + WARMUP]
    frames = [cv2.imread(str(p)) for p in paths]

    with tempfile.TemporaryDirectory() as tmp:
        weights = args.weights or seed1_weights(shared, Path(tmp))
        config = (TrackerConfig.davis if args.config == "davis" else TrackerConfig.vot)(device=args.device)
        model = load_model(weights, device=config.device)

        print(f"# {cpu_model()} ({os.cpu_count()} cores), torch {torch.__version__}, "
              f"{torch.get_num_threads()} threads, device {MultiTracker(model, config).device}, "
              f"{len(frames) - 1 - WARMUP} timed frames of {frames[0].shape[1]}x{frames[0].shape[0]}, "
              f"config {args.config}, load average before {os.getloadavg()[0]:.2f}")
        print("# fps = 1 / median frame time; sequential = one Tracker per object, batched = MultiTracker")
        print("| objects | sequential fps | batched fps | batched object-fps | speed-up |")
        print("|---|---|---|---|---|")
        for n_objects in (1, 2, 4):
            sequential, batched = bench(model, config, frames, n_objects)
            print(f"| {n_objects} | {sequential:.2f} | {batched:.2f} | {batched * n_objects:.2f} | "
                  f"{batched / sequential:.2f}x |")
        print(f"# load average after {os.getloadavg()[0]:.2f} (other processes skew timings)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
