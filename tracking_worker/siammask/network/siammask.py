"""The SiamMask model (sharp by default; light and mobile pass their parts), split into the calls a tracker needs.

    model = SiamMask().eval()
    kernels = model.template(template_bgr)           # once per object, (B,3,127,127)
    out = model.search(search_bgr, kernels)          # every frame, (B,3,255,255)
    logits = model.refine_at(out, rows, cols)        # (B, 127*127) at the chosen windows
    quality = model.quality_at(out, rows, cols, logits)   # predicted IoU of those masks; None without a head

Inputs are raw BGR floats in 0-255 (no normalisation), as in the official code; variants that
need another input convention convert inside their trunk.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

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
    """Siamese tracker with score, box and mask branches, the refine module and a quality head.

    With no arguments it is the official sharp model (ResNet-50, 256-channel heads, no quality
    head). The light and mobile variants pass their own parts (`build_variant` in
    checkpoints.py picks them from a checkpoint's metadata); parameter names stay
    `features.*`, `rpn_model.*`, `mask_model.*`, `refine_model.*` (and `quality_model.*`).
    """

    def __init__(self, anchor_num: int = 5, *, features: nn.Module | None = None,
                 channels: int = 256, refine: nn.Module | Callable[[MaskHead], nn.Module] | None = None,
                 quality: nn.Module | None = None) -> None:
        super().__init__()
        self.features = features if features is not None else FeatureExtractor()
        self.rpn_model = RPNHead(anchor_num, channels)
        self.mask_model = MaskHead(channels)
        if refine is None:
            refine = Refine()
        elif not isinstance(refine, nn.Module):  # a factory of a module reading the mask head
            refine = refine(self.mask_model)
        self.refine_model = refine
        self.quality_model = quality

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

    def quality_at(self, out: SearchOutput, rows: list[int], cols: list[int],
                   mask_logits: torch.Tensor) -> torch.Tensor | None:
        """Return the predicted IoU (B,) of the masks at the chosen windows, or None without a head.

        `mask_logits` are the logits of the masks being judged there: the refine module's
        (B, 127*127) or the mask head's (B, 63*63).
        """
        if self.quality_model is None:
            return None
        return self.quality_model(out, rows, cols, mask_logits)


__all__ = ["SiamMask", "TemplateKernels", "SearchOutput", "xcorr_depthwise"]
