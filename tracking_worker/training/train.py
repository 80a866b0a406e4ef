"""Train SiamMask (sharp or light) in stages, with checkpoints, resume and loss curves.

    cfg = load_config("tracking_worker/training/configs/light_synthetic.yaml")
    result = train(cfg, run_dir=Path("runs/light"), resume=None)
    result.model_path                      # runs/light/model.pth: state_dict + meta

The official recipe has two stages (SiamMask paper §4 and its released "sharp" models): first the
whole network with the mask head's 63x63 output (no refine module), then the refine module on
top, the rest frozen. A config lists its stages; each has its own SGD optimiser with warm-up
and cosine or log-spaced decay. Everything random comes from `cfg.seed` (model init, samples,
anchor sampling), and a resumed run continues with the very samples the first run would have
used next; `on_step` and `max_seconds` cut a run into such resumable slices (fine-tuning jobs).
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Callable
from datetime import datetime, timezone
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import DataLoader
from tqdm import tqdm

from tracking_worker.machine import cpu_model

from .config import StageConfig, TrainConfig
from .curves import plot_curves, write_csv
from .dataset import PairDataset
from .losses import SiamMaskLoss
from .models import build_model, load_checkpoint_file, load_trained

CHECKPOINT = "checkpoint.pth"
MODEL = "model.pth"
TERMS = ("total", "score", "box", "mask", "refine", "quality", "mask_iou")
SAMPLES_PER_STAGE = 10**9  # sample-index offset between stages
TRUNK = "features.features."  # parameter-name prefix of the pretrained trunk (backbone_lr_scale)


@dataclass
class TrainResult:
    run_dir: Path
    model_path: Path  # model.pth when complete, else checkpoint.pth
    step: int
    history: list[dict]
    complete: bool = True  # False: stopped early (stop_after, max_seconds, on_step); resume it


@dataclass
class StepInfo:
    """What `train`'s `on_step` callback is told after every optimiser step."""

    step: int  # steps done, all stages together
    total: int
    loss: float  # this step's total loss
    seconds: float  # training time so far, earlier (resumed) calls included
    seconds_left: float | None  # at this call's pace (None: unknown)


def learning_rate(stage: StageConfig, step: int) -> float:
    """Return the lr at `step` (0-based) of a stage: linear warm-up, then cosine or log decay."""
    if step < stage.warmup_steps:
        return stage.warmup_start_lr + (stage.lr - stage.warmup_start_lr) * step / stage.warmup_steps
    span = max(stage.steps - stage.warmup_steps - 1, 1)
    progress = min((step - stage.warmup_steps) / span, 1.0)
    if stage.schedule == "log":
        return float(math.exp(math.log(stage.lr) + progress * (math.log(stage.final_lr) - math.log(stage.lr))))
    return stage.final_lr + 0.5 * (stage.lr - stage.final_lr) * (1 + math.cos(math.pi * progress))


def reset_module(module: torch.nn.Module) -> None:
    """Re-initialise convolutions so activations keep their scale through ReLU chains.

    The refine module is ten convolutions deep without normalisation; with PyTorch's default
    initialisation its output barely depends on its input at the start, and it settles on the
    background prior (every pixel "no"). He initialisation (He et al., ICCV 2015), zero biases,
    keeps the signal alive so the mask loss can shape it.
    """
    for layer in module.modules():
        if isinstance(layer, torch.nn.Linear):
            layer.reset_parameters()
        elif isinstance(layer, (torch.nn.Conv2d, torch.nn.ConvTranspose2d)):
            torch.nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
            if layer.bias is not None:
                torch.nn.init.zeros_(layer.bias)


def trainable(name: str, stage: StageConfig) -> bool:
    return not stage.train or any(name.startswith(prefix) for prefix in stage.train)


def make_optimizer(model: torch.nn.Module, stage: StageConfig) -> torch.optim.Optimizer:
    """Return SGD (or Adam) over the stage's trainable parameters (trunk at lr * backbone_lr_scale)."""
    groups: dict[str, list] = {"backbone": [], "rest": []}
    for name, param in model.named_parameters():
        param.requires_grad_(trainable(name, stage))
        if param.requires_grad:
            groups["backbone" if name.startswith(TRUNK) else "rest"].append(param)
    params = [
        {"params": groups["backbone"], "lr_scale": stage.backbone_lr_scale},
        {"params": groups["rest"], "lr_scale": 1.0},
    ]
    params = [g for g in params if g["params"]]
    if stage.optimizer == "adam":
        return torch.optim.Adam(params, lr=stage.lr, weight_decay=stage.weight_decay)
    return torch.optim.SGD(params, lr=stage.lr, momentum=stage.momentum, weight_decay=stage.weight_decay)


