"""Build and load the trainable variants: "sharp" (ResNet-50), "light" and "mobile" (CPU).

    model = build_model("mobile", arch=None)       # untrained heads; the mobile trunk pretrained
    model, meta = load_trained("weights/mobile.pth")

Training checkpoints carry `meta` = {"variant", "arch", ...} next to `state_dict`; every
variant is built by `siammask.checkpoints.build_variant` and loaded as strictly as the
official checkpoints (`siammask.load_model`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import torch

from tracking_worker.siammask.checkpoints import VARIANTS, build_variant, checkpoint_meta, load_model
from tracking_worker.siammask.network import SiamMask

__all__ = ["VARIANTS", "build_model", "checkpoint_meta", "load_checkpoint_file", "load_trained"]


def build_model(variant: str, arch: Mapping | None = None) -> SiamMask:
    """Return an untrained model of `variant` in train mode (the mobile trunk ImageNet-pretrained)."""
    return build_variant(variant, arch, pretrained=True)


def load_checkpoint_file(path: str | os.PathLike) -> dict:
    """Return a checkpoint file's contents, read with weights_only=True.

    TorchVersion (a str subclass) is allowed because early runs stored `torch.__version__`
    itself in their metadata.
    """
    with torch.serialization.safe_globals([torch.torch_version.TorchVersion]):
        return torch.load(path, map_location="cpu", weights_only=True)


def load_trained(checkpoint: str | os.PathLike | Mapping, device: str | torch.device | None = None
                 ) -> tuple[SiamMask, dict]:
    """Return (model in eval mode, metadata) for a checkpoint of any variant."""
    if isinstance(checkpoint, (str, os.PathLike)):
        path = Path(checkpoint)
        if not path.is_file():
            raise FileNotFoundError(f"checkpoint not found: {path}")
        checkpoint = load_checkpoint_file(path)
    return load_model(checkpoint, device), checkpoint_meta(checkpoint)
