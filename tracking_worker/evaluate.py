"""Evaluate SiamMask (or a baseline, or saved masks) on a DAVIS-style dataset with J and F.

    python -m tracking_worker.evaluate --data data/DAVIS --sequences bear dog --json out.json
    python -m tracking_worker.evaluate --data data/DAVIS --baseline flow       # no weights
    python -m tracking_worker.evaluate --data data/DAVIS --results my_masks/   # no tracker run

See docs/evaluation.md for the protocol, the layouts and the JSON keys.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from tracking_worker.evaluation.baselines import BASELINES, baseline_factory
from tracking_worker.evaluation.report import format_table, summarize
from tracking_worker.evaluation.run import evaluate_results, evaluate_tracker, tracker_factory

REPO_ROOT = Path(__file__).resolve().parents[1]
WEIGHTS_ENV = "SIAMLABEL_DEFAULT_WEIGHTS"


def default_weights() -> Path:
    """Return $SIAMLABEL_DEFAULT_WEIGHTS, else the built-in weights/mobile.pth (the default model)."""
    env = os.environ.get(WEIGHTS_ENV)
    return Path(env) if env else REPO_ROOT / "weights" / "mobile.pth"


def build_parser() -> argparse.ArgumentParser:
    """Return the command-line parser."""
    parser = argparse.ArgumentParser(
        prog="python -m tracking_worker.evaluate",
        description="Score SiamMask, a baseline or saved masks on a DAVIS-style dataset (J, F, fps).",
    )
    what = parser.add_mutually_exclusive_group()
    what.add_argument("--weights", type=Path, default=None,
                      help=f"checkpoint to track with (default: ${WEIGHTS_ENV}, "
                           "else weights/mobile.pth, the built-in default)")
    what.add_argument("--baseline", choices=BASELINES, default=None,
                      help="track with a baseline that needs no weights, started from the first "
                           "mask (docs/evaluation.md)")
    what.add_argument("--results", type=Path, default=None,
                      help="score <RESULTS>/<seq>/<frame>.png id masks instead of tracking")
    parser.add_argument("--data", type=Path, required=True,
                        help="dataset folder, DAVIS layout (JPEGImages/, Annotations/) "
                             "or flat (<seq>/frames/, <seq>/masks/)")
    parser.add_argument("--config", choices=("davis", "vot"), default=None,
                        help="official tracker hyper-parameters, as they are (default: the "
                             "checkpoint's own: davis with its tuned meta['tracker'] fields, if any)")
    parser.add_argument("--precision", choices=("exact", "fast"), default="exact",
                        help="tracker precision (docs/tracker.md): exact float32 (default) or fast")
    parser.add_argument("--json", type=Path, default=None, help="write the report here")
    parser.add_argument("--sequences", nargs="+", default=None, metavar="SEQ",
                        help="sequence names, space- or comma-separated, or a file with one per "
                             "line (e.g. ImageSets/2017/val.txt); default: all")
    parser.add_argument("--save-results", type=Path, default=None,
                        help="when tracking, also write the predicted id masks here "
                             "(the --results layout)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def parse_sequences(values: list[str] | str | None) -> list[str] | None:
    """Return sequence names from names, comma-separated lists or files of names; None for all."""
    if values is None:
        return None
    names: list[str] = []
    for value in [values] if isinstance(values, str) else values:
        path = Path(value)
        if path.is_file():
            names.extend(path.read_text().split())
        else:
            names.extend(n.strip() for n in value.split(","))
    return [n for n in names if n]


def tracker_fields(config) -> dict:
    """Return the tunable fields of the TrackerConfig that ran, for the report."""
    from tracking_worker.siammask.config import CHECKPOINT_FIELDS

    return {name: getattr(config, name) for name in CHECKPOINT_FIELDS}


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation, print the table and optionally write the JSON report."""
    parser = build_parser()
    args = parser.parse_args(argv)
    sequences = parse_sequences(args.sequences)
    try:
        if args.results is not None:
            if not args.results.is_dir():
                parser.error(f"results folder not found: {args.results}")
            scores = evaluate_results(args.data, args.results, sequences=sequences,
                                      progress=not args.quiet)
        elif args.baseline is not None:
            scores = evaluate_tracker(args.data, baseline_factory(args.baseline),
                                      sequences=sequences, save_dir=args.save_results,
                                      progress=not args.quiet)
        else:
            weights = args.weights or default_weights()
            if not weights.is_file():
                parser.error(f"weights not found: {weights} (pass --weights or set "
                             f"{WEIGHTS_ENV}; --results scores saved masks without weights)")
            factory = tracker_factory(weights, args.config, args.precision)
            scores = evaluate_tracker(args.data, factory, sequences=sequences,
                                      save_dir=args.save_results, progress=not args.quiet)
    except (ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    report = summarize(scores)
    if args.results is not None:
        report["mode"] = "results"
    elif args.baseline is not None:
        report.update(mode="baseline", baseline=args.baseline)
    else:
        report.update(mode="tracker", weights=str(weights), config=args.config or "checkpoint",
                      precision=args.precision, tracker=tracker_fields(factory.config))
    print(format_table(report))
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
