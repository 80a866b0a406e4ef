"""Mobile SiamMask: an ImageNet-pretrained MobileNetV2 trunk at output stride 8, with a quality head.

    model = mobile_siammask()                     # untrained heads on the pretrained trunk
    model = mobile_siammask(**checkpoint["meta"]["arch"], pretrained=False)   # to load a checkpoint

The trunk is MobileNetV2 features.0-13 with features.7-13 dilated (mobilenet_v2.py), fed raw
0-255 BGR like every variant and normalised inside. Its geometry is aligned with the tracker's
anchors: the input is padded by one pixel at the top and left, so stride-8 cell i is centred on
crop pixel 8i - 1 and the centre of a 255 search crop (pixel 127) and of a 127 template (pixel
63) each fall on a cell. The adjust layer fuses the stride-8 maps of features.6 (32 channels)
and features.13 (96) into `channels` (the "adjust layers" of SiamRPN++'s MobileNetV2 variant,
fused by a 1x1 convolution instead of three separate correlations) and keeps the template's 7x7
centre and the search map's 31x31 cells 1..31, so the depth-wise correlation gives the 25x25
map the tracker decodes, cell (r, c) centred on crop pixel 8c + 31 like the sharp model. The
refine module reads features.1 (stride 2), features.3 (stride 4) and features.6 (stride 8).
The quality head (quality.py) predicts the IoU of the chosen window's mask.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .mobilenet_v2 import IMAGENET_MEAN, IMAGENET_STD, MobileNetV2, load_pretrained
from .quality import QualityHead
from .refine import Refine, WindowGeometry
from .siammask import SiamMask
from .split_precision import LayerSequence, SplitPrecisionExtractor

MOBILE_ARCH: dict = {"channels": 128, "quality": True}
TAPS = (1, 3, 6, 13)  # features.N outputs used: strides 2, 4, 8, 8; widths 16, 24, 32, 96
TAP_CHANNELS = (16, 24, 32, 96)
# features.0-6 (the normalisation before them too) stay float32 in the fast precision:
# features.2's expansion conv gives values up to ~77 that its BatchNorm centres and scales by up
# to 26, which turns bfloat16's 0.4 % rounding into 8.5 % at its output. With features.0-2 in
# float32 the held-out DAVIS J fell by 0.012; with features.0-6 (up to the refine module's last
# tap) by 0.002 (docs/tracker.md).
FLOAT32_LAYERS = 7
# window of candidate (r, c) in each padded stage map: 64, 32 and 16 cells under its 127 crop px
MOBILE_WINDOWS = (WindowGeometry(16, 4, 64), WindowGeometry(8, 2, 32), WindowGeometry(4, 1, 16))


class MobileTrunk(LayerSequence, MobileNetV2):
    """features.0-13 of the dilated MobileNetV2; forward returns the four tapped stage outputs."""

    def __init__(self) -> None:
        super().__init__(output_stride=8, last=TAPS[-1])
        self.taps = TAPS
        self.register_buffer("mean", torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1) * 255, persistent=False)
        self.register_buffer("std", torch.tensor(IMAGENET_STD).view(1, 3, 1, 1) * 255, persistent=False)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
        return self.run(self.normalise(x), 0, len(self.features))[0]

    def normalise(self, x: torch.Tensor) -> torch.Tensor:
        x = (x.flip(1) - self.mean) / self.std  # BGR 0-255 -> normalised RGB
        return F.pad(x, (1, 0, 1, 0))  # zero = the mean colour after normalising; aligns cells

    def layer_sequence(self) -> list[nn.Module]:
        return list(self.features)  # run(x, start, stop) runs features.start..stop-1


class TrunkPrefix(nn.Module):
    """The normalisation and features.0..stop-1 of a trunk, for tracing: returns (*taps, last output)."""

    def __init__(self, trunk: MobileTrunk, stop: int) -> None:
        super().__init__()
        self.trunk, self.stop = trunk, stop

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
        taps, x = self.trunk.run(self.trunk.normalise(x), 0, self.stop)
        return (*taps, x)


class MobileAdjust(nn.Module):
    """1x1 conv + BN over the concatenated stride-8 maps; crops to the correlation's cells."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.downsample = nn.Sequential(
            nn.Conv2d(TAP_CHANNELS[2] + TAP_CHANNELS[3], channels, 1, bias=False), nn.BatchNorm2d(channels)
        )

    def forward(self, shallow: torch.Tensor, deep: torch.Tensor) -> torch.Tensor:
        x = self.downsample(torch.cat([shallow.to(deep.dtype), deep], dim=1))  # (fast: float32 + bf16)
        side = x.shape[-1]
        if side < 20:  # template (16 cells): the 7x7 centred on cell 8 (crop pixel 63)
            centre = side // 2
            return x[:, :, centre - 3 : centre + 4, centre - 3 : centre + 4]
        return x[:, :, 1:, 1:]  # search (32 cells): cells 1..31, centred on cell 16 (pixel 127)


