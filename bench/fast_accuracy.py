"""Fast precision against exact on the held-out DAVIS sequences: J, F and per-frame mask IoU.

    python bench/fast_accuracy.py                                   # weights/mobile.pth
    python bench/fast_accuracy.py --weights weights/starter.pth     # the light starter
    python bench/fast_accuracy.py --weights SiamMask_DAVIS.pth      # an official checkpoint
    python bench/fast_accuracy.py --weights weights/starter.pth --float32-layers 4   # try a split

Needs ../shared/data/davis2016 (or --data). The held-out sequences are the ones the default
model never trained on (docs/models.md). Prints one table row per run; --json writes it.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tracking_worker.evaluation.precision_check import compare_precisions
from tracking_worker.machine import cpu_model
from tracking_worker.siammask.network.light_backbone import LightFeatureExtractor
from tracking_worker.siammask.network.mobile import MobileFeatureExtractor
from tracking_worker.siammask.precision import cpu_has_native_bf16

REPO = Path(__file__).resolve().parents[1]
HELD_OUT = ["dance-twirl", "kite-surf", "libby"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--weights", type=Path, default=REPO / "weights" / "mobile.pth")
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "davis2016")
    parser.add_argument("--sequences", nargs="+", default=HELD_OUT)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--float32-layers", type=int, default=None,
                        help="keep this many leading trunk layers float32 in fast, in the mobile and light "
                             "trunks (default: each variant's measured choice)")
    args = parser.parse_args(argv)
    if args.float32_layers is not None:
        for extractor in (LightFeatureExtractor, MobileFeatureExtractor):
            extractor.float32_layers = args.float32_layers
    if not args.data.is_dir():
        parser.error(f"DAVIS data not found at {args.data} (pass --data)")
    torch.set_num_threads(args.threads)
    report = compare_precisions(args.data, args.weights, args.sequences, progress=True)
    report.update(date=str(date.today()), cpu=cpu_model(), native_bf16=cpu_has_native_bf16(),
                  float32_layers=args.float32_layers)
    split = "" if args.float32_layers is None else f"  float32 layers: {args.float32_layers}"
    print(f"{report['date']}  {report['cpu']}  native bf16: {report['native_bf16']}  {args.weights.name}  "
          f"{', '.join(args.sequences)}{split}")
    print(f"exact J {report['exact']['J']:.3f} F {report['exact']['F']:.3f} | fast J {report['fast']['J']:.3f} "
          f"F {report['fast']['F']:.3f} | dJ {report['delta_J']:+.3f} dF {report['delta_F']:+.3f} | "
          f"per-frame IoU fast vs exact: mean {report['frame_iou_mean']:.3f}, worst "
          f"{report['frame_iou_worst']:.3f} over {report['frames']} frames")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
