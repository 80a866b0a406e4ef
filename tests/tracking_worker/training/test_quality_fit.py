"""Refitting the quality head on the tracker's own runs: records, the fit, the written checkpoint."""

import numpy as np
import pytest
import torch

from tests.tracking_worker.training.conftest import SYNTH_CLIP
from tracking_worker.siammask import load_model
from tracking_worker.siammask.checkpoints import build_variant
from tracking_worker.training import quality_fit
from tracking_worker.training.models import load_checkpoint_file


@pytest.fixture(scope="module")
def small_model():
    torch.manual_seed(0)
    return build_variant("mobile", {"channels": 16, "quality": True}, pretrained=False).eval()


@pytest.fixture(scope="module")
def records(small_model, clip_dir):
    return quality_fit.collect(small_model, clip_dir, [SYNTH_CLIP], starts=2, progress=False)


def test_every_tracked_frame_gives_one_record_with_an_iou_in_0_1(records):
    # starts=2 on 8 frames: 0 forward (7), 7 backward (7), 4 forward (3) and backward (4)
    assert len(records) == 21
    assert records.features.shape == (21, 16 + 2 * 5 + 3)
    assert np.all((records.iou >= 0) & (records.iou <= 1))
    assert np.all((records.score >= 0) & (records.score <= 1))


def test_captured_inputs_reproduce_the_heads_prediction_as_tracked(small_model, records):
    with torch.no_grad():
        again = torch.sigmoid(small_model.quality_model.mlp(torch.from_numpy(records.features))).squeeze(1)
    np.testing.assert_allclose(again.numpy(), records.quality, atol=1e-5)


def test_held_out_sequences_are_refused(small_model, clip_dir):
    with pytest.raises(ValueError, match="held-out"):
        quality_fit.collect(small_model, clip_dir, ["libby"], progress=False)


def test_fitting_lowers_the_loss_and_standardizing_keeps_the_function(small_model, records):
    x = torch.from_numpy(records.features)
    mean, std = quality_fit.feature_scale(x)
    mlp = quality_fit.standardized(small_model.quality_model, mean, std)
    with torch.no_grad():
        torch.testing.assert_close(mlp((x - mean) / std), small_model.quality_model.mlp(x), atol=1e-4, rtol=1e-4)
    losses = quality_fit.fit_mlp(mlp, (x - mean) / std, torch.from_numpy(records.iou.astype(np.float32)), 30,
                                 lr=1e-2, batch=8)
    assert losses[-1] < losses[0]


def test_written_checkpoint_changes_only_the_head_and_says_where_it_came_from(small_model, records, tmp_path):
    parent = tmp_path / "parent.pth"
    torch.save({"state_dict": small_model.state_dict(),
                "meta": {"variant": "mobile", "arch": {"channels": 16, "quality": True}}}, parent)
    model = load_model(parent, "cpu")
    quality_fit.refit_head(model, records, 5)
    out = tmp_path / "refit.pth"
    quality_fit.write_checkpoint(model, parent, out, {"records": len(records)})
    saved = load_checkpoint_file(out)
    assert saved["meta"]["quality_refit"]["records"] == len(records)
    assert len(saved["meta"]["quality_refit"]["parent_sha256"]) == 64
    before = small_model.state_dict()
    changed = {k for k, v in saved["state_dict"].items() if not torch.equal(v, before[k])}
    assert changed and all(k.startswith("quality_model.") for k in changed)
    load_model(out, "cpu")  # loads strictly: same architecture


def test_a_head_without_rows_keeps_ignoring_them_after_the_fit(small_model, records):
    head = quality_fit.start_head(small_model.quality_model, fresh=True, drop_rows=True)
    channels = quality_fit.row_channels(head)
    assert channels == 16
    model = build_variant("mobile", {"channels": 16, "quality": True}, pretrained=False).eval()
    quality_fit.refit_head(model, quality_fit.without_rows(records, channels), 5, start=head)
    weight = model.quality_model.mlp[0].weight
    assert torch.all(weight[:, :channels] == 0) and torch.any(weight[:, channels:] != 0)
