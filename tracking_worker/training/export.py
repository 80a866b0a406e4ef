"""Turn a trained model into a release checkpoint: measure J/F, embed them, keep it small.

    python -m tracking_worker.training.export --model runs/light_synthetic/model.pth \
        --out weights/starter.pth --eval-data /tmp/synth_eval

The output holds `state_dict` and `meta` (variant, arch, config sha256, training recipe,
steps, training time, and the J/F measured here with the evaluation protocol of
docs/evaluation.md on `--eval-data`). The evaluation runs the same `Tracker` the product uses.
A run stopped before its last step is exported from its checkpoint.pth: the steps and seconds
it did are taken from there and `stopped_early` is set.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import torch

from tracking_worker.evaluation.report import format_table, summarize
from tracking_worker.evaluation.run import evaluate_tracker
from tracking_worker.siammask import Tracker, TrackerConfig
from tracking_worker.siammask.checkpoints import check_state_dict, extract_state_dict
from tracking_worker.siammask.network.light_backbone import light_arch

from .models import build_model, checkpoint_meta, load_checkpoint_file, load_trained

MAX_BYTES = 20 * 1024 * 1024


def evaluate_model(model, data_dir: Path, *, sequences: list[str] | None = None, progress: bool = True,
                   device: str = "cpu") -> dict:
    """Return the evaluation report (docs/evaluation.md) of `model` on a dataset, DAVIS config."""
    config = TrackerConfig.davis(device=device)
    return summarize(evaluate_tracker(data_dir, lambda: Tracker(model, config), sequences=sequences,
                                      progress=progress))


def evaluation_meta(report: dict, data_dir: Path) -> dict:
    """Return the checkpoint's meta["evaluation"] from an evaluation report of evaluate_model."""
    return {
        "data": str(data_dir), "sequences": sorted(report.get("sequences", {})),
        "score_auc": report.get("score_auc"), "quality_auc": report.get("quality_auc"),
        "quality_spearman": report.get("quality_spearman"),
        "J_mean": report["J_mean"], "F_mean": report["F_mean"], "JF_mean": report["JF_mean"],
        "J_recall": report["J_recall"], "F_recall": report["F_recall"],
        "box_iou": report["box_iou"], "fps": report["fps"],
        "n_sequences": report["n_sequences"], "protocol": "docs/evaluation.md, TrackerConfig.davis()",
    }


def state_dict_sha256(state: dict[str, torch.Tensor]) -> str:
    """Return the sha256 of a CPU state dict's names and bytes, in name order."""
    return hashlib.sha256(b"".join(k.encode() + v.numpy().tobytes() for k, v in sorted(state.items()))).hexdigest()


def without_refine_module(model_path: Path):
    """Return (light model with arch refine="upsample", meta) from a light checkpoint's weights.

    The refine module's weights are dropped; the mask head's 63x63 window masks, resized to
    127x127, take its place (the paper's base SiamMask).
    """
    checkpoint = load_checkpoint_file(model_path)
    meta = checkpoint_meta(checkpoint)
    if meta.get("variant") != "light":
        raise ValueError("--drop-refine applies to light checkpoints only")
    meta["arch"] = light_arch(**{**meta.get("arch", {}), "refine": "upsample"})
    state = {k: v for k, v in extract_state_dict(checkpoint).items() if not k.startswith("refine_model.")}
    model = build_model("light", meta["arch"])
    check_state_dict(model, state)
    model.load_state_dict(state, strict=False)
    meta["refine_dropped"] = True
    return model.eval(), meta


def export(model_path: Path, out: Path, eval_data: Path | None, *, progress: bool = True,
           drop_refine: bool = False, eval_sequences: list[str] | None = None) -> dict:
    """Write the release checkpoint; return its metadata."""
    if drop_refine:
        model, meta = without_refine_module(model_path)
    else:
        model, meta = load_trained(model_path, device="cpu")
    meta = {k: (str(v) if isinstance(v, torch.torch_version.TorchVersion) else v) for k, v in meta.items()}
    meta["source_checkpoint"] = str(model_path)
    raw = load_checkpoint_file(model_path)
    if "step" in raw and "steps" not in meta:  # a run's checkpoint.pth: stopped before its last step
        meta.update(steps=raw["step"], train_seconds=round(raw["seconds"], 1), stopped_early=True)
    if eval_data is not None:
        report = evaluate_model(model, eval_data, sequences=eval_sequences, progress=progress)
        print(format_table(report))
        meta["evaluation"] = evaluation_meta(report, eval_data)
    state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    meta["state_dict_sha256"] = state_dict_sha256(state)
    out.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"state_dict": state, "meta": meta}, out)
    size = out.stat().st_size
    if size > MAX_BYTES:
        raise ValueError(f"{out} is {size / 1e6:.1f} MB, over the 20 MB limit")
    return meta


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tracking_worker.training.export",
                                     description="Evaluate a trained model and write a release checkpoint.")
    parser.add_argument("--model", type=Path, required=True, help="run's model.pth (or any checkpoint)")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--eval-data", type=Path, default=None, help="held-out clips (DAVIS or flat layout)")
    parser.add_argument("--eval-sequences", nargs="+", default=None,
                        help="only these sequences of --eval-data (e.g. the held-out split)")
    parser.add_argument("--drop-refine", action="store_true",
                        help="light only: replace the refine module by the upsampled mask head")
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads for the evaluation")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    meta = export(args.model, args.out, args.eval_data, progress=not args.quiet,
                  drop_refine=args.drop_refine, eval_sequences=args.eval_sequences)
    summary = {k: meta.get(k) for k in ("variant", "arch", "config_sha256", "steps", "train_seconds")}
    summary["evaluation"] = meta.get("evaluation")
    print(json.dumps(summary, indent=2))
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