def set_modes(model: torch.nn.Module, stage: StageConfig) -> None:
    """Train mode for learning parts; frozen parts (BatchNorm statistics included) stay in eval."""
    model.train()
    if stage.train:
        for name, module in model.named_modules():
            if name and not any(name.startswith(p) or p.startswith(name + ".") for p in stage.train):
                module.eval()
    if stage.freeze_trunk_bn:
        for name, module in model.named_modules():
            if name.startswith(TRUNK) and isinstance(module, torch.nn.modules.batchnorm._BatchNorm):
                module.eval()


def recipe(cfg: TrainConfig) -> dict:
    """Return the training recipe stored in checkpoint metadata."""
    return {
        "seed": cfg.seed,
        "loss_weights": asdict(cfg.loss),
        "data": cfg.data,
        "stages": [asdict(s) for s in cfg.stages],
        "init": cfg.init,
    }


def base_meta(cfg: TrainConfig) -> dict:
    return {
        "variant": cfg.variant,
        "arch": _arch(cfg),
        "config_sha256": cfg.sha256,
        "recipe": recipe(cfg),
        "torch": str(torch.__version__),
        "machine": f"{cpu_model()}, {os.cpu_count()} cores, {torch.get_num_threads()} threads",
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
        "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def _arch(cfg: TrainConfig) -> dict:
    if cfg.variant == "light":
        from tracking_worker.siammask.network.light_backbone import light_arch

        return light_arch(**cfg.arch)
    if cfg.variant == "mobile":
        from tracking_worker.siammask.network.mobile import mobile_arch

        return mobile_arch(**cfg.arch)
    return {}


def train(cfg: TrainConfig, *, run_dir: Path | None = None, resume: Path | None = None,
          progress: bool = True, device: str | None = None, dataset: PairDataset | None = None,
          stop_after: int | None = None, max_seconds: float | None = None,
          on_step: Callable[[StepInfo], bool | None] | None = None,
          on_checkpoint: Callable[[Path, int], None] | None = None) -> TrainResult:
    """Run (or resume) every stage of `cfg`; write checkpoints, curves and the final model.

    Args:
        dataset: replaces the one built from `cfg.data` (tests, custom sources).
        stop_after: stop once this many steps (in all) are done, checkpointing first, as if
            the run had been interrupted there; resume later with `resume`.
        max_seconds: stop the same way once this call has trained that long, after at least
            one step (a bounded slice of a long job).
        on_step: called after every optimiser step; returning False stops the same way
            (cancel, or yield to other work). Neither stops a run after its last step: it
            completes and writes model.pth.
        on_checkpoint: told (path, steps done) after each resumable checkpoint is written,
            e.g. to keep a copy elsewhere (a fine-tune's next slice may run on another host).
    """
    run_dir = Path(run_dir or cfg.run_dir or "runs/train")
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "config.yaml").write_text(cfg.source)
    torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    dev = torch.device(device or "cpu")

    model = build_model(cfg.variant, cfg.arch)
    if cfg.init:
        model.load_state_dict(load_trained(cfg.init)[0].state_dict())
    model.to(dev)
    state = {"step": 0, "stage": 0, "stage_step": 0, "history": [], "seconds": 0.0}
    optimizer_state = None
    if resume is not None:
        ckpt = load_checkpoint_file(resume)
        if ckpt["meta"].get("config_sha256") != cfg.sha256:
            print(f"warning: {resume} was written with another config")
        model.load_state_dict(ckpt["state_dict"])
        state = {k: ckpt[k] for k in state}
        optimizer_state = ckpt.get("optimizer")

    dataset = dataset if dataset is not None else PairDataset.from_config(cfg.data, cfg.seed)
    meta = base_meta(cfg)
    started = time.perf_counter() - state["seconds"]
    call_started, call_first_step = time.perf_counter(), state["step"]
    total_steps = sum(s.steps for s in cfg.stages)
    bar = tqdm(total=total_steps, initial=state["step"], disable=not progress, unit="step", dynamic_ncols=True)
    for stage_index in range(state["stage"], len(cfg.stages)):
        stage = cfg.stages[stage_index]
        loss_fn = SiamMaskLoss(cfg.loss, max_refine_windows=stage.max_refine_windows)
        first = state["stage_step"] if stage_index == state["stage"] else 0
        if first == 0:
            for name in stage.reset:
                reset_module(model.get_submodule(name))
        optimizer = make_optimizer(model, stage)
        if optimizer_state is not None and stage_index == state["stage"]:
            optimizer.load_state_dict(optimizer_state)
        optimizer_state = None
        offset = SAMPLES_PER_STAGE * stage_index
        loader = DataLoader(
            dataset, batch_size=stage.batch_size, num_workers=cfg.num_workers,
            sampler=range(offset + first * stage.batch_size, offset + stage.steps * stage.batch_size),
            persistent_workers=False, prefetch_factor=4 if cfg.num_workers else None,
        )
        set_modes(model, stage)
        _freeze_trunk_if_fixed(model)
        window: list[dict] = []
        for stage_step, batch in enumerate(loader, start=first):
            lr = learning_rate(stage, stage_step)
            for group in optimizer.param_groups:
                group["lr"] = lr * group["lr_scale"]
            batch = {k: v.to(dev) for k, v in batch.items()}
            generator = torch.Generator().manual_seed(cfg.seed * 1_000_003 + state["step"])
            terms = loss_fn(model, batch, refine=stage.refine, joint=stage.joint, generator=generator)
            optimizer.zero_grad(set_to_none=True)
            terms["total"].backward()
            if stage.clip_grad_norm > 0:
                torch.nn.utils.clip_grad_norm_(
                    [p for g in optimizer.param_groups for p in g["params"]], stage.clip_grad_norm)
            optimizer.step()
            state["step"] += 1
            state["stage"], state["stage_step"] = stage_index, stage_step + 1
            losses = {k: float(terms[k].detach()) for k in TERMS}
            window.append(losses)
            bar.update(1)
            if state["step"] % cfg.log_every == 0 or stage_step + 1 == stage.steps:
                row = {"step": state["step"], "stage": stage.name, "lr": lr,
                       "seconds": round(time.perf_counter() - started, 1)}
                row.update({k: float(np.nanmean([w[k] for w in window])) for k in TERMS})
                state["history"].append(row)
                window = []
                bar.set_postfix(stage=stage.name, total=f"{row['total']:.3f}", score=f"{row['score']:.3f}",
                                box=f"{row['box']:.3f}", mask=f"{row['mask']:.3f}")
            stopping = stop_after is not None and state["step"] >= stop_after
            if on_step is not None or max_seconds is not None:
                now = time.perf_counter()
                pace = (now - call_started) / (state["step"] - call_first_step)
                info = StepInfo(state["step"], total_steps, losses["total"], now - started,
                                pace * (total_steps - state["step"]))
                wants_more = on_step is None or on_step(info) is not False
                in_time = max_seconds is None or now - call_started < max_seconds
                stopping = stopping or (state["step"] < total_steps and not (wants_more and in_time))
            if state["step"] % cfg.checkpoint_every == 0 or stage_step + 1 == stage.steps or stopping:
                state["seconds"] = time.perf_counter() - started
                _save_checkpoint(run_dir, model, optimizer, state, meta)
                if on_checkpoint is not None:
                    on_checkpoint(run_dir / CHECKPOINT, state["step"])
            if stopping:
                bar.close()
                return TrainResult(run_dir, run_dir / CHECKPOINT, state["step"], state["history"], complete=False)
        state["stage"], state["stage_step"] = stage_index + 1, 0
        torch.save({"state_dict": model.state_dict(), "meta": {**meta, "steps": state["step"]}},
                   run_dir / f"stage_{stage.name}.pth")
    bar.close()
    state["seconds"] = time.perf_counter() - started
    model_path = run_dir / MODEL
    final_meta = {**meta, "steps": state["step"], "train_seconds": round(state["seconds"], 1),
                  "final_losses": state["history"][-1] if state["history"] else {}}
    torch.save({"state_dict": {k: v.cpu() for k, v in model.state_dict().items()}, "meta": final_meta},
               model_path)
    return TrainResult(run_dir, model_path, state["step"], state["history"])


def _freeze_trunk_if_fixed(model: torch.nn.Module) -> None:
    """Run the trunk layers this stage does not train as a frozen inference graph (mobile variant).

    The layers before the first one that learns run as the graph (about 3x faster than the
    module, docs/models.md), the rest as the module; a stage that trains all of it runs the module.
    """
    features = model.features
    if not hasattr(features, "freeze_trunk"):
        return
    layers = features.features.features
    learning = [i for i, layer in enumerate(layers) if any(p.requires_grad for p in layer.parameters())]
    if not learning:
        features.freeze_trunk()
    elif learning[0] == 0:
        features.unfreeze_trunk()
    else:
        features.freeze_trunk(upto=learning[0])


def _save_checkpoint(run_dir: Path, model, optimizer, state: dict, meta: dict) -> None:
    """Write the resumable checkpoint atomically, then the CSV and PNG curves."""
    payload = {"state_dict": model.state_dict(), "optimizer": optimizer.state_dict(), "meta": meta, **state}
    tmp = run_dir / (CHECKPOINT + ".tmp")
    torch.save(payload, tmp)
    tmp.replace(run_dir / CHECKPOINT)
    write_csv(run_dir / "losses.csv", state["history"])
    plot_curves(run_dir / "losses.png", state["history"])
