"""The SiamMask three-branch loss (paper Eq. 3-4): L = w_mask L_mask + w_score L_score + w_box L_box.

    loss = SiamMaskLoss(LossWeights(mask=32, score=1, box=1))
    terms = loss(model, batch, refine=False)     # {"total", "score", "box", "mask", "mask_iou"}
    terms["total"].backward()

- score: cross-entropy over the sampled anchors (labels from targets.assign_anchors); the
  positive and negative terms are averaged separately and weighted 1/2 each, so the 16:48
  split of a pair does not let background dominate (a pair without positives uses the
  negative term alone).
- box: smooth-L1 on the normalised deltas (targets.encode_deltas) of the positive anchors.
- mask: the binary logistic loss of Eq. 3, sum_ij log(1 + exp(-c_ij m_ij)) / (w h), counted
  only for positive ROWs (y_n = +1: windows holding a positive anchor) and averaged over them.
  Stage 1 scores the mask head's 63x63 output, stage 2 the refine module's 127x127 output.
Weights: the paper sets lambda_1 = 32 for the mask term and lambda_2 = lambda_3 = 1 for score
and box (SiamMask, CVPR 2019, §3.3 "Loss function", Eq. 4).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from tracking_worker.siammask.config import TrackerConfig
from tracking_worker.siammask.network.mask import MASK_SIDE

# the tracker's geometry (siammask.config), not copies of its numbers
_GEOMETRY = TrackerConfig()
ANCHOR_NUM = _GEOMETRY.anchor_num
SCORE_SIZE = _GEOMETRY.score_size
TOTAL_STRIDE = _GEOMETRY.total_stride
WINDOW_SIDE = _GEOMETRY.exemplar_size  # a ROW's candidate window in search-crop pixels
BASE_SIZE = _GEOMETRY.base_size


@dataclass(frozen=True)
class LossWeights:
    mask: float = 32.0
    score: float = 1.0
    box: float = 1.0
    quality: float = 0.0  # the quality head's term (ours, not the paper's); 0 leaves it untrained


def score_loss(score: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Return the balanced cross-entropy of score maps (B, 2A, S, S) against labels (B, A*S*S)."""
    batch = score.shape[0]
    # channel pairs (k, A + k): background, foreground of anchor k (the tracker's softmax)
    logits = score.reshape(batch, 2, -1).permute(0, 2, 1).reshape(-1, 2)
    flat = labels.reshape(-1)
    terms = []
    for value in (1, 0):
        chosen = flat == value
        if chosen.any():
            terms.append(F.cross_entropy(logits[chosen], flat[chosen]))
    if not terms:
        return score.sum() * 0.0
    return sum(terms) / len(terms)


