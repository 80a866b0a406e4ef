"""Benchmark: one scribble refine (annotator/services/grabcut.py) on a generated 1920x1080 frame.

    .venv/bin/python bench/grabcut.py [--repeat 7] [--side 360]   # prints JSON: median / max ms, IoU

The frame is a blurred noise background with a textured ellipse of about side x 0.8 side pixels
(a person filling a third of the frame's height at 1080p). The starting mask is the ellipse shifted
and shrunk (a propagated mask that drifted); one foreground and one background stroke correct it.
refine_mask is timed with the shipped working size (MAX_WORK_PIXELS) and with GrabCut on the whole
window, interleaved; `io_median_ms` is what the API adds around it (read the frame's JPEG, decode
the stored mask's RLE, encode the answer's).
"""

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from annotator import frames, masks  # noqa: E402
from annotator.services import grabcut  # noqa: E402
from annotator.services.grabcut import Stroke, refine_mask  # noqa: E402

WIDTH, HEIGHT = 1920, 1080


def scene(side: int, seed: int = 0):
    """Return (frame_bgr, true_mask, drifted_mask, strokes) for an object of about side pixels."""
    rng = np.random.default_rng(seed)
    frame = cv2.GaussianBlur(rng.integers(0, 255, (HEIGHT, WIDTH, 3), dtype=np.uint8), (0, 0), 3)
    frame = (frame * 0.5 + 60).astype(np.uint8)  # dull background, brightness 60..190
    centre, axes = (WIDTH // 2, HEIGHT // 2), (side // 2, int(side * 0.4))
    truth = np.zeros((HEIGHT, WIDTH), np.uint8)
    cv2.ellipse(truth, centre, axes, 20, 0, 360, 1, -1)
    texture = rng.integers(0, 60, (HEIGHT, WIDTH, 3), dtype=np.uint8) + np.array([40, 90, 170], np.uint8)
    frame[truth > 0] = texture[truth > 0]
    drifted = np.zeros_like(truth)
    shift = side // 8
    cv2.ellipse(drifted, (centre[0] + shift, centre[1]), (int(axes[0] * 0.85), int(axes[1] * 0.85)), 20, 0, 360, 1, -1)
    strokes = [Stroke(foreground=True, radius=6, points_xy=[(centre[0] - axes[0] * 0.6, centre[1]),
                                                           (centre[0] - axes[0] * 0.3, centre[1])]),
               Stroke(foreground=False, radius=6, points_xy=[(centre[0] + axes[0] + shift * 0.5, centre[1] - 20),
                                                            (centre[0] + axes[0] + shift * 0.5, centre[1] + 20)])]
    return frame, truth.astype(bool), drifted.astype(bool), strokes


def iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / max(1, (a | b).sum()))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--side", type=int, default=360, help="object width in pixels")
    args = parser.parse_args()
    frame, truth, drifted, strokes = scene(args.side)
    # the shipped working size against GrabCut on the whole window, interleaved (the machine is shared)
    modes = {"shrunk": grabcut.MAX_WORK_PIXELS, "full": 2**62}
    times, results = {m: [] for m in modes}, {}
    for _ in range(args.repeat):
        for mode, max_pixels in modes.items():
            grabcut.MAX_WORK_PIXELS = max_pixels
            start = time.perf_counter()
            results[mode] = refine_mask(frame, drifted, strokes)
            times[mode].append((time.perf_counter() - start) * 1000)
    io_ms = []
    with tempfile.TemporaryDirectory() as tmp:
        jpeg = Path(tmp) / "00000.jpg"
        cv2.imwrite(str(jpeg), frame, [cv2.IMWRITE_JPEG_QUALITY, frames.JPEG_QUALITY])
        stored = masks.encode_mask(drifted)
        for _ in range(args.repeat):
            start = time.perf_counter()
            frames.read_frame(jpeg)
            masks.decode_mask(stored)
            masks.encode_mask(results["shrunk"].mask)
            io_ms.append((time.perf_counter() - start) * 1000)
    print(json.dumps({
        "frame": f"{WIDTH}x{HEIGHT}", "object_px": int(truth.sum()), "window_xywh": results["full"].window_xywh,
        "max_work_pixels": modes["shrunk"], "repeat": args.repeat, "iou_before": round(iou(drifted, truth), 3),
        **{f"{m}_median_ms": round(statistics.median(t), 1) for m, t in times.items()},
        **{f"{m}_max_ms": round(max(t), 1) for m, t in times.items()},
        **{f"{m}_iou_after": round(iou(r.mask, truth), 3) for m, r in results.items()},
        "io_median_ms": round(statistics.median(io_ms), 1),
        "opencv": cv2.__version__, "threads": cv2.getNumThreads(), "machine": platform.machine(),
        "cpus": os.cpu_count(),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
