"""Train SiamMask from a YAML config (see docs/models.md and tracking_worker/training/configs/).

    python -m tracking_worker.train --config tracking_worker/training/configs/light_synthetic.yaml
    python -m tracking_worker.train --config CFG --run-dir runs/x --resume runs/x/checkpoint.pth
    python -m tracking_worker.train --config CFG --resume auto      # the run dir's checkpoint
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tracking_worker.training.config import load_config
from tracking_worker.training.train import CHECKPOINT, train


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tracking_worker.train",
                                     description="Train SiamMask (sharp or light) in stages.")
    parser.add_argument("--config", type=Path, required=True, help="YAML training config")
    parser.add_argument("--run-dir", type=Path, default=None,
                        help="where checkpoints, curves and model.pth go (default: the config's "
                             "run_dir, else runs/<config name>)")
    parser.add_argument("--resume", default=None,
                        help="checkpoint to continue from, or 'auto' for <run-dir>/checkpoint.pth")
    parser.add_argument("--device", default=None, help="cpu (default) or cuda")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        cfg = load_config(args.config)
    except (OSError, ValueError, TypeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    run_dir = args.run_dir or Path(cfg.run_dir or Path("runs") / args.config.stem)
    resume = None
    if args.resume == "auto":
        candidate = run_dir / CHECKPOINT
        resume = candidate if candidate.is_file() else None
    elif args.resume:
        resume = Path(args.resume)
        if not resume.is_file():
            print(f"error: no checkpoint at {resume}", file=sys.stderr)
            return 2
    result = train(cfg, run_dir=run_dir, resume=resume, progress=not args.quiet, device=args.device)
    last = result.history[-1] if result.history else {}
    print(f"done: {result.step} steps, model {result.model_path}; last losses "
          + ", ".join(f"{k}={last[k]:.4f}" for k in ("total", "score", "box", "mask") if k in last))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
