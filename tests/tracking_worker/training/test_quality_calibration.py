"""Fitting the quality calibration on the tracker's own runs: the records, the fit, the written checkpoint."""

import numpy as np
import pytest
import torch

from tests.tracking_worker.training.conftest import SYNTH_CLIP
from tracking_worker.siammask import load_model
from tracking_worker.siammask.checkpoints import build_variant
from tracking_worker.siammask.mask_confidence import FEATURES
from tracking_worker.training import quality_calibration, quality_fit
from tracking_worker.training.models import load_checkpoint_file


@pytest.fixture(scope="module")
def parent(tmp_path_factory):
    torch.manual_seed(0)
    model = build_variant("mobile", {"channels": 16, "quality": True}, pretrained=False).eval()
    path = tmp_path_factory.mktemp("ckpt") / "parent.pth"
    torch.save({"state_dict": model.state_dict(),
                "meta": {"variant": "mobile", "arch": {"channels": 16, "quality": True}}}, path)
    return path


def test_the_fit_recovers_a_known_logistic_model():
    rng = np.random.default_rng(0)
    features = rng.normal([0.1, 1.5, 0.1], [0.04, 0.6, 0.03], size=(4000, 3))
    standardized = (features - features.mean(0)) / features.std(0)
    iou = 1 / (1 + np.exp(-(0.4 + standardized @ np.array([1.5, -0.8, 0.6]))))
    calibration = quality_calibration.fit(features, iou, weight_decay=0.0)
    np.testing.assert_allclose(calibration.weights, [1.5, -0.8, 0.6], atol=1e-3)
    assert calibration.bias == pytest.approx(0.4, abs=1e-3)
    np.testing.assert_allclose(calibration.predict(features), iou, atol=1e-3)


def test_records_hold_the_three_features_and_the_model_keeps_its_own_calibration(parent, clip_dir):
    model = load_model(parent, "cpu")
    model.quality_calibration = kept = object()
    records = quality_fit.collect(model, clip_dir, [SYNTH_CLIP], starts=2, progress=False,
                                  capture=quality_calibration.capture_calibration_features)
    assert model.quality_calibration is kept
    assert records.features.shape == (21, len(FEATURES))  # 7 + 7 + 3 + 4 frames, as quality_fit counts them
    assert np.all(records.features[:, 0] >= 0) and np.all(records.features[:, 0] <= 1)
    assert np.array_equal(records.features[:, 0] > 0, records.features[:, 1] > 0)  # the ratio of the share


def test_the_command_writes_the_calibration_and_an_evaluation_and_leaves_the_weights(parent, clip_dir, tmp_path):
    out = tmp_path / "calibrated.pth"
    assert quality_calibration.main(["--data", str(clip_dir), "--weights", str(parent), "--out", str(out),
                                     "--sequences", SYNTH_CLIP, "--starts", "2", "--eval-sequences", SYNTH_CLIP,
                                     "--threads", "1", "--quiet"]) == 0
    saved, before = load_checkpoint_file(out), load_checkpoint_file(parent)
    assert all(torch.equal(v, before["state_dict"][k]) for k, v in saved["state_dict"].items())
    meta = saved["meta"]["quality_calibration"]
    assert meta["features"] == list(FEATURES) and meta["fit"]["records"] == 21
    assert saved["meta"]["evaluation"]["sequences"] == [SYNTH_CLIP]
    assert 0 <= saved["meta"]["evaluation"]["J_mean"] <= 1
    assert load_model(out, "cpu").quality_calibration is not None


def test_held_out_sequences_are_refused(parent, clip_dir, tmp_path):
    with pytest.raises(ValueError, match="held-out"):
        quality_calibration.main(["--data", str(clip_dir), "--weights", str(parent), "--out", str(tmp_path / "x.pth"),
                                  "--sequences", "libby", "--quiet"])
