"""Depth-wise cross-correlation blocks and the score/box (RPN) heads.

Paper §3.1: g(z, x) = f(z) * f(x) channel by channel; each position of the 25x25 response is
the "response of a candidate window" (ROW).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def xcorr_depthwise(search: torch.Tensor, kernel: torch.Tensor) -> torch.Tensor:
    """Correlate each sample's search map (B,C,H,W) with its own kernel (B,C,h,w), per channel."""
    batch, channels = kernel.shape[:2]
    if search.shape[:2] != (batch, channels):
        raise ValueError(f"search {tuple(search.shape)} and kernel {tuple(kernel.shape)} differ")
    out = F.conv2d(
        search.reshape(1, batch * channels, *search.shape[2:]),
        kernel.reshape(batch * channels, 1, *kernel.shape[2:]),
        groups=batch * channels,
    )
    return out.reshape(batch, channels, *out.shape[2:])


def _conv_bn_relu(inplanes: int, outplanes: int, kernel: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(inplanes, outplanes, kernel, bias=False),
        nn.BatchNorm2d(outplanes),
        nn.ReLU(inplace=True),
    )


class DepthwiseXCorr(nn.Module):
    """conv_kernel / conv_search (3x3, no padding) -> depth-wise xcorr -> 1x1 `head`."""

    def __init__(self, inplanes: int, hidden: int, outplanes: int, kernel_size: int = 3) -> None:
        super().__init__()
        self.conv_kernel = _conv_bn_relu(inplanes, hidden, kernel_size)
        self.conv_search = _conv_bn_relu(inplanes, hidden, kernel_size)
        self.head = nn.Sequential(
            nn.Conv2d(hidden, hidden, 1, bias=False),
            nn.BatchNorm2d(hidden),
            nn.ReLU(inplace=True),
            nn.Conv2d(hidden, outplanes, 1),
        )

    def correlate(self, kernel: torch.Tensor, search_feature: torch.Tensor) -> torch.Tensor:
        """Return the correlation before `head`, from a cached `conv_kernel` output."""
        return xcorr_depthwise(self.conv_search(search_feature), kernel)

    def forward(self, template_feature: torch.Tensor, search_feature: torch.Tensor) -> torch.Tensor:
        return self.head(self.correlate(self.conv_kernel(template_feature), search_feature))


class RPNHead(nn.Module):
    """Score (2 per anchor) and box (4 per anchor) branches."""

    def __init__(self, anchor_num: int = 5, channels: int = 256) -> None:
        super().__init__()
        self.cls = DepthwiseXCorr(channels, channels, 2 * anchor_num)
        self.loc = DepthwiseXCorr(channels, channels, 4 * anchor_num)

    def forward(
        self, template_feature: torch.Tensor, search_feature: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        return self.cls(template_feature, search_feature), self.loc(template_feature, search_feature)
