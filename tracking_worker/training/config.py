"""Training configuration: a YAML file read into explicit dataclasses.

    cfg = load_config("tracking_worker/training/configs/light_synthetic.yaml")
    cfg.stages[0].steps, cfg.loss.mask, cfg.sha256

See configs/*.yaml for commented examples; unknown keys are errors, so a typo cannot silently
fall back to a default.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields
from pathlib import Path

import yaml

from .losses import LossWeights


@dataclass(frozen=True)
class StageConfig:
    """One training stage: its length, optimiser and which parts learn."""

    name: str
    steps: int
    batch_size: int = 16
    lr: float = 0.01
    final_lr: float = 0.0005
    warmup_steps: int = 0
    warmup_start_lr: float = 0.001
    schedule: str = "cosine"  # "cosine" or "log" (log-spaced decay, the official SiamMask shape)
    optimizer: str = "sgd"  # "sgd" (the paper's) or "adam"
    momentum: float = 0.9
    weight_decay: float = 1e-4
    backbone_lr_scale: float = 1.0  # e.g. 0.1 when fine-tuning a pre-trained trunk
    # the trunk's BatchNorm layers keep their running statistics (eval mode) where the trunk
    # learns: a few hundred CPU steps of 16 pairs would re-estimate the ImageNet statistics
    # from a handful of training objects
    freeze_trunk_bn: bool = False
    refine: bool = False  # False: mask head (63x63) loss; True: refine (127x127) loss
    joint: bool = False  # both losses at once, gradients into everything that learns
    train: tuple[str, ...] = ()  # parameter-name prefixes that learn; () = everything
    reset: tuple[str, ...] = ()  # modules re-initialised when the stage starts (e.g. refine_model)
    max_refine_windows: int = 4
    clip_grad_norm: float = 10.0  # 0 disables; keeps the x32 mask term from blowing up early steps

    def __post_init__(self) -> None:
        if self.schedule not in ("cosine", "log"):
            raise ValueError(f"stage {self.name}: schedule must be cosine or log, got {self.schedule!r}")
        if self.optimizer not in ("sgd", "adam"):
            raise ValueError(f"stage {self.name}: optimizer must be sgd or adam, got {self.optimizer!r}")
        if self.steps < 1 or self.batch_size < 1:
            raise ValueError(f"stage {self.name}: steps and batch_size must be positive")


@dataclass(frozen=True)
class TrainConfig:
    variant: str
    stages: tuple[StageConfig, ...]
    data: dict
    seed: int = 0
    arch: dict = field(default_factory=dict)
    loss: LossWeights = field(default_factory=LossWeights)
    init: str | None = None  # optional starting weights (e.g. an official or earlier checkpoint)
    checkpoint_every: int = 100
    log_every: int = 10
    num_workers: int = 0
    threads: int = 2
    run_dir: str | None = None
    sha256: str = ""
    source: str = ""  # the YAML text, kept in checkpoints for provenance


def parse_config(text: str) -> TrainConfig:
    """Return the TrainConfig of a YAML document."""
    raw = yaml.safe_load(text) or {}
    known = {f.name for f in fields(TrainConfig)} - {"sha256", "source"}
    unknown = set(raw) - known
    if unknown:
        raise ValueError(f"unknown config keys: {', '.join(sorted(unknown))}")
    stage_keys = {f.name for f in fields(StageConfig)}
    stages = []
    for entry in raw.get("stages", []):
        bad = set(entry) - stage_keys
        if bad:
            raise ValueError(f"unknown stage keys: {', '.join(sorted(bad))}")
        entry = dict(entry)
        entry["train"] = tuple(entry.get("train", ()))
        entry["reset"] = tuple(entry.get("reset", ()))
        stages.append(StageConfig(**entry))
    if not stages:
        raise ValueError("a config needs at least one stage")
    if "sources" not in raw.get("data", {}):
        raise ValueError("the config's data section needs a list of sources")
    return TrainConfig(
        variant=raw.get("variant", "light"),
        stages=tuple(stages),
        data=raw["data"],
        seed=int(raw.get("seed", 0)),
        arch=dict(raw.get("arch") or {}),
        loss=LossWeights(**(raw.get("loss") or {})),
        init=raw.get("init"),
        checkpoint_every=int(raw.get("checkpoint_every", 100)),
        log_every=int(raw.get("log_every", 10)),
        num_workers=int(raw.get("num_workers", 0)),
        threads=int(raw.get("threads", 2)),
        run_dir=raw.get("run_dir"),
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        source=text,
    )


def load_config(path: str | Path) -> TrainConfig:
    """Read and parse a YAML training config."""
    return parse_config(Path(path).read_text())
