"""Refine module of the sharp model: upsample one ROW's mask with backbone features.

Follows the official siammask_sharp Refine at test time (SharpMask-like, paper §3.4 footnote):
windows of the padded stage 0/1/2 features under the candidate, three fuse-and-upsample steps
(15 -> 31 -> 61 -> 127) with nearest-neighbour resizing.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def _two_convs(inplanes: int, hidden: int, outplanes: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(inplanes, hidden, 3, padding=1),
        nn.ReLU(inplace=True),
        nn.Conv2d(hidden, outplanes, 3, padding=1),
        nn.ReLU(inplace=True),
    )


class Refine(nn.Module):
    """`refine_model`; forward gives (B, 127*127) logits for one window per sample."""

    def __init__(self) -> None:
        super().__init__()
        self.v0 = _two_convs(64, 16, 4)
        self.v1 = _two_convs(256, 64, 16)
        self.v2 = _two_convs(512, 128, 32)
        self.h2 = _two_convs(32, 32, 32)
        self.h1 = _two_convs(16, 16, 16)
        self.h0 = _two_convs(4, 4, 4)
        self.deconv = nn.ConvTranspose2d(256, 32, 15, 15)
        self.post0 = nn.Conv2d(32, 16, 3, padding=1)
        self.post1 = nn.Conv2d(16, 4, 3, padding=1)
        self.post2 = nn.Conv2d(4, 1, 3, padding=1)

    @staticmethod
    def windows(
        stages: tuple[torch.Tensor, ...], rows: list[int], cols: list[int]
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Cut the stage 0/1/2 windows under candidate (row, col) of each sample."""
        # official: pad by 16/8/4, windows [4r:4r+61], [2r:2r+31], [r:r+15] (same for columns)
        out = []
        for stage, pad, step, side in ((stages[0], 16, 4, 61), (stages[1], 8, 2, 31), (stages[2], 4, 1, 15)):
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

    def forward(
        self,
        stages: tuple[torch.Tensor, ...],
        corr: torch.Tensor,
        rows: list[int],
        cols: list[int],
    ) -> torch.Tensor:
        """Return refine logits (B, 16129) for window (rows[i], cols[i]) of sample i.

        Args:
            stages: backbone outputs p0..p2 (p3 unused) of the B search images.
            corr: the mask branch's correlation before its head, (B, 256, 25, 25).
        """
        p0, p1, p2 = self.windows(stages, rows, cols)
        dev = corr.device
        batch = torch.arange(corr.shape[0], device=dev)
        row = corr[batch, :, torch.as_tensor(rows, device=dev), torch.as_tensor(cols, device=dev)]
        x = self.deconv(row[:, :, None, None])
        x = self.post0(F.interpolate(self.h2(x) + self.v2(p2), size=(31, 31), mode="nearest"))
        x = self.post1(F.interpolate(self.h1(x) + self.v1(p1), size=(61, 61), mode="nearest"))
        x = self.post2(F.interpolate(self.h0(x) + self.v0(p0), size=(127, 127), mode="nearest"))
        return x.flatten(1)
