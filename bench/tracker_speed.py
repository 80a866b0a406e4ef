"""Tracker speed per model, precision and number of objects, with the time split and the floor.

    python bench/tracker_speed.py                               # every model and precision, 2 threads
    python bench/tracker_speed.py --models mobile --precisions exact fast --objects 1 8
    python bench/tracker_speed.py --device cuda --models sharp mobile --objects 1 8
    python bench/tracker_speed.py --json var/bench/tracker_speed.json

Frames: the tennis clip (/work/shared/data/tennis/frames, or $SIAMLABEL_TENNIS_FRAMES), else a
synthetic 854x480 clip. N objects are N boxes of the player's size spread along the frame, all
tracked by one MultiTracker (one batched network pass per frame), DAVIS config, refine on; each
full `track()` call is timed after a warm-up. Models: sharp (weights/ has no sharp checkpoint, so
the official architecture with seeded random weights: speed does not depend on the values),
light (weights/starter.pth) and mobile (weights/mobile.pth, the default).

Printed per row: frames/s and object-frames/s; the time split per stage (crop, backbone,
correlation and heads, refine or mask head, mask paste, rotated box, the rest), the stages
coming from MultiTracker's StageClock and the backbone from hooks on `model.features`; the
network FLOPs of one frame (torch's FlopCounterMode over one search + refine per object,
counted on an unfrozen copy) against the matrix-multiply rate measured in this run in the same
dtype, hence the floor (FLOPs / rate) and the fraction of it the network stage reaches. Then a
1080p post-processing check: mask paste + rotated box for 8 objects, the window paste against
the official full-frame warp, identical outputs asserted. Configurations alternate round by
round and each keeps its best round, so a burst of load hits all rows alike.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import sys
import time
from datetime import date
from pathlib import Path

import cv2
import numpy as np
import torch
from torch.utils.flop_counter import FlopCounterMode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from formats.mask_geometry import rotated_box_from_mask
from tracking_worker.machine import cpu_model
from tracking_worker.siammask import MultiTracker, TrackerConfig
from tracking_worker.siammask.crops import paste_window_mask, window_to_frame
from tracking_worker.siammask.network import SiamMask
from tracking_worker.siammask.paste import paste_window
from tracking_worker.siammask.precision import cpu_has_native_bf16, model_for
from tracking_worker.siammask.stages import STAGES, StageClock
from tracking_worker.training.models import load_trained

REPO = Path(__file__).resolve().parents[1]
TENNIS = Path(os.environ.get("SIAMLABEL_TENNIS_FRAMES", "/work/shared/data/tennis/frames"))
TENNIS_BOX = (300, 110, 165, 250)
SPLIT = ("crop", "backbone", "corr+heads", "mask", "paste", "rotated_box", "rest")


def load_frames(count: int) -> tuple[list[np.ndarray], str]:
    paths = sorted(TENNIS.glob("*.jpg"))[:count] if TENNIS.is_dir() else []
    if len(paths) >= 2:
        return [cv2.imread(str(p)) for p in paths], f"tennis ({TENNIS})"
    from tracking_worker.training.synthetic import make_clip

    return make_clip(0, count, width=854, height=480).frames, "synthetic 854x480 (tennis clip not found)"


def object_boxes(count: int, frame_hw: tuple[int, int]) -> list[tuple[float, float, float, float]]:
    """`count` player-sized boxes: the player first, the rest spread across the frame."""
    height, width = frame_hw
    x, y, w, h = TENNIS_BOX
    w, h = min(w, width // 4), min(h, height // 2)
    boxes = [(min(x, width - w), min(y, height - h), w, h)]
    for i in range(1, count):
        boxes.append(((i * 97) % max(width - w, 1), (i * 53) % max(height - h, 1), w, h))
    return boxes


def build_models(names: list[str]) -> dict[str, torch.nn.Module]:
    torch.manual_seed(1)
    builders = {
        "sharp": lambda: SiamMask().eval(),
        "light": lambda: load_trained(REPO / "weights" / "starter.pth")[0].eval(),
        "mobile": lambda: load_trained(REPO / "weights" / "mobile.pth")[0].eval(),
    }
    return {name: builders[name]() for name in names}


def network_flops(model: torch.nn.Module, objects: int, device: torch.device, precision: str) -> float:
    """FLOPs of one frame's network work: search on `objects` crops + refine and quality at one window each."""
    fresh = copy.deepcopy(model)
    unfreeze = getattr(fresh.features, "unfreeze_trunk", None)
    if unfreeze is not None:
        unfreeze()  # count the module's own ops: a frozen TorchScript graph hides them
    fresh = model_for(fresh, device, precision)
    with torch.inference_mode():
        kernels = fresh.template(torch.rand(objects, 3, 127, 127, device=device) * 255)
        with FlopCounterMode(display=False) as counter:
            out = fresh.search(torch.rand(objects, 3, 255, 255, device=device) * 255, kernels)
            rows = cols = [12] * objects
            logits = fresh.refine_at(out, rows, cols)
            fresh.quality_at(out, rows, cols, logits)
    return float(counter.get_total_flops())


