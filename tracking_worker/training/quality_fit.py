"""Refit the quality head on the tracker's own runs over the training sequences (issue 12.4).

    python -m tracking_worker.training.quality_fit --data ../shared/data/davis2016 \
        --weights weights/mobile.pth --out weights/mobile_quality_runs.pth

The head was trained on (template, search) pairs, which rarely show what goes wrong while
tracking: drift, partial masks, occlusion. Here the real Tracker (DAVIS config, exact) runs
over each training sequence from several start frames, forward and backward; a forward hook on
the head records its inputs on every frame, next to the true IoU (J) of the returned mask.
The head's parameters are then refitted on those records, its architecture unchanged, with the
epoch count chosen by leave-one-sequence-out (LOSO) AUC for flagging frames with J < 0.5. By
default the head starts re-initialised and its weights on the correlation ROW stay zero
(start_head explains why).
The rest of the network is copied unchanged, so the masks, scores, J and F stay identical.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import datetime
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F
from tqdm import tqdm

from tracking_worker.evaluation import davis
from tracking_worker.evaluation.confidence import bad_frame_auc, spearman
from tracking_worker.evaluation.metrics import region_similarity
from tracking_worker.evaluation.run import bbox_from_mask
from tracking_worker.machine import cpu_model
from tracking_worker.siammask import Tracker, TrackerConfig
from tracking_worker.siammask.checkpoints import file_sha256
from tracking_worker.siammask.network.quality import STATS, mask_statistics
from tracking_worker.siammask.network.refine import pick_rows

from .export import state_dict_sha256
from .models import checkpoint_meta, load_checkpoint_file, load_trained

TRAIN_SEQUENCES = ("bmx-trees", "camel", "car-roundabout", "cows", "goat", "paragliding-launch",
                   "scooter-black", "soapbox")
# the held-out split of docs/evaluation.md: never fitted on
HELD_OUT = ("dance-twirl", "kite-surf", "libby")
EPOCH_GRID = (0, 5, 10, 20, 40, 80, 160, 320)
SCORE_AND_STATS = 2 * 5 + STATS  # the head's inputs after the ROW: 5 anchors' score logits, mask statistics


@dataclass
class Records:
    """One row per tracked frame: the head's input, the true IoU, the tracker's score and quality."""

    features: np.ndarray  # (N, D) float32: [ROW, window score logits, mask statistics]
    iou: np.ndarray  # (N,) J of the returned mask against the ground truth
    score: np.ndarray  # (N,) the tracker's score
    quality: np.ndarray  # (N,) the head's prediction as tracked (the parent checkpoint's)
    sequence: np.ndarray  # (N,) sequence name of each row

    def __len__(self) -> int:
        return len(self.iou)

    def subset(self, keep: np.ndarray) -> Records:
        return Records(self.features[keep], self.iou[keep], self.score[keep], self.quality[keep],
                       self.sequence[keep])

    @staticmethod
    def concat(parts: list[Records]) -> Records:
        return Records(*(np.concatenate([getattr(p, f) for p in parts]) for f in
                         ("features", "iou", "score", "quality", "sequence")))


@contextlib.contextmanager
def capture_head_inputs(model):
    """Yield a list that receives, per tracked frame, the (D,) input the quality head saw.

    A calibration in the checkpoint (mask_confidence.py) would stand in for the head; it is set
    aside meanwhile, so that the head runs on every frame.
    """
    captured: list[np.ndarray] = []
    calibration, model.quality_calibration = getattr(model, "quality_calibration", None), None

    def hook(_module, args, _output):
        out, rows, cols, mask_logits = args
        x = torch.cat([pick_rows(out.mask_corr, rows, cols).float(), pick_rows(out.score, rows, cols).float(),
                       mask_statistics(mask_logits)], dim=1)
        captured.extend(x.cpu().numpy().astype(np.float32))

    handle = model.quality_model.register_forward_hook(hook)
    try:
        yield captured
    finally:
        handle.remove()
        model.quality_calibration = calibration


def start_plan(n_frames: int, starts: int) -> list[tuple[int, int]]:
    """Return (start frame, step) runs: frame 0 forward, the last backward, and `starts` - 1
    inner frames both ways, so the runs begin on varied views of the object."""
    plan = [(0, 1), (n_frames - 1, -1)]
    for k in range(1, starts):
        inner = round(k * (n_frames - 1) / starts)
        plan += [(inner, 1), (inner, -1)]
    return [(s, d) for s, d in plan if 0 <= s + d < n_frames]


def track_run(model, config: TrackerConfig, frames: list[np.ndarray], gt: list[np.ndarray], start: int,
              step: int, name: str, on_frame=None, capture=capture_head_inputs) -> Records | None:
    """Track from the ground-truth box on frame `start` in direction `step`; None if the object is absent there.

    `capture(model)` is a context manager yielding the list that receives each frame's features.
    """
    if not gt[start].any():
        return None
    tracker = Tracker(model, config)
    tracker.init(frames[start], bbox_from_mask(gt[start]))
    ious, scores, qualities = [], [], []
    with capture(model) as captured:
        for index in range(start + step, -1 if step < 0 else len(frames), step):
            result = tracker.track(frames[index])
            ious.append(region_similarity(result.mask, gt[index]))
            scores.append(result.score)
            qualities.append(result.quality)
            if on_frame is not None:
                on_frame()
    return Records(np.stack(captured), np.array(ious), np.array(scores), np.array(qualities, dtype=np.float64),
                   np.array([name] * len(ious)))


def collect(model, data: Path, sequences: list[str], *, starts: int = 3, progress: bool = True,
            capture=capture_head_inputs) -> Records:
    """Return the records of every run over `sequences` (each must be a training sequence)."""
    leaked = sorted(set(sequences) & set(HELD_OUT))
    if leaked:
        raise ValueError(f"refusing to fit on held-out sequences: {', '.join(leaked)}")
    config = TrackerConfig.davis(device="cpu")
    clips = [davis.read_sequence(data, name) for name in sequences]
    total = sum(s if d < 0 else len(c) - 1 - s for c in clips for s, d in start_plan(len(c), starts))
    parts = []
    with tqdm(total=total, disable=not progress, unit="frame", desc="tracking") as bar:
        for clip in clips:
            bar.set_postfix_str(clip.name)
            ids = davis.load_ground_truth(clip)
            object_id = davis.object_ids(ids)[0]  # DAVIS 2016: one object per clip
            gt = [m == object_id if m is not None else None for m in ids]
            frames = [davis.load_frame(p) for p in clip.frame_paths]
            for start, step in start_plan(len(clip), starts):
                run = track_run(model, config, frames, gt, start, step, clip.name, bar.update, capture)
                if run is not None:
                    parts.append(run)
    return Records.concat(parts)


def standardized(head: nn.Module, mean: torch.Tensor, std: torch.Tensor) -> nn.Sequential:
    """Return a copy of the head's MLP acting on (x - mean) / std, computing the same function."""
    mlp = copy.deepcopy(head.mlp)
    first = mlp[0]
    with torch.no_grad():
        first.bias += first.weight @ mean
        first.weight *= std
    return mlp


