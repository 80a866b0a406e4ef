"""Fine-tune a trained checkpoint on a project's accepted tracks; compare it with its parent.

    spec = FinetuneSpec(parent=Path("weights/mobile.pth"), train_root=data, train_sequences=["a", "b"],
                        heldout_root=data, heldout_sequences=["c"], run_dir=Path("runs/ft"))
    while not train_slice(spec, max_seconds=60): ...     # resumable slices, same result as one run
    promote, why = decide(evaluate_models(spec))

The data are DAVIS-layout folders whose masks exist only on trusted (manual or corrected)
frames. The recipe is the parent's own (its metadata's `recipe`: loss weights, augmentation,
the parts its stages trained), as one short stage from the parent's weights at a tenth of its
learning rate, on real pairs of the training videos plus cut-and-paste pairs of their objects
onto their own frames. docs/models.md, "Fine-tuning on a project's accepted tracks", has the
promotion rule and the measurements behind the defaults.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime, timezone
from pathlib import Path

import torch
import yaml

from tracking_worker.evaluation import davis
from tracking_worker.siammask.checkpoints import file_sha256
from tracking_worker.siammask.mask_confidence import QualityCalibration

from .config import StageConfig, TrainConfig, parse_config
from .export import evaluate_model, state_dict_sha256
from .models import checkpoint_meta, load_checkpoint_file, load_trained
from .readers import object_masks
from .train import CHECKPOINT, MODEL, StepInfo, train

__all__ = ["DEFAULT_BATCH_SIZE", "DEFAULT_STEPS", "PROMOTION_MARGIN", "TRAINABLE_VARIANTS", "FinetuneSpec",
           "StepInfo", "check_parent", "decide", "evaluate_models", "train_slice", "write_model"]

# 50 x 8 pairs: 4.5-10.5 min of training on the shared 2-core CPU (docs/models.md, "Fine-tuning
# on a project's accepted tracks", where the measurements behind these numbers are)
DEFAULT_STEPS = 50
DEFAULT_BATCH_SIZE = 8
LR_SCALE = 0.1  # of the parent recipe's peak learning rate
# promote only when held-out J&F (mean of J and F over objects) rises by at least this much
PROMOTION_MARGIN = 0.01
TRAINABLE_VARIANTS = ("mobile", "light")
MIN_TRUSTED_FRAMES = 2  # masked training frames (object >= MIN_AREA px) needed to form pairs
MIN_AREA = 64  # VideoPairSource's smallest usable object
# real pairs vs cut-and-paste pairs when the parent's recipe used neither (e.g. synthetic only)
DEFAULT_SOURCE_WEIGHTS = {"davis": 0.5, "paste": 0.5}
DEFAULT_MAX_GAP = 25


@dataclass
class FinetuneSpec:
    """One fine-tuning job: the parent, the trusted data split by video, and the budget."""

    parent: Path  # a checkpoint of a trainable variant
    train_root: Path  # DAVIS layout; masks only on trusted (manual/corrected) frames
    train_sequences: list[str]
    heldout_root: Path  # DAVIS layout, same sparse masks
    heldout_sequences: list[str]
    run_dir: Path  # checkpoint.pth (resumable), model.pth, losses.csv
    steps: int = DEFAULT_STEPS
    batch_size: int = DEFAULT_BATCH_SIZE
    seed: int = 0
    device: str = "cpu"
    lr_scale: float = LR_SCALE


def check_parent(path: Path) -> dict:
    """Return the parent's metadata plus its file's "sha256"; ValueError unless it can be fine-tuned."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"parent checkpoint not found: {path}")
    meta = checkpoint_meta(load_checkpoint_file(path))
    variant = meta.get("variant", "sharp")  # official files carry no metadata: sharp
    if variant not in TRAINABLE_VARIANTS:
        raise ValueError(f"{path.name} is a {variant!r} model; only {', '.join(TRAINABLE_VARIANTS)} "
                         "models can be fine-tuned here")
    if not (meta.get("recipe") or {}).get("stages"):
        raise ValueError(f"{path.name} has no training recipe in its metadata, so it cannot be fine-tuned "
                         "with the losses and augmentation it was trained with")
    return {**meta, "sha256": file_sha256(path)}


