"""The quality calibration: its features, its stored form, and the tracker reporting it as `quality`."""

import math

import numpy as np
import pytest
import torch

from tracking_worker.siammask import Tracker, TrackerConfig, load_model
from tracking_worker.siammask.checkpoints import build_variant
from tracking_worker.siammask.crops import search_crop_side
from tracking_worker.siammask.mask_confidence import (
    FEATURES,
    QualityCalibration,
    calibration_features,
    init_fill,
)

CALIBRATION = QualityCalibration(mean=(0.1, 1.5, 0.1), std=(0.04, 0.6, 0.03), weights=(2.0, 1.0, -1.5), bias=0.3)


def test_features_are_the_foreground_share_its_ratio_to_the_init_fill_and_the_mean_probability():
    logits = torch.full((2, 4, 4), -20.0)
    logits[0, :2, :] = 20.0  # half the window above 0.5
    logits[1, 0, 0] = 0.0  # one pixel at exactly 0.5: not foreground
    features = calibration_features(logits, [0.25, 0.5])
    np.testing.assert_allclose(features[0], [0.5, 2.0, 0.5], atol=1e-6)
    np.testing.assert_allclose(features[1], [0.0, 0.0, 0.5 / 16], atol=1e-6)


def test_init_fill_is_the_box_share_of_the_first_search_crop():
    cfg = TrackerConfig.davis()
    side = round(search_crop_side(np.array([40.0, 20.0]), cfg))
    assert init_fill((40.0, 20.0), cfg) == pytest.approx(800 / side**2)


def test_prediction_is_the_logistic_of_the_standardized_features():
    features = np.array([[0.1, 1.5, 0.1], [0.14, 2.1, 0.13]])
    z = 0.3 + np.array([0.0, 2.0 * 1 + 1.0 * 1 - 1.5 * 1])
    np.testing.assert_allclose(CALIBRATION.predict(features), 1 / (1 + np.exp(-z)))


def test_meta_round_trip_and_malformed_calibrations_are_refused():
    meta = CALIBRATION.to_meta()
    assert meta["features"] == list(FEATURES)
    assert QualityCalibration.from_meta(meta) == CALIBRATION
    for broken in ({**meta, "features": ["a", "b", "c"]}, {**meta, "weights": [1.0, 2.0]},
                   {**meta, "bias": math.nan}, {**meta, "std": [0.0, 1.0, 1.0]}, {**meta, "mean": "x"},
                   {k: v for k, v in meta.items() if k != "bias"}, ["not", "a", "mapping"]):
        with pytest.raises(ValueError, match="quality calibration"):
            QualityCalibration.from_meta(broken)


@pytest.fixture(scope="module")
def small_mobile_file(tmp_path_factory):
    torch.manual_seed(0)
    model = build_variant("mobile", {"channels": 16, "quality": True}, pretrained=False).eval()
    path = tmp_path_factory.mktemp("ckpt") / "small.pth"
    meta = {"variant": "mobile", "arch": {"channels": 16, "quality": True}}
    torch.save({"state_dict": model.state_dict(), "meta": meta}, path)
    return path, meta


def frames():
    rng = np.random.default_rng(3)
    first = rng.integers(0, 255, (120, 160, 3), dtype=np.uint8)
    return first, np.roll(first, 2, axis=1)


def test_a_checkpoint_with_a_calibration_reports_it_as_quality_and_one_without_keeps_the_head(small_mobile_file, tmp_path):
    path, meta = small_mobile_file
    flat = QualityCalibration(mean=(0.0, 0.0, 0.0), std=(1.0, 1.0, 1.0), weights=(0.0, 0.0, 0.0), bias=-1.2)
    calibrated = tmp_path / "calibrated.pth"
    torch.save({"state_dict": torch.load(path)["state_dict"], "meta": {**meta, "quality_calibration": flat.to_meta()}},
               calibrated)
    first, second = frames()
    results = {}
    for name, file in (("head", path), ("calibrated", calibrated)):
        model = load_model(file, "cpu")
        tracker = Tracker(model, TrackerConfig.davis(device="cpu"))
        tracker.init(first, (50, 40, 40, 30))
        results[name] = tracker.track(second)
    assert results["calibrated"].quality == pytest.approx(1 / (1 + math.exp(1.2)))
    assert results["head"].quality != pytest.approx(results["calibrated"].quality)
    # the calibration changes only the reported quality: same box, score and mask
    assert results["head"].bbox == results["calibrated"].bbox and results["head"].score == results["calibrated"].score
    assert np.array_equal(results["head"].mask, results["calibrated"].mask)


def test_a_malformed_calibration_in_a_checkpoint_is_refused_at_load(small_mobile_file, tmp_path):
    path, meta = small_mobile_file
    broken = tmp_path / "broken.pth"
    torch.save({"state_dict": torch.load(path)["state_dict"],
                "meta": {**meta, "quality_calibration": {"features": list(FEATURES), "bias": 1.0}}}, broken)
    with pytest.raises(ValueError, match="malformed quality calibration"):
        load_model(broken, "cpu")
