"""The SiamMask sharp model, split into the calls a tracker needs.

    model = SiamMask().eval()
    kernels = model.template(template_bgr)           # once per object, (B,3,127,127)
    out = model.search(search_bgr, kernels)          # every frame, (B,3,255,255)
    logits = model.refine_at(out, rows, cols)        # (B, 127*127) at the chosen windows

Inputs are raw BGR floats in 0-255 (no normalisation), as in the official code.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import nn

from .backbone import FeatureExtractor
from .mask import MaskHead
from .refine import Refine
from .rpn import RPNHead, xcorr_depthwise


class TemplateKernels(NamedTuple):
    """Per-object template kernels (`conv_kernel` outputs, (B,256,5,5)) of the three branches."""

    cls: torch.Tensor
    loc: torch.Tensor
    mask: torch.Tensor

    @staticmethod
    def cat(items: list[TemplateKernels]) -> TemplateKernels:
        return TemplateKernels(*(torch.cat(parts) for parts in zip(*items)))


class SearchOutput(NamedTuple):
    """What one search pass yields; `mask_corr` is the mask branch before its head."""

    score: torch.Tensor  # (B, 2A, 25, 25)
    loc: torch.Tensor  # (B, 4A, 25, 25)
    mask_corr: torch.Tensor  # (B, 256, 25, 25)
    stages: tuple[torch.Tensor, ...]  # backbone p0..p3
    feature: torch.Tensor  # adjusted search feature (B, 256, 31, 31)


class SiamMask(nn.Module):
    """ResNet-50 Siamese tracker with score, box and mask branches and the refine module."""

    def __init__(self, anchor_num: int = 5) -> None:
        super().__init__()
        self.features = FeatureExtractor()
        self.rpn_model = RPNHead(anchor_num)
        self.mask_model = MaskHead()
        self.refine_model = Refine()

    def template_feature(self, template_bgr: torch.Tensor) -> torch.Tensor:
        """Return the adjusted 7x7 template feature (B, 256, 7, 7)."""
        return self.features(template_bgr)[1]

    def template(self, template_bgr: torch.Tensor) -> TemplateKernels:
        """Return the cached kernels; computed once per object, never per frame."""
        feature = self.template_feature(template_bgr)
        return TemplateKernels(
            self.rpn_model.cls.conv_kernel(feature),
            self.rpn_model.loc.conv_kernel(feature),
            self.mask_model.mask.conv_kernel(feature),
        )

    def search(self, search_bgr: torch.Tensor, kernels: TemplateKernels) -> SearchOutput:
        """Run the backbone once on the search crops and correlate with each sample's kernels."""
        stages, feature = self.features(search_bgr)
        cls, loc, mask = self.rpn_model.cls, self.rpn_model.loc, self.mask_model.mask
        score = cls.head(cls.correlate(kernels.cls, feature))
        delta = loc.head(loc.correlate(kernels.loc, feature))
        # the mask head itself runs only at the chosen windows (mask_at / refine_at)
        return SearchOutput(score, delta, mask.correlate(kernels.mask, feature), stages, feature)

    def mask_at(self, out: SearchOutput, rows: list[int], cols: list[int]) -> torch.Tensor:
        """Return the mask head's (B, 63*63) logits at window (rows[i], cols[i])."""
        return self.mask_model.head_at(out.mask_corr, rows, cols)

    def refine_at(self, out: SearchOutput, rows: list[int], cols: list[int]) -> torch.Tensor:
        """Return the refine module's (B, 127*127) logits at window (rows[i], cols[i])."""
        return self.refine_model(out.stages, out.mask_corr, rows, cols)

    def forward(
        self, template_bgr: torch.Tensor, search_bgr: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Return full (score, loc, mask) maps, the mask as (B, 3969, 25, 25), e.g. for training."""
        zf = self.template_feature(template_bgr)
        _, xf = self.features(search_bgr)
        score, loc = self.rpn_model(zf, xf)
        return score, loc, self.mask_model(zf, xf)


__all__ = ["SiamMask", "TemplateKernels", "SearchOutput", "xcorr_depthwise"]