def matmul_rate(dtype: torch.dtype, device: torch.device, seconds: float = 0.5) -> float:
    """Measured FLOP/s of a 1024x1024 matrix multiply in `dtype` on this device."""
    a = torch.rand(1024, 1024, device=device).to(dtype)
    b = torch.rand(1024, 1024, device=device).to(dtype)
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    for _ in range(3):
        a @ b
    sync()
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        a @ b
        count += 1
    sync()
    return 2 * 1024**3 * count / (time.perf_counter() - start)


class Run:
    """One configuration: a MultiTracker over `objects` boxes, timed frame by frame."""

    def __init__(self, model, precision: str, objects: int, frames, device: torch.device) -> None:
        self.frames = frames
        config = TrackerConfig.davis(device=str(device), precision=precision)
        self.tracker = MultiTracker(model, config, max_batch=max(objects, 1))
        self.boxes = object_boxes(objects, frames[0].shape[:2])
        self.best: dict | None = None
        self._sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)

    def _time_backbone(self) -> tuple[list[float], list]:
        """Hook the features module (per round: trackers of one model share it); return (times, handles)."""
        times, started = [], [0.0]

        def before(*_):
            self._sync()
            started[0] = time.perf_counter()

        def after(*_):
            self._sync()
            times.append(time.perf_counter() - started[0])

        features = self.tracker.model.features
        return times, [features.register_forward_pre_hook(before), features.register_forward_hook(after)]

    def round(self, warmup: int) -> None:
        tracker = self.tracker
        tracker.clear()
        tracker.clock = None
        for i, box in enumerate(self.boxes):
            tracker.add(i, self.frames[0], box)
        for frame in self.frames[1 : 1 + warmup]:
            tracker.track(frame)
        timed = self.frames[1 + warmup :]
        tracker.clock = StageClock(tracker.device)
        backbone, handles = self._time_backbone()
        start = time.perf_counter()
        for frame in timed:
            tracker.track(frame)
        total = time.perf_counter() - start
        for handle in handles:
            handle.remove()
        stages = {name: tracker.clock.totals.get(name, 0.0) / len(timed) for name in STAGES}
        result = {"ms": 1000 * total / len(timed), "stages_ms": {k: 1000 * v for k, v in stages.items()},
                  "backbone_ms": 1000 * sum(backbone) / len(timed)}
        if self.best is None or result["ms"] < self.best["ms"]:
            self.best = result


def split(result: dict) -> dict[str, float]:
    stages = result["stages_ms"]
    parts = {"crop": stages["crop"], "backbone": result["backbone_ms"],
             "corr+heads": stages["network"] - result["backbone_ms"], "mask": stages["mask"],
             "paste": stages["paste"], "rotated_box": stages["rotated_box"]}
    parts["rest"] = result["ms"] - sum(parts.values())
    return parts


