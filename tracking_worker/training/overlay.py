"""Draw a model's tracked masks over a few frames of a clip, as one PNG strip (for docs).

    python -m tracking_worker.training.overlay --weights weights/starter.pth \
        --frames /work/shared/data/tennis/frames --box 300,110,165,250 \
        --show 0,15,30,45 --out docs/images/starter_tennis.png

Frame 0 shows the initial box; later frames the predicted mask (tinted) and rotated box.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import cv2
import numpy as np

from tracking_worker.siammask import Tracker, TrackerConfig

from .models import load_trained


def overlay_strip(model, frame_paths: list[Path], box, show: list[int], width: int = 420) -> np.ndarray:
    """Track through frame_paths[0 .. max(show)] and return the chosen frames side by side."""
    tracker = Tracker(model, TrackerConfig.davis(device="cpu"))
    tiles = []
    for index in range(max(show) + 1):
        frame = cv2.imread(str(frame_paths[index]))
        if index == 0:
            tracker.init(frame, box)
            x, y, w, h = box
            drawn = frame.copy()
            cv2.rectangle(drawn, (int(x), int(y)), (int(x + w), int(y + h)), (0, 255, 255), 3)
        else:
            result = tracker.track(frame)
            drawn = frame.copy()
            tint = np.zeros_like(frame)
            tint[result.mask] = (0, 0, 255)
            drawn = cv2.addWeighted(drawn, 1.0, tint, 0.5, 0)
            cv2.polylines(drawn, [result.rotated_box.astype(np.int32)], True, (0, 255, 0), 2)
        if index in show:
            label = f"frame {index:05d}" + (" (init box)" if index == 0 else "")
            cv2.putText(drawn, label, (10, 30), cv2.FONT_HERSHEY_SIMPLEX, 0.9, (255, 255, 255), 2)
            scale = width / drawn.shape[1]
            tiles.append(cv2.resize(drawn, (width, int(drawn.shape[0] * scale))))
    return np.concatenate(tiles, axis=1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tracking_worker.training.overlay")
    parser.add_argument("--weights", type=Path, required=True)
    parser.add_argument("--frames", type=Path, required=True, help="folder of .jpg frames")
    parser.add_argument("--box", required=True, help="x,y,w,h on the first frame")
    parser.add_argument("--show", default="0,15,30,45", help="frame indices to draw")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    frames = sorted(args.frames.glob("*.jpg"))
    show = [int(v) for v in args.show.split(",")]
    if not frames or max(show) >= len(frames):
        print(f"error: need at least {max(show) + 1} frames in {args.frames}", file=sys.stderr)
        return 2
    model, _ = load_trained(args.weights, device="cpu")
    strip = overlay_strip(model, frames, [float(v) for v in args.box.split(",")], show)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(args.out), strip)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
