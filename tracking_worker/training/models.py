"""Build and load the two trainable variants: "sharp" (ResNet-50) and "light" (CPU).

    model = build_model("light", arch=None)        # untrained; arch None = LIGHT_ARCH
    model, meta = load_trained("weights/starter.pth")

Training checkpoints carry `meta` = {"variant", "arch", ...} next to `state_dict`. Sharp
checkpoints (ours or the official ones) go through `siammask.load_model`; light ones are built
from `meta["arch"]` and checked as strictly (`siammask.checkpoints.check_state_dict`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import torch

from tracking_worker.siammask.checkpoints import (
    check_state_dict,
    extract_state_dict,
    load_model,
    resolve_device,
)
from tracking_worker.siammask.network import SiamMask
from tracking_worker.siammask.network.light_backbone import light_arch, light_siammask

VARIANTS = ("sharp", "light")


def build_model(variant: str, arch: Mapping | None = None) -> SiamMask:
    """Return an untrained model of `variant` in train mode."""
    if variant == "sharp":
        return SiamMask()
    if variant == "light":
        return light_siammask(**light_arch(**(arch or {})))
    raise ValueError(f"unknown variant {variant!r}; choose from {VARIANTS}")


def checkpoint_meta(checkpoint: Mapping) -> dict:
    """Return the checkpoint's metadata dict ({} for official or bare state dicts)."""
    meta = checkpoint.get("meta") if isinstance(checkpoint, Mapping) else None
    return dict(meta) if isinstance(meta, Mapping) else {}


def load_checkpoint_file(path: str | os.PathLike) -> dict:
    """Return a checkpoint file's contents, read with weights_only=True.

    TorchVersion (a str subclass) is allowed because early runs stored `torch.__version__`
    itself in their metadata.
    """
    with torch.serialization.safe_globals([torch.torch_version.TorchVersion]):
        return torch.load(path, map_location="cpu", weights_only=True)


def load_trained(checkpoint: str | os.PathLike | Mapping, device: str | torch.device | None = None
                 ) -> tuple[SiamMask, dict]:
    """Return (model in eval mode, metadata) for a sharp or light checkpoint."""
    if isinstance(checkpoint, (str, os.PathLike)):
        path = Path(checkpoint)
        if not path.is_file():
            raise FileNotFoundError(f"checkpoint not found: {path}")
        checkpoint = load_checkpoint_file(path)
    meta = checkpoint_meta(checkpoint)
    if meta.get("variant", "sharp") == "sharp":
        return load_model(checkpoint, device), meta
    state = extract_state_dict(checkpoint)
    model = build_model(meta["variant"], meta.get("arch"))
    check_state_dict(model, state)
    model.load_state_dict(state, strict=False)  # only num_batches_tracked may be absent
    return model.to(resolve_device(device)).eval(), meta
