"""Mask branch: a depth-wise correlation whose head maps each ROW to a 63x63 mask (paper Eq. 2)."""

from __future__ import annotations

import torch
from torch import nn

from .refine import pick_rows
from .rpn import DepthwiseXCorr

MASK_SIDE = 63


class MaskHead(nn.Module):
    """`mask_model.mask`: 3969 = 63x63 outputs per candidate window."""

    def __init__(self, channels: int = 256) -> None:
        super().__init__()
        self.mask = DepthwiseXCorr(channels, channels, MASK_SIDE * MASK_SIDE)

    def forward(self, template_feature: torch.Tensor, search_feature: torch.Tensor) -> torch.Tensor:
        return self.mask(template_feature, search_feature)

    def head_at(self, corr: torch.Tensor, rows: list[int], cols: list[int]) -> torch.Tensor:
        """Return (B, 3969) mask logits at one window per sample.

        The head is made of 1x1 convolutions, so applying it to the chosen ROW alone gives the
        same numbers as the full 25x25 map (the official tracker computes all 625 windows).
        """
        return self.mask.head(pick_rows(corr, rows, cols)[:, :, None, None]).flatten(1)