def check_data(spec: FinetuneSpec) -> None:
    """Raise ValueError unless the training videos give pairs and the held-out ones can be scored."""
    if not spec.train_sequences or not spec.heldout_sequences:
        raise ValueError("fine-tuning needs at least one training video and one held-out video")
    shared = set(spec.train_sequences) & set(spec.heldout_sequences)
    if shared and Path(spec.train_root).resolve() == Path(spec.heldout_root).resolve():
        raise ValueError(f"videos both trained on and held out: {', '.join(sorted(shared))}")
    trusted = sum(_trusted_frames(spec.train_root, name) for name in spec.train_sequences)
    if trusted < MIN_TRUSTED_FRAMES:
        raise ValueError(f"too few trusted frames to form training pairs: {trusted} with a mask of at least "
                         f"{MIN_AREA} px in {len(spec.train_sequences)} training video(s), "
                         f"{MIN_TRUSTED_FRAMES} needed")
    if sum(_trusted_frames(spec.heldout_root, name) for name in spec.heldout_sequences) < 2:
        raise ValueError("the held-out videos need at least two trusted frames (one to start from, "
                         "one to score)")


def _trusted_frames(root: Path, name: str) -> int:
    try:
        seq = davis.read_sequence(root, name)
    except (FileNotFoundError, ValueError) as exc:
        raise ValueError(f"video {name!r} not found in {root}: {exc}") from exc
    return sum(1 for path in seq.mask_paths if path is not None
               and any(m.sum() >= MIN_AREA for m in object_masks(davis.read_id_png(path)).values()))


