"""The three loss terms: what they count, and that they vanish on perfect predictions."""

import numpy as np
import pytest
import torch

from tracking_worker.training.losses import (
    LossWeights,
    SiamMaskLoss,
    box_loss,
    mask_loss,
    positive_windows,
    score_loss,
    window_targets,
)
from tracking_worker.training.models import build_model

A, S = 5, 25


def labels_with(positives=(), negatives=(), batch=1):
    labels = torch.full((batch, A * S * S), -1, dtype=torch.long)
    for b, a, r, c in positives:
        labels[b, a * S * S + r * S + c] = 1
    for b, a, r, c in negatives:
        labels[b, a * S * S + r * S + c] = 0
    return labels


def test_paper_weights_are_the_default():
    weights = LossWeights()
    assert (weights.mask, weights.score, weights.box) == (32.0, 1.0, 1.0)


def test_score_loss_is_zero_for_confident_correct_scores():
    labels = labels_with(positives=[(0, 2, 12, 12)], negatives=[(0, 0, 0, 0), (0, 4, 20, 3)])
    score = torch.zeros(1, 2 * A, S, S)
    fg = (labels[0] == 1).reshape(A, S, S)
    score[0, A:][fg] = 50.0  # foreground channel of anchor k is A + k
    score[0, :A][~fg] = 50.0
    assert score_loss(score, labels).item() == pytest.approx(0.0, abs=1e-6)
    assert score_loss(-score, labels).item() > 10


def test_score_loss_ignores_unsampled_anchors():
    labels = labels_with(positives=[(0, 2, 12, 12)], negatives=[(0, 0, 0, 0)])
    score = torch.randn(1, 2 * A, S, S)
    changed = score.clone()
    changed[0, :, 5, 5] += 100.0  # no sampled anchor at (5, 5)
    assert score_loss(score, labels).item() == pytest.approx(score_loss(changed, labels).item())


def test_box_loss_counts_positives_only_and_is_zero_when_exact():
    labels = labels_with(positives=[(0, 1, 10, 11)], negatives=[(0, 0, 0, 0)])
    deltas = torch.randn(1, 4, A * S * S)
    loc = deltas.reshape(1, 4, A, S, S).reshape(1, 4 * A, S, S).clone()
    assert box_loss(loc, deltas, labels).item() == pytest.approx(0.0, abs=1e-7)
    loc_wrong_elsewhere = loc.clone()
    loc_wrong_elsewhere[0, :, 0, 0] += 5.0  # a negative anchor's deltas do not matter
    assert box_loss(loc_wrong_elsewhere, deltas, labels).item() == pytest.approx(0.0, abs=1e-7)
    assert box_loss(loc + 1.0, deltas, labels).item() > 0


def test_mask_loss_is_zero_for_perfect_logits_and_log2_for_zero_logits():
    targets = (torch.rand(3, 63, 63) > 0.5).float()
    perfect = (targets * 2 - 1) * 40.0
    assert mask_loss(perfect.flatten(1), targets).item() == pytest.approx(0.0, abs=1e-9)
    assert mask_loss(torch.zeros(3, 63 * 63), targets).item() == pytest.approx(np.log(2), rel=1e-6)
    assert mask_loss(torch.zeros(0, 63 * 63), torch.zeros(0, 63, 63)).item() == 0.0


def test_positive_windows_are_the_rows_holding_a_positive_anchor():
    labels = labels_with(positives=[(0, 0, 3, 4), (0, 3, 3, 4), (1, 2, 12, 12)],
                         negatives=[(0, 1, 7, 7)], batch=2)
    b, r, c = positive_windows(labels)
    assert sorted(zip(b.tolist(), r.tolist(), c.tolist())) == [(0, 3, 4), (1, 12, 12)]


def test_window_targets_follow_the_trackers_window_geometry():
    masks = torch.zeros(1, 255, 255, dtype=torch.uint8)
    masks[0, 100:155, 100:155] = 1  # a square around the crop centre
    # window (12, 12) spans crop pixels 64..190: the square sits in its middle
    window = window_targets(masks, torch.tensor([0]), torch.tensor([12]), torch.tensor([12]), 127)[0]
    assert window[36:91, 36:91].all() and window.sum() == 55 * 55
    # window (0, 0) spans -32..94: nothing of the square
    corner = window_targets(masks, torch.tensor([0]), torch.tensor([0]), torch.tensor([0]), 63)[0]
    assert corner.sum() == 0


