"""Track one object through a clip and write one JSON record per frame.

    python -m tracking_worker.track --weights SiamMask_DAVIS.pth --frames clip_dir_or_video \
        --box 300,110,165,250 --out out.json [--config davis|vot] [--no-refine] [--device cpu]

The box (x, y, w, h, pixels) is given on the first frame. The output is a JSON list with one
record per frame: {"frame_index", "init", "score", "quality", "bbox", "rotated_box", "mask"};
the mask is COCO RLE {"size": [h, w], "counts": str} and quality the model's confidence in
[0, 1] that the mask is right (TrackResult.quality; null for the official checkpoints). The first (init)
frame has "init": true, the given box, its corners, and null score, quality and mask.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

FRAME_SUFFIXES = {".jpg", ".jpeg", ".png"}


def iter_frames(source: Path) -> tuple[int | None, Iterator[np.ndarray]]:
    """Return (frame count or None, iterator of BGR frames) for a folder of images or a video."""
    if source.is_dir():
        paths = sorted(p for p in source.iterdir() if p.suffix.lower() in FRAME_SUFFIXES)
        if not paths:
            raise ValueError(f"no .jpg/.png frames in {source}")

        def read_images() -> Iterator[np.ndarray]:
            for path in paths:
                frame = cv2.imread(str(path), cv2.IMREAD_COLOR)
                if frame is None:
                    raise ValueError(f"cannot read frame {path}")
                yield frame

        return len(paths), read_images()
    capture = cv2.VideoCapture(str(source))
    if not capture.isOpened():
        raise ValueError(f"cannot open video {source}")
    count = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))

    def read_video() -> Iterator[np.ndarray]:
        try:
            while True:
                ok, frame = capture.read()
                if not ok:
                    return
                yield frame
        finally:
            capture.release()

    return (count if count > 0 else None), read_video()


def encode_mask(mask: np.ndarray) -> dict:
    """Return COCO RLE {"size": [h, w], "counts": str} of a bool mask."""
    from pycocotools import mask as mask_utils

    rle = mask_utils.encode(np.asfortranarray(mask.astype(np.uint8)))
    return {"size": [int(v) for v in rle["size"]], "counts": rle["counts"].decode("ascii")}


def parse_box(text: str) -> tuple[float, float, float, float]:
    try:
        values = tuple(float(v) for v in text.split(","))
    except ValueError:
        values = ()
    if len(values) != 4:
        raise argparse.ArgumentTypeError(f"expected x,y,w,h, got {text!r}")
    return values  # type: ignore[return-value]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tracking_worker.track", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--weights", required=True, type=Path, help="SiamMask checkpoint (.pth)")
    parser.add_argument(
        "--frames", required=True, type=Path, help="folder of .jpg/.png frames or a video file"
    )
    parser.add_argument(
        "--box", required=True, type=parse_box, help="x,y,w,h on the first frame, pixels"
    )
    parser.add_argument("--out", required=True, type=Path, help="output JSON file")
    parser.add_argument("--config", choices=("davis", "vot"), default=None,
                        help="official hyper-parameters as they are (default: the checkpoint's "
                             "own: davis with its tuned meta['tracker'] fields, if any)")
    parser.add_argument(
        "--no-refine", action="store_true", help="use the 63x63 mask head, not the refine module"
    )
    parser.add_argument("--device", default=None, help="cpu, cuda, cuda:1 ... (default: cuda if available)")
    return parser


def run(args: argparse.Namespace) -> list[dict]:
    from tqdm import tqdm

    from tracking_worker.siammask import Tracker, load_model
    from tracking_worker.siammask.boxes import xywh_corners
    from tracking_worker.siammask.checkpoints import read_checkpoint, tracker_config

    checkpoint = read_checkpoint(args.weights)
    config = dataclasses.replace(tracker_config(checkpoint, args.config), refine=not args.no_refine,
                                 device=args.device)
    tracker = Tracker(load_model(checkpoint, device=config.device), config)
    total, frames = iter_frames(args.frames)
    records = []
    for index, frame in enumerate(tqdm(frames, total=total, unit="frame", file=sys.stderr)):
        if index == 0:
            tracker.init(frame, args.box)
            records.append(
                {
                    "frame_index": 0,
                    "init": True,
                    "score": None,
                    "quality": None,
                    "bbox": list(args.box),
                    "rotated_box": xywh_corners(args.box).tolist(),
                    "mask": None,
                }
            )
            continue
        result = tracker.track(frame)
        records.append(
            {
                "frame_index": index,
                "init": False,
                "score": result.score,
                "quality": result.quality,
                "bbox": list(result.bbox),
                "rotated_box": result.rotated_box.tolist(),
                "mask": encode_mask(result.mask),
            }
        )
    if not records:
        raise ValueError(f"no frames read from {args.frames}")
    return records


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.weights.is_file():
        parser.error(f"weights not found: {args.weights}")
    if not args.frames.exists():
        parser.error(f"frames not found: {args.frames}")
    try:
        records = run(args)
    except (ValueError, TypeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(records))
    print(f"wrote {len(records)} records to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
