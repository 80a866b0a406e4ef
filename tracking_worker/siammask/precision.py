"""The tracker's two precisions: `exact` (float32, the official numerics) and `fast`.

    model, dtype = model_for(model, torch.device("cpu"), "fast")   # a bfloat16 copy, or the model

Fast runs the network in bfloat16 on CPUs with native bfloat16 (AVX-512 BF16 or AMX: oneDNN
then uses their bfloat16 dot products, about 4x the float32 multiply rate on the machines in
docs/benchmarks.md) and in float16 on CUDA, with channels-last tensors so every convolution,
1x1 ones included, takes oneDNN's (or cuDNN's) blocked kernels. On a CPU without native
bfloat16 it stays float32 (emulated bfloat16 is slower than float32) but keeps channels-last,
which still sends the 1x1 convolutions to oneDNN; a warning says so once. Score decoding,
sigmoid, paste and boxes always run in float32 (tracker.py casts the network's outputs).
"""

from __future__ import annotations

import copy
import logging
import weakref
from functools import cache
from pathlib import Path

import torch
from torch import nn
from torch.nn.utils.fusion import fuse_conv_bn_eval

PRECISIONS = ("exact", "fast")

log = logging.getLogger(__name__)

# one converted copy per (model, device, dtype): jobs reuse a worker's cached model, and
# converting ResNet-50 each time would cost more than tracking a short clip
_copies: weakref.WeakKeyDictionary[nn.Module, dict] = weakref.WeakKeyDictionary()


@cache
def cpu_has_native_bf16() -> bool:
    """True when this CPU computes bfloat16 dot products natively (AVX-512 BF16 or AMX-BF16)."""
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        flags = ""
    native = " avx512_bf16" in flags or " amx_bf16" in flags
    return native and torch.backends.mkldnn.is_available()


@cache
def _warn_no_bf16() -> None:
    log.warning("precision 'fast': this CPU has no native bfloat16 (AVX-512 BF16 / AMX); "
                "running float32 with channels-last convolutions instead")


def fast_dtype(device: torch.device) -> torch.dtype:
    """The dtype `fast` runs in on `device`: float16 on CUDA, bfloat16 on capable CPUs, else float32."""
    if device.type == "cuda":
        return torch.float16
    if cpu_has_native_bf16():
        return torch.bfloat16
    _warn_no_bf16()
    return torch.float32


def check_precision(precision: str) -> None:
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, got {precision!r}")


class LowPrecisionTrunk(nn.Module):
    """Run a feature extractor in `dtype` (channels-last) and hand float32 features to the heads.

    The trunk is about 80 % of a frame's work and tolerates bfloat16; the correlation, the box
    and score heads, the mask head and refine stay float32, because their outputs pick the
    candidate and place the box, and small errors there compound from frame to frame. A trunk
    that must keep some layers in float32 converts itself (`to_low_precision(dtype)`, see
    network/split_precision.py: the mobile and light extractors) and takes float32 input; any
    other is converted whole.
    """

    def __init__(self, features: nn.Module, dtype: torch.dtype) -> None:
        super().__init__()
        convert = getattr(features, "to_low_precision", None)
        if convert is not None:
            convert(dtype)
            self.input_dtype = torch.float32
        else:
            features.to(dtype=dtype, memory_format=torch.channels_last)
            self.input_dtype = dtype
        self.inner = features

    def freeze_trunk(self) -> None:
        freeze = getattr(self.inner, "freeze_trunk", None)
        if freeze is not None:
            freeze()

    def forward(self, x: torch.Tensor) -> tuple[tuple[torch.Tensor, ...], torch.Tensor]:
        stages, feature = self.inner(x.to(dtype=self.input_dtype, memory_format=torch.channels_last))
        return tuple(t.float() for t in stages), feature.float()


def model_for(model: nn.Module, device: torch.device, precision: str) -> nn.Module:
    """Return the module to run: `model` itself for exact, a cached converted copy for fast."""
    check_precision(precision)
    model = model.to(device).eval()
    if precision == "exact":
        return model
    dtype = fast_dtype(device)
    per_model = _copies.setdefault(model, {})
    key = (str(device), dtype)
    if key not in per_model:
        fast = copy.deepcopy(model)
        unfreeze = getattr(fast.features, "unfreeze_trunk", None)
        if unfreeze is not None:
            unfreeze()  # a frozen graph of the float32 trunk; the tracker freezes the converted one
        fast.features = LowPrecisionTrunk(fold_batch_norms(fast.features), dtype)
        per_model[key] = fast.eval()
    return per_model[key]


def fold_batch_norms(module: nn.Module) -> nn.Module:
    """Fold each eval-mode BatchNorm into the convolution that feeds it, in place; return `module`.

    Pairs are found by name (`convN` then `bnN` in one module, as the ResNet blocks and stem
    are written) and by order (a Conv2d followed by a BatchNorm2d in a Sequential). The folded
    BatchNorm becomes an Identity: one pass over memory fewer per layer, same function.
    """
    for parent in module.modules():
        children = dict(parent.named_children())
        if isinstance(parent, nn.Sequential):
            names = list(children)
            pairs = [(a, b) for a, b in zip(names, names[1:])]
        else:
            pairs = [(name, "bn" + name[4:]) for name in children if name.startswith("conv")]
        for conv_name, bn_name in pairs:
            conv, bn = children.get(conv_name), children.get(bn_name)
            if isinstance(conv, nn.Conv2d) and isinstance(bn, nn.BatchNorm2d) and not bn.training:
                setattr(parent, conv_name, fuse_conv_bn_eval(conv, bn))
                setattr(parent, bn_name, nn.Identity())
                children[bn_name] = None  # never fold one BatchNorm twice
    return module
