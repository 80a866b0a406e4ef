"""Tune a checkpoint's tracker hyper-parameters on training sequences; write them into its meta.

    python -m tracking_worker.training.tune_tracker --data ../shared/data/davis2016 \
        --weights weights/mobile.pth --sequences bmx-trees camel ... --json var/tune/mobile.json
    python -m tracking_worker.training.tune_tracker --write weights/mobile.pth \
        --from var/tune/mobile.json --held-out var/eval/tuned.json

The search is a coordinate search from TrackerConfig.davis(): each field in turn over a few
values (others held at the best so far), repeated until a pass changes nothing, then refined
around the best value of each field at half the grid spacing. The objective is the mean J of
docs/evaluation.md over the given sequences. Tune only on training sequences: held-out ones
are for the one final check of the chosen values (docs/models.md).

`--write` stores the best values as meta["tracker"] (TrackerConfig field overrides, applied
wherever a tracker is built for the checkpoint without an explicit config) and the search's
figures as meta["tracker_tuning"]; the state dict and the rest of the metadata are kept.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from pathlib import Path

from tqdm import tqdm

# a few values per field around the official DAVIS ones; recentring is ours (0 = off)
DEFAULT_GRID: dict[str, tuple[float, ...]] = {
    "seg_thr": (0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6),
    "window_influence": (0.2, 0.3, 0.4, 0.5, 0.6),
    "penalty_k": (0.0, 0.02, 0.04, 0.08, 0.16),
    "lr": (0.25, 0.5, 0.75, 1.0),
    "context_amount": (0.4, 0.45, 0.5, 0.55, 0.6),
    "recenter_weight": (0.0, 0.25, 0.5, 0.75, 1.0),
}

Objective = Callable[[dict], dict]  # overrides -> {"J": ..., "F": ..., ...}


@dataclasses.dataclass
class Search:
    """Coordinate search over TrackerConfig overrides; every evaluation is kept, none repeated."""

    objective: Objective
    grid: Mapping[str, tuple[float, ...]]
    is_valid: Callable[[dict], bool] = lambda overrides: True
    on_evaluation: Callable[[dict], None] = lambda record: None
    records: list[dict] = dataclasses.field(default_factory=list)
    best: dict = dataclasses.field(default_factory=dict)

    def evaluate(self, overrides: dict) -> dict | None:
        """Return the record of `overrides` (evaluated now unless seen before); None if invalid."""
        overrides = {k: round(float(v), 6) for k, v in sorted(overrides.items())}
        for record in self.records:
            if record["overrides"] == overrides:
                return record
        if not self.is_valid(overrides):
            return None
        tic = time.perf_counter()
        record = {"overrides": overrides, **self.objective(overrides)}
        record["seconds"] = time.perf_counter() - tic
        self.records.append(record)
        if not self.best or record["J"] > self.best["J"]:  # ties keep the earlier, simpler one
            self.best = record
        self.on_evaluation(record)
        return record

    def sweep(self, field: str, values: tuple[float, ...]) -> bool:
        """Try `values` for one field around the best; return whether the best changed."""
        before = self.best
        start = dict(before["overrides"])
        for value in values:
            self.evaluate({**start, field: value})
        return self.best is not before

    def run(self, start: dict, *, max_passes: int = 3, refine_rounds: int = 1) -> dict:
        """Search from `start`; return the best record."""
        self.evaluate(start)
        for _ in range(max_passes):
            changed = [self.sweep(field, values) for field, values in self.grid.items()]
            if not any(changed):
                break
        for round_no in range(1, refine_rounds + 1):
            for field, values in self.grid.items():
                step = min(b - a for a, b in zip(sorted(values), sorted(values)[1:])) / 2**round_no
                centre = self.best["overrides"][field]
                self.sweep(field, (centre - step, centre + step))
        return self.best


def official_values(fields) -> dict:
    """Return TrackerConfig.davis()'s values of `fields` (the search's start)."""
    from tracking_worker.siammask import TrackerConfig

    config = TrackerConfig.davis()
    return {field: float(getattr(config, field)) for field in fields}


def changed_fields(overrides: Mapping) -> dict:
    """Return the overrides that differ from TrackerConfig.davis() (what a checkpoint stores)."""
    official = official_values(overrides)
    return {k: v for k, v in overrides.items() if abs(v - official[k]) > 1e-9}


def valid_overrides(overrides: dict) -> bool:
    from tracking_worker.siammask import TrackerConfig

    try:
        TrackerConfig.davis().with_overrides(overrides)
    except ValueError:
        return False
    return True


def make_objective(data: Path, weights: Path, sequences: list[str]) -> Objective:
    """Return overrides -> J, F and per-sequence J, F, tracking with the checkpoint's model."""
    from tracking_worker.evaluation.report import summarize
    from tracking_worker.evaluation.run import evaluate_tracker, tracker_factory
    from tracking_worker.siammask import TrackerConfig

    factory = tracker_factory(weights, "davis")

    def objective(overrides: dict) -> dict:
        config = TrackerConfig.davis(device=factory.config.device).with_overrides(overrides)
        report = summarize(evaluate_tracker(data, dataclasses.replace(factory, config=config),
                                            sequences=sequences, progress=False))
        return {"J": report["J_mean"], "F": report["F_mean"],
                "sequences": {name: {"J": s["J_mean"], "F": s["F_mean"]}
                              for name, s in report["sequences"].items()}}

    return objective


