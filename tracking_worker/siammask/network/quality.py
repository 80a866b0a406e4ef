"""Quality head: predict the IoU of the mask the tracker is about to output.

    q = model.quality_at(out, rows, cols, mask_logits)    # (B,) in [0, 1]

The tracker's own score says how much a window looks like the template, not whether the mask
in it is right: it stays near 1 on a look-alike and on a half-covered target. This small head
sees, for the chosen window, the mask correlation's ROW (what the mask head reads), the score
branch's logits of the window's anchors, and three statistics of the mask it judges (the
refine module's output, or the mask head's without refine): mean probability, fraction of
undecided pixels in (0.2, 0.8), fraction above 0.5. A blurred, undecided or empty mask is a
likely wrong one. It is trained against the true IoU of that mask in its window
(training/losses.py), on inputs detached from the rest of the network.
"""

from __future__ import annotations

import torch
from torch import nn

from .refine import pick_rows

STATS = 3


def mask_statistics(mask_logits: torch.Tensor) -> torch.Tensor:
    """Return (K, 3): mean probability, undecided fraction, fraction above 0.5 of (K, P) logits."""
    probs = torch.sigmoid(mask_logits.reshape(mask_logits.shape[0], -1).float())
    undecided = ((probs > 0.2) & (probs < 0.8)).float().mean(1)
    return torch.stack([probs.mean(1), undecided, (probs > 0.5).float().mean(1)], dim=1)


class QualityHead(nn.Module):
    """Two linear layers over [ROW of the mask correlation, the window's score logits, mask statistics]."""

    def __init__(self, channels: int, anchor_num: int = 5, hidden: int = 64) -> None:
        super().__init__()
        self.mlp = nn.Sequential(
            nn.Linear(channels + 2 * anchor_num + STATS, hidden),
            nn.ReLU(inplace=True),
            nn.Linear(hidden, 1),
        )

    def predict(self, corr_rows: torch.Tensor, score_rows: torch.Tensor, mask_logits: torch.Tensor) -> torch.Tensor:
        """Return (K,) logits from (K, C) correlation rows, (K, 2A) score logits and (K, P) mask logits."""
        x = torch.cat([corr_rows.float(), score_rows.float(), mask_statistics(mask_logits)], dim=1)
        return self.mlp(x).squeeze(1)

    def forward(self, out, rows: list[int], cols: list[int], mask_logits: torch.Tensor) -> torch.Tensor:
        """Return (B,) predicted IoU in [0, 1] of each sample's window (rows[i], cols[i])."""
        logits = self.predict(pick_rows(out.mask_corr, rows, cols), pick_rows(out.score, rows, cols), mask_logits)
        return torch.sigmoid(logits)