@pytest.fixture(scope="module")
def tiny_model():
    torch.manual_seed(0)
    return build_model("light", {"widths": [8, 8, 16, 16], "channels": 16, "blocks": [1, 1, 1]}).eval()


def make_batch(labels):
    torch.manual_seed(1)
    batch = labels.shape[0]
    return {
        "template": torch.rand(batch, 3, 127, 127) * 255,
        "search": torch.rand(batch, 3, 255, 255) * 255,
        "search_mask": torch.zeros(batch, 255, 255, dtype=torch.uint8),
        "labels": labels,
        "deltas": torch.zeros(batch, 4, A * S * S),
    }


def test_mask_loss_only_counts_positive_windows(tiny_model):
    loss = SiamMaskLoss()
    batch = make_batch(labels_with(positives=[(0, 2, 12, 12)], negatives=[(0, 0, 0, 0)]))
    base = loss(tiny_model, batch)["mask"].item()
    # changing the mask outside window (12, 12) (crop pixels 64..190) changes nothing
    batch["search_mask"][0, :40, :40] = 1
    assert loss(tiny_model, batch)["mask"].item() == pytest.approx(base)
    # inside the positive window it does
    batch["search_mask"][0, 100:150, 100:150] = 1
    assert loss(tiny_model, batch)["mask"].item() != pytest.approx(base)
    # without positives there is no mask term at all
    batch["labels"] = labels_with(negatives=[(0, 0, 0, 0), (0, 2, 12, 12)])
    terms = loss(tiny_model, batch)
    assert terms["mask"].item() == 0.0 and terms["box"].item() == 0.0


def test_total_is_the_weighted_sum(tiny_model):
    batch = make_batch(labels_with(positives=[(0, 2, 12, 12)], negatives=[(0, 0, 0, 0)]))
    terms = SiamMaskLoss(LossWeights(mask=32, score=1, box=1))(tiny_model, batch)
    expected = 32 * terms["mask"] + terms["score"] + terms["box"]
    assert terms["total"].item() == pytest.approx(expected.item(), rel=1e-6)
    refine_terms = SiamMaskLoss()(tiny_model, batch, refine=True)
    assert refine_terms["mask"].item() > 0


@pytest.fixture(scope="module")
def tiny_mobile():
    torch.manual_seed(0)
    return build_model("mobile", {"channels": 16})


def test_joint_stage_trains_every_branch_and_the_quality_head_reads_detached_inputs(tiny_mobile):
    model = tiny_mobile.train()
    loss = SiamMaskLoss(LossWeights(quality=1.0), max_refine_windows=2)
    batch = make_batch(labels_with(positives=[(0, 2, 12, 12), (1, 0, 10, 14)], negatives=[(0, 0, 0, 0)], batch=2))
    batch["search_mask"][:, 90:170, 90:170] = 1
    terms = loss(model, batch, refine=True, joint=True, generator=torch.Generator().manual_seed(0))
    assert all(float(terms[k].detach()) > 0 for k in ("mask", "refine", "quality", "score", "box"))
    model.zero_grad()
    terms["quality"].backward(retain_graph=True)
    grads = {name: p.grad for name, p in model.named_parameters()}
    assert grads["quality_model.mlp.0.weight"].abs().sum() > 0
    # the quality term changes the quality head only
    assert all(g is None or g.abs().sum() == 0 for name, g in grads.items() if not name.startswith("quality_model."))
    model.zero_grad()
    terms["total"].backward()
    for prefix in ("refine_model.", "mask_model.", "rpn_model.", "features.downsample."):
        assert any(p.grad is not None and p.grad.abs().sum() > 0
                   for name, p in model.named_parameters() if name.startswith(prefix)), prefix


def test_quality_targets_are_the_window_masks_iou():
    from tracking_worker.training.losses import quality_windows

    score = torch.zeros(2, 2 * A, S, S)
    score[0, A + 1, 4, 7] = 10.0  # sample 0's best window is (4, 7)
    labels = labels_with(positives=[(1, 0, 12, 12)], batch=2)
    b, r, c = quality_windows(score, labels, torch.Generator().manual_seed(0))
    assert (int(b[0]), int(r[0]), int(c[0])) == (0, 4, 7)
    assert 1 in b.tolist() and (12, 12) in list(zip(r[b == 1].tolist(), c[b == 1].tolist()))
    assert len(b) == 2 + 2 * 2 + 1  # best + random per sample, plus the positive windows