def postprocess_1080p(rounds: int = 20) -> dict:
    """Paste + rotated box for 8 objects on a 1080p frame: the window paste against the full-frame warp."""
    cfg, frame_hw = TrackerConfig.davis(), (1080, 1920)
    rng = np.random.default_rng(0)
    windows = []
    for i in range(8):  # objects of 60-300 px, crop side from the DAVIS context rule
        size = rng.uniform(60, 300, 2)
        centre = np.array([200 + 200 * i, 540 + rng.uniform(-300, 300)])
        # an ellipse of the object's size in its window: the window spans the context side
        # c = sqrt((w + p)(h + p)), p = (w + h) / 2, in 127 pixels
        context = float(np.sqrt(np.prod(size + size.sum() / 2)))
        radii = size * 127 / (2 * context)
        yy, xx = np.mgrid[:127, :127] - 63.0
        blob = np.clip(1.5 * (1 - np.hypot(xx / radii[0], yy / radii[1])), 0, 1).astype(np.float32)
        windows.append((blob, centre, round(context * 255 / 127)))

    def window_path():
        out = []
        for probs, centre, side in windows:
            pasted = paste_window(probs, window_to_frame(127, centre, side, 12, 12, cfg, frame_hw), frame_hw,
                                  cfg.seg_thr)
            inside = pasted.mask
            out.append((pasted.frame_mask(inside),
                        rotated_box_from_mask(inside.view(np.uint8), (0, 0, 10, 10), offset=pasted.origin)))
        return out

    def full_frame_path():
        out = []
        for probs, centre, side in windows:
            mask = paste_window_mask(probs, window_to_frame(127, centre, side, 12, 12, cfg, frame_hw), frame_hw) > cfg.seg_thr
            out.append((mask, rotated_box_from_mask(mask.view(np.uint8), (0, 0, 10, 10))))
        return out

    for (m1, b1), (m2, b2) in zip(window_path(), full_frame_path()):
        assert np.array_equal(m1, m2) and np.array_equal(b1, b2), "window paste differs from the full-frame warp"
    best = {"window_ms": float("inf"), "full_frame_ms": float("inf")}
    for _ in range(rounds):
        for key, fn in (("window_ms", window_path), ("full_frame_ms", full_frame_path)):
            start = time.perf_counter()
            fn()
            best[key] = min(best[key], 1000 * (time.perf_counter() - start))
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", nargs="+", default=["sharp", "light", "mobile"], choices=["sharp", "light", "mobile"])
    parser.add_argument("--precisions", nargs="+", default=["exact", "fast"], choices=["exact", "fast"])
    parser.add_argument("--objects", nargs="+", type=int, default=[1, 2, 4, 8])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--frames", type=int, default=10, help="timed frames per round (after 2 warm-up frames)")
    parser.add_argument("--rounds", type=int, default=2, help="best of this many rounds per row")
    parser.add_argument("--device", default="cpu", help="cpu or cuda")
    parser.add_argument("--json", type=Path, default=None, help="also write the rows here")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    cv2.setNumThreads(args.threads)
    device = torch.device(args.device)
    warmup = 2
    frames, origin = load_frames(args.frames + warmup + 1)
    models = build_models(args.models)
    rates = {p: matmul_rate(torch.float32 if p == "exact" else
                            (torch.float16 if device.type == "cuda" else
                             torch.bfloat16 if cpu_has_native_bf16() else torch.float32), device)
             for p in args.precisions}
    flops = {(m, p, n): network_flops(models[m], n, device, p)
             for m in args.models for p in args.precisions for n in args.objects}
    runs = {(m, p, n): Run(models[m], p, n, frames, device)
            for m in args.models for p in args.precisions for n in args.objects}
    for _ in range(args.rounds):
        for run in runs.values():
            run.round(warmup)

    flags = [f for f in ("avx2", "avx512f", "avx512_bf16", "amx_bf16") if f in Path("/proc/cpuinfo").read_text()] \
        if Path("/proc/cpuinfo").exists() else []
    print(f"{date.today()}  {cpu_model()}  {os.cpu_count()} cpus  flags: {' '.join(flags) or '-'}  "
          f"torch {torch.__version__}  {args.threads} threads  device {device}")
    print(f"frames: {origin}, {frames[0].shape[1]}x{frames[0].shape[0]}, best of {args.rounds} rounds x "
          f"{args.frames} frames; matmul rate: " + ", ".join(f"{p} {r / 1e9:.0f} GFLOP/s" for p, r in rates.items()))
    header = (f"{'model':<7}{'prec':<6}{'obj':>4}{'fps':>7}{'obj-fps':>8}{'ms':>8}  "
              + "".join(f"{s:>12}" for s in SPLIT) + f"{'GFLOP':>7}{'floor ms':>9}{'of floor':>9}{'x exact':>8}")
    print(header)
    rows = []
    for (m, p, n), run in runs.items():
        best, parts = run.best, split(run.best)
        floor_ms = 1000 * flops[(m, p, n)] / rates[p]
        network_ms = parts["backbone"] + parts["corr+heads"] + parts["mask"]
        exact = runs.get((m, "exact", n))
        ratio = exact.best["ms"] / best["ms"] if exact else float("nan")
        row = {"model": m, "precision": p, "objects": n, "fps": 1000 / best["ms"], "object_fps": 1000 * n / best["ms"],
               "ms": best["ms"], "split_ms": parts, "gflop": flops[(m, p, n)] / 1e9, "floor_ms": floor_ms,
               "floor_fraction": floor_ms / network_ms, "x_exact": ratio}
        rows.append(row)
        print(f"{m:<7}{p:<6}{n:>4}{row['fps']:>7.1f}{row['object_fps']:>8.1f}{best['ms']:>8.1f}  "
              + "".join(f"{parts[s]:>12.1f}" for s in SPLIT)
              + f"{row['gflop']:>7.1f}{floor_ms:>9.1f}{row['floor_fraction']:>9.2f}{ratio:>8.2f}")
    post = postprocess_1080p()
    print(f"1080p paste + rotated box, 8 objects: window {post['window_ms']:.2f} ms, full-frame warp "
          f"{post['full_frame_ms']:.2f} ms ({post['full_frame_ms'] / post['window_ms']:.1f}x), outputs identical")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"date": str(date.today()), "cpu": cpu_model(), "flags": flags,
                                         "machine": platform.node(), "threads": args.threads, "device": str(device),
                                         "matmul_flops": rates, "rows": rows, "postprocess_1080p": post}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
