"""Refine module: upsample one ROW's mask with backbone features of the search image.

Follows the official siammask_sharp Refine at test time (SharpMask-like, paper §3.4 footnote):
windows of the padded stage 0/1/2 features under the candidate, three fuse-and-upsample steps
(15 -> 31 -> 61 -> 127 for the sharp model) with nearest-neighbour resizing. The trunk's
geometry (where a window lies in each stage, its side) and the stage widths are parameters, so
the light and mobile variants use the same module; the defaults are the sharp model's.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import nn


class WindowGeometry(NamedTuple):
    """Where candidate (row, col) lies in one stage map: pad, then [step*r : step*r + side]."""

    pad: int
    step: int
    side: int


# official: pad p0/p1/p2 by 16/8/4, windows [4r:4r+61], [2r:2r+31], [r:r+15]
SHARP_WINDOWS = (WindowGeometry(16, 4, 61), WindowGeometry(8, 2, 31), WindowGeometry(4, 1, 15))


def _two_convs(inplanes: int, hidden: int, outplanes: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(inplanes, hidden, 3, padding=1),
        nn.ReLU(inplace=True),
        nn.Conv2d(hidden, outplanes, 3, padding=1),
        nn.ReLU(inplace=True),
    )


def pick_rows(corr: torch.Tensor, rows: list[int], cols: list[int]) -> torch.Tensor:
    """Return (B, C) = corr[i, :, rows[i], cols[i]]: each sample's chosen ROW."""
    dev = corr.device
    batch = torch.arange(corr.shape[0], device=dev)
    return corr[batch, :, torch.as_tensor(rows, device=dev), torch.as_tensor(cols, device=dev)]


class Refine(nn.Module):
    """`refine_model`; forward gives (B, out_side**2) logits for one window per sample.

    Args:
        stage_channels: widths of the stage 0/1/2 maps (sharp: 64, 256, 512).
        corr_channels: width of the mask correlation (sharp: 256).
        hidden: hidden widths of v0, v1, v2 (sharp: 16, 64, 128).
        windows: the stage 0/1/2 window geometry; the deconv makes the stage-2 window's side.
        mode: resizing between steps ("nearest" as the official code, or "bilinear").
    """

    def __init__(self, stage_channels: tuple[int, int, int] = (64, 256, 512), corr_channels: int = 256,
                 hidden: tuple[int, int, int] = (16, 64, 128),
                 windows: tuple[WindowGeometry, ...] = SHARP_WINDOWS, out_side: int = 127,
                 mode: str = "nearest") -> None:
        super().__init__()
        self.windows_geometry = tuple(WindowGeometry(*w) for w in windows)
        self.out_side, self.mode = out_side, mode
        c0, c1, c2 = stage_channels
        self.v0 = _two_convs(c0, hidden[0], 4)
        self.v1 = _two_convs(c1, hidden[1], 16)
        self.v2 = _two_convs(c2, hidden[2], 32)
        self.h2 = _two_convs(32, 32, 32)
        self.h1 = _two_convs(16, 16, 16)
        self.h0 = _two_convs(4, 4, 4)
        side2 = self.windows_geometry[2].side
        self.deconv = nn.ConvTranspose2d(corr_channels, 32, side2, side2)
        self.post0 = nn.Conv2d(32, 16, 3, padding=1)
        self.post1 = nn.Conv2d(16, 4, 3, padding=1)
        self.post2 = nn.Conv2d(4, 1, 3, padding=1)

    def windows(
        self, stages: tuple[torch.Tensor, ...], rows: list[int], cols: list[int]
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Cut the stage 0/1/2 windows under candidate (row, col) of each sample."""
        out = []
        for stage, (pad, step, side) in zip(stages[:3], self.windows_geometry):
            padded = F.pad(stage, [pad] * 4)
            out.append(
                torch.stack(
                    [
                        padded[i, :, step * r : step * r + side, step * c : step * c + side]
                        for i, (r, c) in enumerate(zip(rows, cols))
                    ]
                )
            )
        return out[0], out[1], out[2]

    def _resize(self, x: torch.Tensor, side: int) -> torch.Tensor:
        if self.mode == "nearest":
            return F.interpolate(x, size=(side, side), mode="nearest")
        return F.interpolate(x, size=(side, side), mode=self.mode, align_corners=False)

    def forward(
        self,
        stages: tuple[torch.Tensor, ...],
        corr: torch.Tensor,
        rows: list[int],
        cols: list[int],
    ) -> torch.Tensor:
        """Return refine logits (B, out_side**2) for window (rows[i], cols[i]) of sample i.

        Args:
            stages: backbone outputs p0..p2 (p3 unused) of the B search images.
            corr: the mask branch's correlation before its head, (B, C, 25, 25).
        """
        p0, p1, p2 = self.windows(stages, rows, cols)
        x = self.deconv(pick_rows(corr, rows, cols)[:, :, None, None])
        x = self.post0(self._resize(self.h2(x) + self.v2(p2), self.windows_geometry[1].side))
        x = self.post1(self._resize(self.h1(x) + self.v1(p1), self.windows_geometry[0].side))
        x = self.post2(self._resize(self.h0(x) + self.v0(p0), self.out_side))
        return x.flatten(1)
