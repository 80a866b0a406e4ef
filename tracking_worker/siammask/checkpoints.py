"""Load SiamMask weights strictly, official checkpoints included.

    model = load_model("SiamMask_DAVIS.pth")          # or a state dict; device=None picks one
    digest = file_sha256("SiamMask_DAVIS.pth")

Accepted storage (official: utils/load_helper.py load_pretrain): a bare state dict or a dict
with a `state_dict` (or `model`) entry, keys optionally prefixed by `module.`. Unlike the
official non-strict load, anything else missing or unexpected raises
CheckpointMismatchError; only `num_batches_tracked` (absent from old PyTorch saves) is optional.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path

import torch

from .config import TrackerConfig
from .mask_confidence import QualityCalibration
from .network import SiamMask

_OPTIONAL_SUFFIX = "num_batches_tracked"


class CheckpointMismatchError(ValueError):
    """A checkpoint's keys or shapes do not match the model it claims to be."""

    def __init__(self, missing: list[str], unexpected: list[str], wrong_shape: list[str], *,
                 what: str = "the SiamMask model of its variant (sharp unless its metadata says otherwise)") -> None:
        self.missing, self.unexpected, self.wrong_shape = missing, unexpected, wrong_shape
        parts = [f"checkpoint does not match {what}"]
        for title, names in (
            ("missing keys", missing),
            ("unexpected keys", unexpected),
            ("shape mismatches", wrong_shape),
        ):
            if names:
                shown = ", ".join(names[:20]) + (f", ... ({len(names)} in all)" if len(names) > 20 else "")
                parts.append(f"{title} ({len(names)}): {shown}")
        super().__init__("; ".join(parts))


def resolve_device(device: str | torch.device | None) -> torch.device:
    """Return `device`, or cuda when available and cpu otherwise."""
    if device is None:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


def file_sha256(path: str | os.PathLike, chunk_size: int = 1 << 20) -> str:
    """Return the hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def extract_state_dict(checkpoint: Mapping) -> dict[str, torch.Tensor]:
    """Unwrap `state_dict` / `model` entries and strip `module.` prefixes."""
    if not isinstance(checkpoint, Mapping):
        raise TypeError(f"expected a state dict or a checkpoint dict, got {type(checkpoint).__name__}")
    for wrapper in ("state_dict", "model"):
        if isinstance(checkpoint.get(wrapper), Mapping):
            checkpoint = checkpoint[wrapper]
            break
    # official: remove_prefix(state_dict, 'module.') for DataParallel saves
    return {
        (key[len("module.") :] if key.startswith("module.") else key): value
        for key, value in checkpoint.items()
    }


def check_state_dict(model: torch.nn.Module, state: Mapping[str, torch.Tensor]) -> None:
    """Raise CheckpointMismatchError unless `state` fits `model` (num_batches_tracked optional)."""
    expected = model.state_dict()
    missing = [k for k in expected if k not in state and not k.endswith(_OPTIONAL_SUFFIX)]
    unexpected = [k for k in state if k not in expected]
    wrong_shape = [
        f"{k} {tuple(state[k].shape)} != {tuple(v.shape)}"
        for k, v in expected.items()
        if k in state and tuple(getattr(state[k], "shape", ())) != tuple(v.shape)
    ]
    if missing or unexpected or wrong_shape:
        raise CheckpointMismatchError(missing, unexpected, wrong_shape)


VARIANTS = ("sharp", "light", "mobile")


def build_variant(variant: str, arch: Mapping | None = None, *, pretrained: bool = False) -> SiamMask:
    """Return an untrained model of `variant` ("sharp", "light" or "mobile") with `arch` filled in.

    `pretrained` loads the mobile variant's ImageNet trunk (ignored by the others: the sharp
    trunk's pretrained weights are an official checkpoint, the light one has none).
    """
    arch = dict(arch or {})
    if variant == "sharp":
        return SiamMask()
    if variant == "light":
        from .network.light_backbone import light_arch, light_siammask

        return light_siammask(**light_arch(**arch))
    if variant == "mobile":
        from .network.mobile import mobile_arch, mobile_siammask

        return mobile_siammask(**mobile_arch(**arch), pretrained=pretrained)
    raise ValueError(f"unknown model variant {variant!r}; choose from {', '.join(VARIANTS)}")


def checkpoint_meta(checkpoint: Mapping) -> dict:
    """Return a checkpoint's metadata dict ({} for official or bare state dicts)."""
    meta = checkpoint.get("meta") if isinstance(checkpoint, Mapping) else None
    return dict(meta) if isinstance(meta, Mapping) else {}