def finetune_config(spec: FinetuneSpec, parent_meta: dict) -> TrainConfig:
    """Return the one-stage training config of `spec` derived from the parent's recipe."""
    recipe = parent_meta["recipe"]
    stages = recipe["stages"]
    stage_keys = {f.name for f in fields(StageConfig)}
    base = {k: v for k, v in stages[0].items() if k in stage_keys}  # the parent's main stage
    lr = float(base.get("lr", StageConfig.lr)) * spec.lr_scale
    if "finetune" in parent_meta:  # a fine-tune of a fine-tune: scale the original rate, not the last one
        lr /= float(parent_meta["finetune"]["lr_scale"])
    stage = {
        **base, "name": "finetune", "steps": spec.steps, "batch_size": spec.batch_size,
        "lr": lr, "final_lr": lr / 10, "warmup_steps": min(20, spec.steps // 10), "warmup_start_lr": lr / 10,
        # what the parent's stages trained, together: a frozen trunk stays frozen
        "train": [] if any(not s.get("train") for s in stages) else sorted({p for s in stages for p in s["train"]}),
        "reset": [],
    }
    parent_sources = {s["type"]: s for s in recipe.get("data", {}).get("sources", [])}

    def source(kind: str, **extra) -> dict:
        known = parent_sources.get(kind, {})
        return {"type": kind, "root": str(spec.train_root), "sequences": list(spec.train_sequences),
                "weight": float(known.get("weight", DEFAULT_SOURCE_WEIGHTS[kind])),
                "max_gap": int(known.get("max_gap", DEFAULT_MAX_GAP)), **extra}

    # backgrounds for pasting: every frame of the training videos, trusted or not
    frame_dirs = [str(davis.read_sequence(spec.train_root, n).frame_paths[0].parent) for n in spec.train_sequences]
    data = recipe.get("data", {})
    raw = {
        "variant": parent_meta["variant"], "seed": spec.seed, "arch": parent_meta.get("arch") or {},
        "loss": recipe.get("loss_weights") or {}, "init": str(spec.parent),
        "data": {"sources": [source("davis"), source("paste", backgrounds=frame_dirs)],
                 "negative_prob": float(data.get("negative_prob", 0.0)), "augment": data.get("augment", {})},
        "stages": [stage], "checkpoint_every": 25, "log_every": 5, "num_workers": 0,
        "threads": torch.get_num_threads(),
    }
    return parse_config(yaml.safe_dump(raw, sort_keys=True))


def train_slice(spec: FinetuneSpec, *, max_seconds: float | None = None,
                on_step: Callable[[StepInfo], bool | None] | None = None, progress: bool = False,
                on_checkpoint: Callable[[Path, int], None] | None = None) -> bool:
    """Train from run_dir's checkpoint (resume) or the parent until done, out of time or told to stop.

    Always checkpoints before returning. Returns True when all steps are done and
    run_dir/model.pth is written; False when stopped early (call again to continue: the
    samples are those of an uninterrupted run). `on_checkpoint(path, step)` is told of each
    checkpoint written (train()).
    """
    check_data(spec)
    cfg = finetune_config(spec, check_parent(spec.parent))
    checkpoint = Path(spec.run_dir) / CHECKPOINT
    result = train(cfg, run_dir=Path(spec.run_dir), resume=checkpoint if checkpoint.is_file() else None,
                   progress=progress, device=spec.device, max_seconds=max_seconds, on_step=on_step,
                   on_checkpoint=on_checkpoint)
    return result.complete


def evaluate_models(spec: FinetuneSpec, *, progress: bool = False) -> dict:
    """Return {"old": summary, "new": summary}: the parent and run_dir/model.pth on the held-out videos.

    The new model is judged with the parent's quality calibration, which write_model gives it.
    """
    model_path = Path(spec.run_dir) / MODEL
    if not model_path.is_file():
        raise ValueError(f"{model_path} does not exist yet: finish training first")
    calibration = checkpoint_meta(load_checkpoint_file(spec.parent)).get("quality_calibration")
    return {"old": evaluate_checkpoint(spec, spec.parent, progress=progress),
            "new": evaluate_checkpoint(spec, model_path, progress=progress, calibration=calibration)}


def evaluate_checkpoint(spec: FinetuneSpec, path: Path, *, progress: bool = False,
                        calibration: dict | None = None) -> dict:
    """Return the held-out summary of one checkpoint (a run's checkpoint.pth included); `calibration`
    (a meta["quality_calibration"]) stands in for a checkpoint that has none of its own."""
    model, meta = load_trained(path, device=spec.device)
    if calibration is not None and "quality_calibration" not in meta:
        model.quality_calibration = QualityCalibration.from_meta(calibration)
    report = evaluate_model(model, spec.heldout_root, sequences=list(spec.heldout_sequences),
                            progress=progress, device=spec.device)
    per_sequence = {name: {"J": seq["J_mean"], "F": seq["F_mean"],
                           "n_frames": sum(o["frames"] for o in seq["objects"].values())}
                    for name, seq in report["sequences"].items()}
    return {"J": report["J_mean"], "F": report["F_mean"], "JF": report["JF_mean"],
            "quality_auc": report.get("quality_auc"), "score_auc": report.get("score_auc"),
            "n_sequences": report["n_sequences"], "n_frames": sum(s["n_frames"] for s in per_sequence.values()),
            "per_sequence": per_sequence}


def decide(evaluation: dict, margin: float = PROMOTION_MARGIN) -> tuple[bool, str]:
    """Return (promote?, why): promote only when held-out J&F rose by at least `margin`."""
    old, new = evaluation["old"], evaluation["new"]
    videos = f"{new['n_sequences']} held-out video{'s' if new['n_sequences'] != 1 else ''}"
    if not new["n_frames"] or old["JF"] is None or new["JF"] is None:
        return False, f"no scored frames on {videos}: nothing shows the new model is better"
    gain = round(new["JF"] - old["JF"], 6)  # rounding: 0.412 -> 0.422 is a gain of 0.010
    head = f"J&F {old['JF']:.3f} -> {new['JF']:.3f} on {videos} ({new['n_frames']} frames)"
    if gain >= margin:
        return True, f"{head}: better by {gain:.3f} >= {margin:.3f}"
    return False, f"{head}: not better by >= {margin:.3f}"


def write_model(spec: FinetuneSpec, out: Path, *, evaluation: dict, lineage: dict) -> dict:
    """Write the fine-tuned checkpoint (weights + metadata with lineage and evaluation); return its meta."""
    checkpoint = load_checkpoint_file(Path(spec.run_dir) / MODEL)
    parent = check_parent(spec.parent)
    meta = {k: (str(v) if isinstance(v, str) else v) for k, v in checkpoint_meta(checkpoint).items()}
    if (meta.get("variant"), meta.get("arch")) != (parent["variant"], parent.get("arch")):
        raise ValueError(f"{spec.run_dir / MODEL} is not a fine-tune of {spec.parent}")
    state = {k: v.detach().cpu().contiguous() for k, v in checkpoint["state_dict"].items()}
    if "quality_calibration" in parent:  # its features are the mask's own statistics: the child keeps them
        meta.setdefault("quality_calibration", parent["quality_calibration"])
    meta.update(
        lineage=dict(lineage), evaluation=evaluation, parent_sha256=parent["sha256"],
        finetune={"train_sequences": list(spec.train_sequences), "heldout_sequences": list(spec.heldout_sequences),
                  "steps": spec.steps, "batch_size": spec.batch_size, "seed": spec.seed, "lr_scale": spec.lr_scale},
        state_dict_sha256=state_dict_sha256(state),
    )
    json.dumps(meta)  # plain values only: the file must load with weights_only=True
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    torch.save({"state_dict": state, "meta": meta}, tmp)
    tmp.replace(out)
    return meta


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tracking_worker.training.finetune",
                                     description="Fine-tune a checkpoint on some videos, compare it with its "
                                                 "parent on others.")
    parser.add_argument("--parent", type=Path, required=True)
    parser.add_argument("--data", type=Path, required=True, help="DAVIS or flat layout; masks = trusted frames")
    parser.add_argument("--train-seqs", nargs="+", required=True)
    parser.add_argument("--heldout-seqs", nargs="+", required=True)
    parser.add_argument("--run-dir", type=Path, required=True, help="resumes its checkpoint.pth when present")
    parser.add_argument("--steps", type=int, default=DEFAULT_STEPS)
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
    parser.add_argument("--lr-scale", type=float, default=LR_SCALE)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--out", type=Path, default=None, help="also write the fine-tuned checkpoint here")
    parser.add_argument("--eval-every", type=int, default=0,
                        help="also score the run's checkpoint on the held-out videos every N steps")
    args = parser.parse_args(argv)
    spec = FinetuneSpec(args.parent, args.data, args.train_seqs, args.data, args.heldout_seqs, args.run_dir,
                        steps=args.steps, batch_size=args.batch_size, seed=args.seed, device=args.device,
                        lr_scale=args.lr_scale)
    stop_at_eval = None if args.eval_every <= 0 else (lambda info: info.step % args.eval_every != 0)
    while not train_slice(spec, on_step=stop_at_eval, progress=True):
        print(f"step {_steps_done(spec)}: {_line(evaluate_checkpoint(spec, spec.run_dir / CHECKPOINT))}")
    evaluation = evaluate_models(spec, progress=True)
    promote, why = decide(evaluation)
    (spec.run_dir / "evaluation.json").write_text(json.dumps(evaluation, indent=2))
    for name in ("old", "new"):
        print(f"{name}: {_line(evaluation[name])}")
    print(("promote: " if promote else "keep the parent: ") + why)
    if args.out is not None:
        lineage = {"parent": str(args.parent), "data": str(args.data), "train_sequences": args.train_seqs,
                   "steps": args.steps, "date": datetime.now(timezone.utc).isoformat(timespec="seconds")}
        write_model(spec, args.out, evaluation=evaluation, lineage=lineage)
        print(f"wrote {args.out}")
    return 0


def _steps_done(spec: FinetuneSpec) -> int:
    return int(load_checkpoint_file(Path(spec.run_dir) / CHECKPOINT)["step"])


def _line(summary: dict) -> str:
    per = ", ".join(f"{seq} J {v['J']:.3f} F {v['F']:.3f}" for seq, v in summary["per_sequence"].items())
    return (f"J {summary['J']:.3f} F {summary['F']:.3f} J&F {summary['JF']:.3f} "
            f"quality AUC {_fmt(summary['quality_auc'])} score AUC {_fmt(summary['score_auc'])} ({per})")


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


if __name__ == "__main__":
    sys.exit(main())