class MobileFeatureExtractor(SplitPrecisionExtractor):
    """Drop-in for FeatureExtractor: forward returns (stages p0..p3, adjusted feature)."""

    float32_layers = FLOAT32_LAYERS

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.features = MobileTrunk()
        self.downsample = MobileAdjust(channels)
        self._frozen_trunk = None
        self._frozen_of = None  # what the graph was traced from (see freeze_trunk)
        self._frozen_upto = 0  # the graph runs features.0.._frozen_upto-1, the module the rest

    def freeze_trunk(self, upto: int | None = None) -> None:
        """Run the trunk as a frozen, inference-optimised graph (its weights will not change).

        TorchScript freezing folds each BatchNorm into its convolution and pre-packs the
        weights for oneDNN: about 3x faster on CPU here (docs/models.md). Used by training with
        a frozen trunk; the module's parameters stay as they are, so checkpoints are unchanged.
        `upto` freezes only features.0..upto-1 (a stage that trains the last trunk stages): the
        rest runs as the module and learns, taking the graph's output as its input.

        Every tracker calls this (one per propagation job) and tracing takes seconds, so a graph
        traced from these very tensors, unchanged since (same storage and in-place version:
        load_state_dict and optimiser steps bump it), is kept.
        """
        trunk = self.features
        stop = len(trunk.features) if upto is None else upto
        weight = next(trunk.parameters())
        traced_from = [stop, *((p.device, p.dtype, p.data_ptr(), p._version)
                               for p in trunk.features[:stop].parameters())]
        if self._frozen_trunk is not None and self._frozen_of == traced_from:
            return
        example = torch.zeros(1, 3, 127, 127, device=weight.device, dtype=weight.dtype)
        modes = {module: module.training for module in trunk.modules()}
        trunk.eval()  # freezing needs eval mode; a learning suffix gets its own mode back below
        try:
            with torch.no_grad():
                graph = torch.jit.optimize_for_inference(
                    torch.jit.freeze(torch.jit.trace(TrunkPrefix(trunk, stop).eval(), example)))
        finally:
            for module, training in modes.items():
                module.train(training)
        object.__setattr__(self, "_frozen_trunk", graph)  # not a submodule: not in state_dict
        object.__setattr__(self, "_frozen_of", traced_from)
        object.__setattr__(self, "_frozen_upto", stop)

    def unfreeze_trunk(self) -> None:
        """Run the trunk module itself again (before training it)."""
        object.__setattr__(self, "_frozen_trunk", None)

    def forward(self, x: torch.Tensor) -> tuple[tuple[torch.Tensor, ...], torch.Tensor]:
        if self._frozen_trunk is not None:
            with torch.no_grad():
                *stages, x = (t.clone() for t in self._frozen_trunk(x))
            more, _ = self.features.run(x, self._frozen_upto, len(self.features.features))
            stages = (*stages, *more)
        else:
            stages = self.features(x)
        return stages, self.downsample(stages[2], stages[3])


def mobile_arch(channels: int | None = None, quality: bool | None = None) -> dict:
    """Return the full architecture dict (defaults filled in) stored in checkpoint metadata."""
    return {
        "channels": int(channels or MOBILE_ARCH["channels"]),
        "quality": MOBILE_ARCH["quality"] if quality is None else bool(quality),
    }


def mobile_siammask(channels: int | None = None, quality: bool | None = None, *,
                    pretrained: bool = True, anchor_num: int = 5) -> SiamMask:
    """Return a mobile SiamMask; `pretrained` loads the ImageNet trunk (off when a checkpoint follows)."""
    arch = mobile_arch(channels, quality)
    features = MobileFeatureExtractor(arch["channels"])
    if pretrained:
        load_pretrained(features.features)
    refine = Refine(stage_channels=TAP_CHANNELS[:3], corr_channels=arch["channels"], hidden=(16, 32, 64),
                    windows=MOBILE_WINDOWS, mode="bilinear")
    head = QualityHead(arch["channels"], anchor_num) if arch["quality"] else None
    return SiamMask(anchor_num, features=features, channels=arch["channels"], refine=refine, quality=head)