def tracker_overrides(checkpoint: Mapping) -> dict:
    """Return the TrackerConfig fields tuned for this checkpoint (meta["tracker"]; {} if none).

    Raises ValueError when they are not a valid override (TrackerConfig.with_overrides).
    """
    overrides = checkpoint_meta(checkpoint).get("tracker") or {}
    TrackerConfig.davis().with_overrides(overrides)  # validate now, not at the first track
    return dict(overrides)


OFFICIAL_CONFIGS = {"davis": TrackerConfig.davis, "vot": TrackerConfig.vot}


def tracker_config(checkpoint: Mapping, config: str | None = None) -> TrackerConfig:
    """Return the config to track with: official `config` ("davis", "vot") as it is, or for None
    the checkpoint's own, TrackerConfig.davis() with its tuned fields applied."""
    if config is not None:
        if config not in OFFICIAL_CONFIGS:
            raise ValueError(f"unknown tracker config {config!r}; choose from {sorted(OFFICIAL_CONFIGS)}")
        return OFFICIAL_CONFIGS[config]()
    return TrackerConfig.davis().with_overrides(tracker_overrides(checkpoint))


def read_checkpoint(path: str | os.PathLike, *, weights_only: bool = True) -> dict:
    """Return a checkpoint file's contents (state dict and, for ours, "meta"), loaded on the CPU."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"checkpoint not found: {path}")
    try:
        return torch.load(path, map_location="cpu", weights_only=weights_only)
    except Exception as exc:  # torch raises UnpicklingError or RuntimeError here
        hint = " (if the file is trusted, retry with weights_only=False)" if weights_only else ""
        raise ValueError(f"cannot read checkpoint {path}: {exc}{hint}") from exc


def build_model(checkpoint: Mapping) -> SiamMask:
    """Return an untrained model of the checkpoint's variant.

    Official checkpoints carry no metadata and are the sharp model; checkpoints written by our
    training code say their variant (and its architecture) under "meta".
    """
    meta = checkpoint_meta(checkpoint)
    return build_variant(meta.get("variant", "sharp"), meta.get("arch"))


def load_model(
    checkpoint: str | os.PathLike | Mapping,
    device: str | torch.device | None = None,
    *,
    weights_only: bool = True,
) -> SiamMask:
    """Return a SiamMask in eval mode with the checkpoint's weights, on `device`.

    Args:
        checkpoint: a file path, or an already loaded (state) dict.
        device: None picks cuda when available, else cpu.
        weights_only: passed to torch.load; set False only for trusted files that pickle
            arbitrary Python objects.
    """
    if isinstance(checkpoint, (str, os.PathLike)):
        checkpoint = read_checkpoint(checkpoint, weights_only=weights_only)
    state = extract_state_dict(checkpoint)
    model = build_model(checkpoint)
    check_state_dict(model, state)
    # strict=False only because num_batches_tracked may be absent; everything else was checked
    model.load_state_dict(state, strict=False)
    calibration = checkpoint_meta(checkpoint).get("quality_calibration")
    # plain attribute, not state: the tracker reads it (mask_confidence.py); None keeps the quality head
    model.quality_calibration = None if calibration is None else QualityCalibration.from_meta(calibration)
    return model.to(resolve_device(device)).eval()
