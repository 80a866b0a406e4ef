"""Light SiamMask for CPU workers: a narrow MobileNet-like trunk, same heads, same tracker.

    model = light_siammask()                      # untrained, default widths (LIGHT_ARCH)
    model = light_siammask(**checkpoint["meta"]["arch"])

The trunk keeps the sharp model's geometry so that the score/box/mask heads, the refine module
and the tracker run unchanged: a 255x255 search image gives stages of 125, 63, 31 and 31 pixels
(strides 2, 4, 8, 8) and a 127x127 template 61, 31, 15 and 15; the adjust layer crops template
maps narrower than 20 to their 7x7 centre exactly like the ResNet-50 one. What differs are the
channel counts: narrow stages, depth-wise separable blocks, and heads of `channels` (default 64
instead of 256) so that a frame costs a small fraction of the sharp model (measured in
bench/tracker_speed.py). Parameter names under `features`, `rpn_model`, `mask_model` and
`refine_model` mirror the sharp model's; only shapes differ.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .mask import MASK_SIDE, MaskHead
from .refine import Refine
from .siammask import SiamMask
from .split_precision import LayerSequence, SplitPrecisionExtractor

# widths of stage 0..3, adjusted feature channels (= head channels), blocks per stage 1..3
# refine: "module" = the sharp model's refine module (sized for the light trunk);
#         "upsample" = no refine module, the mask head's 63x63 window mask resized to 127x127
#         (the paper's base SiamMask; what the starter uses, see docs/models.md)
LIGHT_ARCH: dict = {
    "widths": [16, 32, 64, 128],
    "channels": 64,
    "blocks": [2, 3, 3],
    "refine": "module",
}
# The fast precision keeps the whole light extractor float32 (channels-last, folded BatchNorms only):
# on the held-out DAVIS sequences every bfloat16 suffix of LightTrunk.layer_sequence measured moved
# J by +0.011 to +0.023 (layer2 on: +0.011; only layer3.2 and the adjust layer: +0.013), past the
# 0.01 bar, and float32 fast by 0.000 (docs/tracker.md, "Device and precision")
LIGHT_FLOAT32_LAYERS = None


def _conv_bn(inplanes: int, outplanes: int, kernel: int, stride: int = 1, padding: int = 0,
             dilation: int = 1, groups: int = 1, relu: bool = True) -> nn.Sequential:
    layers: list[nn.Module] = [
        nn.Conv2d(inplanes, outplanes, kernel, stride=stride, padding=padding,
                  dilation=dilation, groups=groups, bias=False),
        nn.BatchNorm2d(outplanes),
    ]
    if relu:
        layers.append(nn.ReLU(inplace=True))
    return nn.Sequential(*layers)


class SeparableBlock(nn.Module):
    """Depth-wise 3x3 then point-wise 1x1 (MobileNet), with a residual when shapes allow.

    Strided blocks use padding 0 on the 3x3 like the sharp trunk, so 63 -> 31 and 31 -> 15.
    """

    def __init__(self, inplanes: int, outplanes: int, stride: int = 1, dilation: int = 1) -> None:
        super().__init__()
        padding = 0 if stride > 1 else dilation
        self.depthwise = _conv_bn(inplanes, inplanes, 3, stride, padding, dilation, groups=inplanes)
        self.pointwise = _conv_bn(inplanes, outplanes, 1, relu=False)
        self.residual = stride == 1 and inplanes == outplanes
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.pointwise(self.depthwise(x))
        return self.relu(out + x if self.residual else out)


class LightTrunk(LayerSequence, nn.Module):
    """Stem + three stages; forward returns the four stage outputs like ResNetTrunk."""

    def __init__(self, widths: list[int], blocks: list[int]) -> None:
        super().__init__()
        c0, c1, c2, c3 = widths
        # same geometry as the sharp conv1 (7x7, stride 2, padding 0) and max-pool
        self.stem = _conv_bn(3, c0, 7, stride=2)
        self.maxpool = nn.MaxPool2d(3, stride=2, padding=1)
        self.layer1 = nn.Sequential(
            SeparableBlock(c0, c1), *(SeparableBlock(c1, c1) for _ in range(blocks[0] - 1))
        )
        self.layer2 = nn.Sequential(
            SeparableBlock(c1, c2, stride=2), *(SeparableBlock(c2, c2) for _ in range(blocks[1] - 1))
        )
        # no stride, dilation 2 after the first block, as the sharp layer3
        self.layer3 = nn.Sequential(
            SeparableBlock(c2, c3), *(SeparableBlock(c3, c3, dilation=2) for _ in range(blocks[2] - 1))
        )
        # layer_sequence indices of the stage outputs: stem, then the last block of layers 1-3
        self.taps = (0, 1 + blocks[0], 1 + blocks[0] + blocks[1], 1 + sum(blocks[:3]))

    def layer_sequence(self) -> list[nn.Module]:
        return [self.stem, self.maxpool, *self.layer1, *self.layer2, *self.layer3]

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
        return self.run(x / 255.0)[0]  # raw 0-255 BGR in, like the sharp model; scaled here


class LightAdjust(nn.Module):
    """1x1 conv + BN to the head width; template maps keep their 7x7 centre."""

    def __init__(self, inplanes: int, outplanes: int) -> None:
        super().__init__()
        self.downsample = _conv_bn(inplanes, outplanes, 1, relu=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.downsample(x)
        if x.shape[-1] < 20:
            x = x[:, :, 4:-4, 4:-4]
        return x


class LightFeatureExtractor(SplitPrecisionExtractor):
    """Drop-in for FeatureExtractor: forward returns (stages p0..p3, adjusted feature)."""

    float32_layers = LIGHT_FLOAT32_LAYERS

    def __init__(self, widths: list[int], channels: int, blocks: list[int]) -> None:
        super().__init__()
        self.features = LightTrunk(widths, blocks)
        self.downsample = LightAdjust(widths[3], channels)

    def forward(self, x: torch.Tensor) -> tuple[tuple[torch.Tensor, ...], torch.Tensor]:
        stages = self.features(x)
        return stages, self.downsample(stages[3])


class UpsampledMaskHead(nn.Module):
    """Stands in for the refine module: the mask head's window mask, bilinearly resized to 127.

    Called like `Refine` (stages, corr, rows, cols) -> (B, 127*127) logits, so `refine_at` and
    the tracker's refine path work unchanged. Holds no weights of its own: the mask head is
    referenced, not registered, so its parameters stay under `mask_model.*` only.
    """

    def __init__(self, mask_head: MaskHead, out_side: int = 127) -> None:
        super().__init__()
        object.__setattr__(self, "_mask_head", mask_head)
        self.out_side = out_side

    def forward(self, stages, corr: torch.Tensor, rows: list[int], cols: list[int]) -> torch.Tensor:
        logits = self._mask_head.head_at(corr, rows, cols).reshape(-1, 1, MASK_SIDE, MASK_SIDE)
        side = self.out_side
        return F.interpolate(logits, size=(side, side), mode="bilinear", align_corners=False).flatten(1)


def light_siammask(widths: list[int] | None = None, channels: int | None = None,
                   blocks: list[int] | None = None, refine: str | None = None,
                   anchor_num: int = 5) -> SiamMask:
    """Return an untrained light SiamMask: a SiamMask whose parts are built for the light trunk."""
    widths = list(widths or LIGHT_ARCH["widths"])
    channels = int(channels or LIGHT_ARCH["channels"])
    blocks = list(blocks or LIGHT_ARCH["blocks"])
    refine = refine or LIGHT_ARCH["refine"]
    if refine not in ("module", "upsample"):
        raise ValueError(f"refine must be 'module' or 'upsample', got {refine!r}")
    features = LightFeatureExtractor(widths, channels, blocks)
    if refine == "module":
        module = Refine(stage_channels=tuple(widths[:3]), corr_channels=channels, hidden=(16, 32, 64))
        return SiamMask(anchor_num, features=features, channels=channels, refine=module)
    return SiamMask(anchor_num, features=features, channels=channels, refine=UpsampledMaskHead)


def light_arch(widths: list[int] | None = None, channels: int | None = None,
               blocks: list[int] | None = None, refine: str | None = None) -> dict:
    """Return the full architecture dict (defaults filled in) stored in checkpoint metadata."""
    return {
        "widths": list(widths or LIGHT_ARCH["widths"]),
        "channels": int(channels or LIGHT_ARCH["channels"]),
        "blocks": list(blocks or LIGHT_ARCH["blocks"]),
        "refine": refine or LIGHT_ARCH["refine"],
    }