def fold_into_head(mlp: nn.Sequential, head: nn.Module, mean: torch.Tensor, std: torch.Tensor) -> None:
    """Write a standardized MLP's weights into `head` so that it reads raw inputs (the inverse of standardized)."""
    state = {k: v.clone() for k, v in mlp.state_dict().items()}
    weight = state["0.weight"] / std
    state["0.bias"] = state["0.bias"] - weight @ mean
    state["0.weight"] = weight
    head.mlp.load_state_dict(state)


def fit_mlp(mlp: nn.Sequential, x: torch.Tensor, y: torch.Tensor, epochs: int, *, lr: float = 1e-3,
            weight_decay: float = 1e-3, batch: int = 256, seed: int = 0, eval_at=(), on_eval=None) -> list[float]:
    """Fit `mlp` (logit output) to IoU targets with BCE and Adam; return the mean loss of each epoch.

    `on_eval(epoch)` is called before training and after each epoch listed in `eval_at`.
    """
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.AdamW(mlp.parameters(), lr=lr, weight_decay=weight_decay)
    losses = []
    if on_eval is not None and 0 in eval_at:
        on_eval(0)
    for epoch in range(1, epochs + 1):
        mlp.train()
        total = 0.0
        for idx in torch.randperm(len(y), generator=generator).split(batch):
            loss = F.binary_cross_entropy_with_logits(mlp(x[idx]).squeeze(1), y[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(idx)
        losses.append(total / len(y))
        if on_eval is not None and epoch in eval_at:
            mlp.eval()
            on_eval(epoch)
    mlp.eval()
    return losses


def feature_scale(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    return x.mean(0), x.std(0).clamp(min=1e-4)


def predict(mlp: nn.Sequential, x: torch.Tensor) -> np.ndarray:
    with torch.no_grad():
        return torch.sigmoid(mlp(x).squeeze(1)).numpy()


def leave_one_sequence_out(head: nn.Module, records: Records, epoch_grid=EPOCH_GRID, *, seed: int = 0,
                           **fit_args) -> dict:
    """Return pooled and per-sequence held-out AUC / Spearman at each epoch count of `epoch_grid`."""
    x_all = torch.from_numpy(records.features)
    y_all = torch.from_numpy(records.iou.astype(np.float32))
    names = sorted(set(records.sequence.tolist()))
    held = {e: np.full(len(records), np.nan) for e in epoch_grid}
    per_sequence: dict[str, dict[int, float]] = {}
    for name in names:
        test = records.sequence == name
        for epoch, predicted in _held_out_predictions(head, x_all, y_all, test, epoch_grid, seed, fit_args).items():
            held[epoch][test] = predicted
        per_sequence[name] = {e: bad_frame_auc(held[e][test], records.iou[test]) for e in epoch_grid}
    pooled = {e: {"auc": bad_frame_auc(held[e], records.iou), "spearman": spearman(held[e], records.iou)}
              for e in epoch_grid}
    return {"pooled": pooled, "per_sequence": per_sequence}


def _held_out_predictions(head: nn.Module, x_all: torch.Tensor, y_all: torch.Tensor, test: np.ndarray,
                          epoch_grid, seed: int, fit_args: dict) -> dict[int, np.ndarray]:
    """Fit a copy of the head on the rows outside `test`; return its predictions on `test` per epoch count."""
    keep = torch.from_numpy(~test)
    x, y = x_all[keep], y_all[keep]
    mean, std = feature_scale(x)
    mlp = standardized(head, mean, std)
    x_test = (x_all[torch.from_numpy(test)] - mean) / std
    predictions: dict[int, np.ndarray] = {}
    fit_mlp(mlp, (x - mean) / std, y, max(epoch_grid), seed=seed, eval_at=epoch_grid,
            on_eval=lambda epoch: predictions.__setitem__(epoch, predict(mlp, x_test)), **fit_args)
    return predictions


def start_head(head: nn.Module, *, fresh: bool, drop_rows: bool, seed: int = 0) -> nn.Module:
    """Return a copy of `head` to fit from: its weights, or re-initialised ones (`fresh`).

    `drop_rows` zeroes the first layer's weights on the correlation ROW: with only 8 training
    sequences the 96-channel ROW mostly tells which sequence a frame comes from, so a head
    reading it learns each sequence's IoU level and does not carry over to unseen ones.
    The architecture stays; the ROW inputs are simply multiplied by zero.
    """
    head = copy.deepcopy(head)
    if fresh:
        torch.manual_seed(seed)
        for layer in head.mlp:
            if isinstance(layer, nn.Linear):
                layer.reset_parameters()
    if drop_rows:
        with torch.no_grad():
            head.mlp[0].weight[:, : row_channels(head)] = 0
    return head


def row_channels(head: nn.Module) -> int:
    return head.mlp[0].in_features - SCORE_AND_STATS


def without_rows(records: Records, channels: int) -> Records:
    """Return records whose ROW inputs are 0: standardized they stay 0, so zeroed weights get no gradient."""
    features = records.features.copy()
    features[:, :channels] = 0
    return Records(features, records.iou, records.score, records.quality, records.sequence)


def refit_head(model, records: Records, epochs: int, *, start: nn.Module | None = None, seed: int = 0,
               **fit_args) -> list[float]:
    """Refit `model.quality_model` in place on all records for `epochs` from `start` (default: itself)."""
    x = torch.from_numpy(records.features)
    mean, std = feature_scale(x)
    mlp = standardized(start if start is not None else model.quality_model, mean, std)
    losses = fit_mlp(mlp, (x - mean) / std, torch.from_numpy(records.iou.astype(np.float32)), epochs,
                     seed=seed, **fit_args)
    fold_into_head(mlp, model.quality_model, mean, std)
    return losses


def write_checkpoint(model, parent: Path, out: Path, extra_meta: dict) -> dict:
    """Save `model` with the parent's metadata plus `extra_meta` under "quality_refit"; return the metadata."""
    meta = checkpoint_meta(load_checkpoint_file(parent))
    state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    meta["source_checkpoint"] = str(parent)
    meta["quality_refit"] = {"parent_sha256": file_sha256(parent), **extra_meta}
    meta.pop("evaluation", None)  # measured on the parent's head; re-measure with tracking_worker.evaluate
    meta["state_dict_sha256"] = state_dict_sha256(state)
    out.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"state_dict": state, "meta": meta}, out)
    return meta


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tracking_worker.training.quality_fit",
                                     description="Refit the quality head on the tracker's own runs.")
    parser.add_argument("--data", type=Path, required=True, help="DAVIS-style dataset (flat or DAVIS layout)")
    parser.add_argument("--weights", type=Path, default=Path("weights/mobile.pth"))
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--sequences", nargs="+", default=list(TRAIN_SEQUENCES))
    parser.add_argument("--starts", type=int, default=3,
                        help="frame 0 forward, the last frame backward, and starts-1 inner frames both ways")
    parser.add_argument("--records", type=Path, default=None, help="cache the tracked records here (.npz)")
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--weight-decay", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--init", choices=("fresh", "parent"), default="fresh",
                        help="fit from re-initialised head weights (default) or from the parent's")
    parser.add_argument("--keep-rows", action="store_true",
                        help="let the head read the correlation ROW (default: its weights zeroed)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    model, _ = load_trained(args.weights, device="cpu")
    if getattr(model, "quality_model", None) is None:
        parser.error(f"{args.weights} has no quality head")
    if args.records is not None and args.records.is_file():
        records = Records(**dict(np.load(args.records)))
    else:
        records = collect(model, args.data, args.sequences, starts=args.starts, progress=not args.quiet)
        if args.records is not None:
            args.records.parent.mkdir(parents=True, exist_ok=True)
            np.savez(args.records, **vars(records))
    print(f"{len(records)} records, {int((records.iou < 0.5).sum())} with J < 0.5")
    parent = {"score_auc": bad_frame_auc(records.score, records.iou),
              "quality_auc": bad_frame_auc(records.quality, records.iou),
              "score_spearman": spearman(records.score, records.iou),
              "quality_spearman": spearman(records.quality, records.iou)}
    print("on the records, as tracked:", {k: round(v, 3) for k, v in parent.items()})
    fit_args = {"lr": args.lr, "weight_decay": args.weight_decay}
    head = start_head(model.quality_model, fresh=args.init == "fresh", drop_rows=not args.keep_rows,
                      seed=args.seed)
    fit_records = records if args.keep_rows else without_rows(records, row_channels(head))
    loso = leave_one_sequence_out(head, fit_records, seed=args.seed, **fit_args)
    for epoch, row in loso["pooled"].items():
        print(f"LOSO epochs={epoch:4d}: AUC {row['auc']:.3f}  Spearman {row['spearman']:.3f}")
    best = max(EPOCH_GRID, key=lambda e: loso["pooled"][e]["auc"])
    losses = refit_head(model, fit_records, best, start=head, seed=args.seed, **fit_args)
    meta = write_checkpoint(model, args.weights, args.out, {
        "command": " ".join(["python -m tracking_worker.training.quality_fit", *(argv or sys.argv[1:])]),
        "data": str(args.data), "records_file": str(args.records) if args.records else None, "sequences": sorted(set(records.sequence.tolist())), "starts": args.starts,
        "records": len(records), "bad_records": int((records.iou < 0.5).sum()),
        "init": args.init, "reads_rows": args.keep_rows, "epochs": best, "lr": args.lr, "weight_decay": args.weight_decay, "seed": args.seed,
        "loso_auc": loso["pooled"][best]["auc"], "loso_spearman": loso["pooled"][best]["spearman"],
        "loso_auc_by_epochs": {str(e): r["auc"] for e, r in loso["pooled"].items()},
        "loso_auc_by_sequence": {n: a[best] for n, a in loso["per_sequence"].items()},
        "records_as_tracked": parent, "final_loss": losses[-1] if losses else None,
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": f"{cpu_model()}, {os.cpu_count()} cores, {torch.get_num_threads()} threads",
    })
    print(f"epochs {best}: LOSO AUC {meta['quality_refit']['loso_auc']:.3f}; wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