def tune(args: argparse.Namespace) -> dict:
    """Run the search and return the JSON report."""
    from tracking_worker.machine import cpu_model
    from tracking_worker.siammask.checkpoints import file_sha256
    from tracking_worker.threads import configure_threads

    grid = {field: DEFAULT_GRID[field] for field in args.fields}
    threads = configure_threads(1, 1)  # one core: the machine is shared
    started, load_start, tic = datetime.now(timezone.utc), os.getloadavg(), time.perf_counter()
    bar = tqdm(total=None, unit="config", file=sys.stderr, disable=args.quiet)

    def report_progress(record: dict) -> None:
        bar.update()
        bar.set_postfix_str(f"J {record['J']:.3f} best {search.best['J']:.3f}")

    search = Search(make_objective(args.data, args.weights, args.sequences), grid,
                    is_valid=valid_overrides, on_evaluation=report_progress)
    start = official_values(grid)
    best = search.run(start, max_passes=args.passes, refine_rounds=args.refine_rounds)
    bar.close()
    return {
        "command": "python -m tracking_worker.training.tune_tracker " + " ".join(sys.argv[1:]),
        "weights": str(args.weights), "weights_sha256": file_sha256(args.weights),
        "data": str(args.data), "sequences": args.sequences, "objective": "mean J",
        "grid": grid, "passes": args.passes, "refine_rounds": args.refine_rounds,
        "machine": f"{cpu_model()}, {os.cpu_count()} cores, {threads[0]} torch thread",
        "started": started.isoformat(timespec="seconds"),
        "seconds": time.perf_counter() - tic,
        "load_average_start": load_start, "load_average_end": os.getloadavg(),
        "official": search.records[0],
        "best": best, "tracker": changed_fields(best["overrides"]),
        "evaluations": search.records,
    }


def write_overrides(checkpoint_path: Path, tuning_path: Path, held_out_path: Path | None = None,
                    out: Path | None = None) -> dict:
    """Store a search's chosen values in a checkpoint's meta; return the new meta["tracker"]."""
    import torch

    from tracking_worker.siammask.checkpoints import read_checkpoint, tracker_overrides

    tuning = json.loads(tuning_path.read_text())
    checkpoint = read_checkpoint(checkpoint_path)
    meta = dict(checkpoint.get("meta") or {})
    meta["tracker"] = dict(tuning["tracker"])
    summary = {key: tuning[key] for key in ("command", "data", "sequences", "objective", "seconds", "machine")}
    summary["train"] = {"official": {k: tuning["official"][k] for k in ("J", "F")},
                        "tuned": {k: tuning["best"][k] for k in ("J", "F")}}
    if held_out_path is not None:
        held_out = json.loads(held_out_path.read_text())
        summary["held_out"] = {"sequences": sorted(held_out["sequences"]), "J": held_out["J_mean"],
                               "F": held_out["F_mean"], "tracker": held_out.get("tracker")}
    meta["tracker_tuning"] = summary
    updated = {**checkpoint, "meta": meta}
    tracker_overrides(updated)  # refuse to write values no tracker would accept
    torch.save(updated, out or checkpoint_path)
    return meta["tracker"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tracking_worker.training.tune_tracker",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, help="DAVIS-style dataset folder")
    parser.add_argument("--weights", type=Path, help="checkpoint to tune for")
    parser.add_argument("--sequences", nargs="+", help="training sequences to tune on (never held-out ones)")
    parser.add_argument("--json", type=Path, help="write the search's report here")
    parser.add_argument("--fields", nargs="+", default=list(DEFAULT_GRID), choices=list(DEFAULT_GRID),
                        help="fields to search (default: all)")
    parser.add_argument("--passes", type=int, default=3, help="most coordinate passes over the grid")
    parser.add_argument("--refine-rounds", type=int, default=1, help="halvings of the grid spacing")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--write", type=Path, metavar="CHECKPOINT",
                        help="instead of searching: store --from's chosen values in this checkpoint")
    parser.add_argument("--from", dest="tuning", type=Path, help="a search's --json report")
    parser.add_argument("--held-out", type=Path, help="an evaluate --json report of the chosen values, recorded too")
    parser.add_argument("--out", type=Path, help="with --write: save here instead of in place")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.write is not None:
        if args.tuning is None:
            parser.error("--write needs --from")
        try:
            tracker = write_overrides(args.write, args.tuning, args.held_out, args.out)
        except (ValueError, FileNotFoundError, KeyError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        print(f"wrote meta['tracker'] = {tracker} to {args.out or args.write}")
        return 0
    if not (args.data and args.weights and args.sequences and args.json):
        parser.error("a search needs --data, --weights, --sequences and --json")
    report = tune(args)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n")
    print(f"official J {report['official']['J']:.3f} F {report['official']['F']:.3f}; "
          f"best J {report['best']['J']:.3f} F {report['best']['F']:.3f} with {report['tracker']} "
          f"({len(report['evaluations'])} evaluations, {report['seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
