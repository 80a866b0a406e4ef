"""Fit a checkpoint's quality calibration on the tracker's own runs over the training sequences (issue 12.4).

    python -m tracking_worker.training.quality_calibration --data ../shared/data/davis2016 \
        --weights weights/mobile.pth --out weights/mobile.pth --eval-sequences dance-twirl kite-surf libby

The real Tracker (DAVIS config, exact) runs over each training sequence from several start frames
(quality_fit.start_plan), and records per frame the three features of mask_confidence.py next to
the true IoU (J) of the returned mask. A logistic model over the standardized features is fitted
to whether the mask is right (J >= 0.5, the evaluation's line between good and bad frames), so
its output is the probability of that; first once per left-out training sequence (LOSO,
reported), then on all of them. (Fitted to J itself as a soft target, the output stayed between
0.38 and 0.71 and read 0.38 on a frame where the object was lost, above the lost-target
threshold of 0.3: docs/models.md.) The calibration goes
into the checkpoint's meta["quality_calibration"]; the weights are copied unchanged, so masks,
boxes, scores, J and F stay identical. With --eval-sequences the result is evaluated on those
(held-out) sequences and meta["evaluation"] is replaced by that measurement.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import os
import sys
from pathlib import Path

import numpy as np
import torch

from tracking_worker.evaluation.confidence import BAD_J, bad_frame_auc, spearman
from tracking_worker.machine import cpu_model
from tracking_worker.siammask.mask_confidence import FEATURES, QualityCalibration

from .export import evaluate_model, evaluation_meta
from .models import checkpoint_meta, load_checkpoint_file, load_trained
from .quality_fit import HELD_OUT, TRAIN_SEQUENCES, Records, collect

WEIGHT_DECAY = 1e-3  # on the standardized weights: 3 numbers from ~2,000 correlated frames


class _FeatureRecorder:
    """Stands in for a calibration while tracking: keeps the features the tracker computes."""

    def __init__(self) -> None:
        self.rows: list[np.ndarray] = []

    def predict(self, features: np.ndarray) -> np.ndarray:
        self.rows.extend(features)
        # a placeholder quality: collect() tracks with TrackerConfig.davis(), where no quality feeds
        # back into tracking (recenter_weight 0), so the runs are those of the calibrated model
        return np.full(len(features), 0.5)


@contextlib.contextmanager
def capture_calibration_features(model):
    """Yield a list that receives, per tracked frame, the (3,) FEATURES of the returned mask."""
    recorder, kept = _FeatureRecorder(), getattr(model, "quality_calibration", None)
    model.quality_calibration = recorder
    try:
        yield recorder.rows
    finally:
        model.quality_calibration = kept


def is_good(iou: np.ndarray) -> np.ndarray:
    """Return 1.0 where the mask is right (J >= BAD_J), else 0.0: the calibration's target."""
    return (iou >= BAD_J).astype(np.float64)


def fit(features: np.ndarray, targets: np.ndarray, *, weight_decay: float = WEIGHT_DECAY) -> QualityCalibration:
    """Return the logistic calibration fitted to `targets` in [0, 1] over standardized `features`."""
    mean, std = features.mean(0), np.maximum(features.std(0), 1e-6)
    x = torch.from_numpy((features - mean) / std)
    y = torch.from_numpy(targets.astype(np.float64))
    params = torch.zeros(x.shape[1] + 1, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.LBFGS([params], lr=1, max_iter=500, tolerance_grad=1e-10, tolerance_change=1e-12,
                                  line_search_fn="strong_wolfe")

    def loss_fn():
        optimizer.zero_grad()
        logits = params[0] + x @ params[1:]
        loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, y) + weight_decay * params[1:].square().sum()
        loss.backward()
        return loss

    optimizer.step(loss_fn)
    weights = params.detach().numpy()
    return QualityCalibration(tuple(mean.tolist()), tuple(std.tolist()), tuple(weights[1:].tolist()), float(weights[0]))