def box_loss(loc: torch.Tensor, deltas: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Return the smooth-L1 loss of box maps (B, 4A, S, S) on positive anchors, mean per anchor."""
    batch = loc.shape[0]
    pred = loc.reshape(batch, 4, -1)
    positive = (labels == 1).unsqueeze(1).expand_as(pred)
    if not positive.any():
        return loc.sum() * 0.0
    # sum over the 4 coordinates, mean over positive anchors
    return F.smooth_l1_loss(pred[positive], deltas[positive], reduction="sum") / (labels == 1).sum()


def mask_loss(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Return Eq. 3 for K windows: mean over windows of the mean over pixels of log(1 + e^(-c m)).

    Args:
        logits: (K, side * side) or (K, side, side) mask logits m.
        targets: same number of pixels, 1 on the object and 0 elsewhere (c = 2 t - 1).
    """
    if logits.shape[0] == 0:
        return logits.sum() * 0.0
    signs = targets.reshape(logits.shape[0], -1).float() * 2 - 1
    return F.softplus(-signs * logits.reshape(logits.shape[0], -1)).mean()


def positive_windows(labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Return (batch, row, col) of every ROW that holds at least one positive anchor."""
    batch = labels.shape[0]
    grid = (labels.reshape(batch, ANCHOR_NUM, SCORE_SIZE, SCORE_SIZE) == 1).any(dim=1)
    b, r, c = torch.nonzero(grid, as_tuple=True)
    return b, r, c


def window_targets(search_masks: torch.Tensor, b: torch.Tensor, r: torch.Tensor, c: torch.Tensor,
                   side: int) -> torch.Tensor:
    """Return (K, side, side) 0/1 ground truth of the candidate windows (b, r, c).

    Window (r, c) covers search-crop pixels [8 (c - 4), 8 (c - 4) + 127) horizontally (same for
    rows): the square the tracker pastes the mask into (siammask.crops.paste_window_mask).
    Outside the crop is background.
    """
    if len(b) == 0:
        return search_masks.new_zeros((0, side, side), dtype=torch.float32)
    offset = BASE_SIZE // 2 * TOTAL_STRIDE  # = 32: window (0, 0) starts at -32 (crops.paste_window_mask)
    size = search_masks.shape[-1]
    pad_after = max(0, TOTAL_STRIDE * (SCORE_SIZE - 1) - offset + WINDOW_SIDE - size)
    padded = F.pad(search_masks.float(), (offset, pad_after, offset, pad_after))
    windows = torch.stack([
        padded[bi, TOTAL_STRIDE * ri : TOTAL_STRIDE * ri + WINDOW_SIDE,
               TOTAL_STRIDE * ci : TOTAL_STRIDE * ci + WINDOW_SIDE]
        for bi, ri, ci in zip(b.tolist(), r.tolist(), c.tolist())
    ])
    if side != WINDOW_SIDE:
        windows = F.interpolate(windows[:, None], size=(side, side), mode="bilinear", align_corners=False)[:, 0]
    return (windows > 0.5).float()


def mask_iou(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Return the mean IoU of thresholded window masks (logit > 0) with their targets (a metric)."""
    if logits.shape[0] == 0:
        return logits.new_tensor(float("nan"))
    pred = logits.reshape(logits.shape[0], -1) > 0
    gt = targets.reshape(targets.shape[0], -1) > 0.5
    inter = (pred & gt).sum(1).float()
    union = (pred | gt).sum(1).float()
    return torch.where(union > 0, inter / union.clamp(min=1), torch.ones_like(inter)).mean()


class SiamMaskLoss:
    """Run a SiamMask on a batch and return its weighted loss terms."""

    def __init__(self, weights: LossWeights | None = None, *, max_refine_windows: int = 4) -> None:
        self.weights = weights or LossWeights()
        self.max_refine_windows = max_refine_windows

    def __call__(self, model, batch: dict[str, torch.Tensor], *, refine: bool = False, joint: bool = False,
                 generator: torch.Generator | None = None) -> dict[str, torch.Tensor]:
        """Return the loss terms of one batch.

        refine False: the mask head's 63x63 output is scored. refine True: the refine module's
        127x127 output, the rest detached (the official second stage). joint True: both at once,
        gradients flowing everywhere (one backbone pass trains every branch; what a frozen
        pretrained trunk on a CPU affords). A model with a quality head also gets the quality
        term when `weights.quality` > 0.
        """
        template_feature = model.template_feature(batch["template"])
        stages, search_feature = model.features(batch["search"])
        score, loc = model.rpn_model(template_feature, search_feature)
        head = model.mask_model.mask
        corr = head.correlate(head.conv_kernel(template_feature), search_feature)
        labels = batch["labels"]
        b, r, c = positive_windows(labels)
        terms = {
            "score": score_loss(score, labels),
            "box": box_loss(loc, batch["deltas"], labels),
        }
        zero = score.sum() * 0.0
        logits = targets = None
        if not refine or joint:
            logits = head.head(corr[b, :, r, c][:, :, None, None]).flatten(1)
            targets = window_targets(batch["search_mask"], b, r, c, MASK_SIDE)
            terms["mask"] = mask_loss(logits, targets)
        if refine or joint:
            # the refine module is costly per window: a few random positive windows per sample
            keep = _subsample_per_sample(b, self.max_refine_windows, generator)
            rb, rr, rc = b[keep], r[keep], c[keep]
            # alone, it learns on top of the frozen rest: no gradient into features or correlation
            picked = tuple(s[rb] if joint else s[rb].detach() for s in stages[:3])
            refined = model.refine_model(picked, corr[rb] if joint else corr[rb].detach(), rr.tolist(), rc.tolist())
            refined_targets = window_targets(batch["search_mask"], rb, rr, rc, WINDOW_SIDE)
            terms["refine" if joint else "mask"] = mask_loss(refined, refined_targets)
            if logits is None:
                logits, targets = refined, refined_targets
        terms.setdefault("refine", zero)
        quality = getattr(model, "quality_model", None)
        terms["quality"] = (quality_loss(model, score, corr, labels, batch["search_mask"], generator,
                                         stages=stages if refine or joint else None)
                            if quality is not None and self.weights.quality > 0 else zero)
        w = self.weights
        terms["total"] = (w.mask * (terms["mask"] + terms["refine"]) + w.score * terms["score"]
                          + w.box * terms["box"] + w.quality * terms["quality"])
        with torch.no_grad():
            terms["mask_iou"] = mask_iou(logits.detach(), targets)
        return terms


# the tracker's mask threshold as a logit
SEG_LOGIT = float(torch.logit(torch.tensor(_GEOMETRY.seg_thr)))
RANDOM_QUALITY_WINDOWS = 2


def quality_windows(score: torch.Tensor, labels: torch.Tensor, generator: torch.Generator | None
                    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Return (b, r, c) of the windows the quality head learns on, per sample: the one the
    tracker would pick (highest foreground score), up to two positive ones and two at random."""
    batch = score.shape[0]
    foreground = torch.softmax(score.detach().reshape(batch, 2, ANCHOR_NUM, SCORE_SIZE, SCORE_SIZE), dim=1)
    best = foreground[:, 1].amax(dim=1).flatten(1).argmax(dim=1)
    rand = torch.randint(0, SCORE_SIZE * SCORE_SIZE, (batch, RANDOM_QUALITY_WINDOWS), generator=generator)
    pb, pr, pc = positive_windows(labels)
    keep = _subsample_per_sample(pb, 2, generator)
    cells = torch.cat([best, rand.flatten()])
    b = torch.cat([torch.arange(batch), torch.arange(batch).repeat_interleave(RANDOM_QUALITY_WINDOWS), pb[keep]])
    r = torch.cat([cells // SCORE_SIZE, pr[keep]])
    c = torch.cat([cells % SCORE_SIZE, pc[keep]])
    return b, r, c


def quality_loss(model, score: torch.Tensor, corr: torch.Tensor, labels: torch.Tensor,
                 search_masks: torch.Tensor, generator: torch.Generator | None, *,
                 stages: tuple[torch.Tensor, ...] | None = None) -> torch.Tensor:
    """Binary cross-entropy of the quality head against the true IoU of each window's mask.

    The mask judged is the one the tracker would return: the refine module's when `stages`
    are given (a stage that trains or uses refine), else the mask head's, thresholded as the
    tracker does; a window with no object scores IoU 0. Inputs are detached: the head learns
    to read the network, not to change it.
    """
    b, r, c = quality_windows(score, labels, generator)
    with torch.no_grad():
        corr = corr.detach()
        rows = corr[b, :, r, c]
        if stages is not None:
            picked = tuple(s[b].detach() for s in stages[:3])
            logits = model.refine_model(picked, corr[b], r.tolist(), c.tolist())
            side = WINDOW_SIDE
        else:
            logits = model.mask_model.mask.head(rows[:, :, None, None]).flatten(1)
            side = MASK_SIDE
        targets = window_targets(search_masks, b, r, c, side).flatten(1) > 0.5
        predicted = logits > SEG_LOGIT
        inter = (predicted & targets).sum(1).float()
        union = (predicted | targets).sum(1).float()
        iou = torch.where(targets.any(1), inter / union.clamp(min=1), torch.zeros_like(inter))
        score_rows = score.detach()[b, :, r, c]
    predicted_iou = model.quality_model.predict(rows, score_rows, logits)
    return F.binary_cross_entropy_with_logits(predicted_iou, iou)


def _subsample_per_sample(b: torch.Tensor, limit: int, generator: torch.Generator | None) -> torch.Tensor:
    """Return indices into `b` keeping at most `limit` random entries per distinct sample."""
    order = torch.randperm(len(b), generator=generator)
    kept, counts = [], {}
    for index in order.tolist():
        sample = int(b[index])
        if counts.get(sample, 0) < limit:
            counts[sample] = counts.get(sample, 0) + 1
            kept.append(index)
    return torch.as_tensor(sorted(kept), dtype=torch.long)