def leave_one_sequence_out(records: Records) -> dict | None:
    """Return pooled and per-sequence AUC / Spearman of predictions fitted without each sequence
    (None for fewer than two sequences)."""
    names = sorted(set(records.sequence.tolist()))
    if len(names) < 2:
        return None
    predicted = np.full(len(records), np.nan)
    for name in names:
        test = records.sequence == name
        calibration = fit(records.features[~test], is_good(records.iou[~test]))
        predicted[test] = calibration.predict(records.features[test])
    per_sequence = {name: bad_frame_auc(predicted[records.sequence == name], records.iou[records.sequence == name])
                    for name in names}
    return {"auc": bad_frame_auc(predicted, records.iou), "spearman": spearman(predicted, records.iou),
            "per_sequence": per_sequence}


def write_checkpoint(parent: Path, out: Path, calibration_meta: dict, evaluation: dict | None) -> dict:
    """Save the parent's checkpoint with meta["quality_calibration"] (and a new evaluation); return the meta."""
    checkpoint = load_checkpoint_file(parent)
    meta = checkpoint_meta(checkpoint)
    meta["quality_calibration"] = calibration_meta
    if evaluation is not None:
        meta["evaluation"] = evaluation
    else:
        meta.pop("evaluation", None)  # measured with the head's quality; re-measure with tracking_worker.evaluate
    out.parent.mkdir(parents=True, exist_ok=True)
    torch.save({**checkpoint, "meta": meta}, out)
    return meta


def _number(value) -> str:
    return "-" if value is None or np.isnan(value) else f"{value:.3f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tracking_worker.training.quality_calibration",
                                     description="Fit the checkpoint's quality calibration on the tracker's own runs.")
    parser.add_argument("--data", type=Path, required=True, help="DAVIS-style dataset (flat or DAVIS layout)")
    parser.add_argument("--weights", type=Path, default=Path("weights/mobile.pth"))
    parser.add_argument("--out", type=Path, required=True, help="may be --weights itself")
    parser.add_argument("--sequences", nargs="+", default=list(TRAIN_SEQUENCES))
    parser.add_argument("--starts", type=int, default=3,
                        help="frame 0 forward, the last frame backward, and starts-1 inner frames both ways")
    parser.add_argument("--eval-sequences", nargs="+", default=None,
                        help=f"evaluate the result on these and record it (the held-out split: {' '.join(HELD_OUT)})")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    model, _ = load_trained(args.weights, device="cpu")
    records = collect(model, args.data, args.sequences, starts=args.starts, progress=not args.quiet,
                      capture=capture_calibration_features)
    bad = int((records.iou < BAD_J).sum())
    print(f"{len(records)} records, {bad} with J < 0.5")
    loso = leave_one_sequence_out(records) or {"auc": None, "spearman": None, "per_sequence": {}}
    if loso["auc"] is not None:  # a sequence without bad frames has no AUC of its own (nan)
        print(f"LOSO over the training sequences: AUC {loso['auc']:.3f}, Spearman {loso['spearman']:.3f}; "
              + ", ".join(f"{k} {v:.3f}" for k, v in loso["per_sequence"].items() if not np.isnan(v)))
    calibration = fit(records.features, is_good(records.iou))
    model.quality_calibration = calibration
    evaluation = None
    if args.eval_sequences:
        report = evaluate_model(model, args.data, sequences=args.eval_sequences, progress=not args.quiet)
        evaluation = evaluation_meta(report, args.data)
        print(f"held-out ({', '.join(args.eval_sequences)}): " + ", ".join(
            f"{name} {_number(evaluation[key])}" for name, key in (("quality AUC", "quality_auc"),
                                                                  ("score AUC", "score_auc"), ("J", "J_mean"))))
    write_checkpoint(args.weights, args.out, {
        **calibration.to_meta(),
        "fit": {
            "command": " ".join(["python -m tracking_worker.training.quality_calibration", *(argv or sys.argv[1:])]),
            "data": str(args.data), "sequences": sorted(set(records.sequence.tolist())), "starts": args.starts,
            "records": len(records), "bad_records": bad, "target": f"J >= {BAD_J}, binary cross-entropy",
            "weight_decay": WEIGHT_DECAY, "loso_auc": loso["auc"], "loso_spearman": loso["spearman"],
            "loso_auc_by_sequence": loso["per_sequence"],
            "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "machine": f"{cpu_model()}, {os.cpu_count()} cores, {torch.get_num_threads()} threads",
        },
    }, evaluation)
    print(f"calibration over {', '.join(FEATURES)}: wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
