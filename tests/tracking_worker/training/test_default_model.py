"""The built-in default model (weights/mobile.pth): small, described by its training code, and it tracks.

The real-video check runs on the held-out DAVIS 2016 sequences when ../shared/data is present;
the generated clip runs everywhere.
"""

from pathlib import Path

import cv2
import numpy as np
import pytest
import torch

from tracking_worker.evaluate import default_weights
from tracking_worker.evaluation.metrics import region_similarity
from tracking_worker.siammask import Tracker, TrackerConfig, load_model

ROOT = Path(__file__).resolve().parents[3]
MOBILE = ROOT / "weights" / "mobile.pth"
DAVIS = ROOT.parent / "shared" / "data" / "davis2016"
HELD_OUT = ("dance-twirl", "kite-surf", "libby")


@pytest.fixture(scope="module")
def model():
    torch.set_num_threads(2)
    return load_model(MOBILE, device="cpu")


def test_it_is_the_evaluation_default_small_and_described_by_its_training_code():
    assert default_weights() == MOBILE
    assert MOBILE.stat().st_size < 20 * 1024 * 1024
    meta = torch.load(MOBILE, map_location="cpu", weights_only=True)["meta"]
    assert meta["variant"] == "mobile" and meta["arch"]["quality"] is True
    assert len(meta["config_sha256"]) == 64 and meta["steps"] > 0 and meta["train_seconds"] > 0
    assert meta["command"].startswith("train.py") or "tracking_worker" in meta["command"]
    assert "cores" in meta["machine"]
    sources = meta["recipe"]["data"]["sources"]
    # the held-out sequences were never read by training
    assert all(not set(HELD_OUT) & set(s.get("sequences", [])) for s in sources)
    assert all(s.get("sequences") for s in sources if s["type"] in ("davis", "paste"))
    evaluation = meta["evaluation"]
    assert sorted(evaluation["sequences"]) == sorted(HELD_OUT)
    assert 0 < evaluation["J_mean"] <= 1 and 0 <= evaluation["quality_auc"] <= 1
    # its quality comes from a calibration fitted on the training sequences only (mask_confidence.py)
    fit = meta["quality_calibration"]["fit"]
    assert fit["sequences"] and not set(HELD_OUT) & set(fit["sequences"])
    assert load_model(MOBILE, device="cpu").quality_calibration is not None


def gliding_rectangle(frames: int = 12):
    """A 48x60 smooth-noise rectangle moving (8, 3) px a frame over a 320x240 smooth-noise background."""
    rng = np.random.default_rng(0)

    def texture(height, width):
        noise = cv2.GaussianBlur(rng.normal(size=(height, width, 3)).astype(np.float32), (0, 0), 3.0)
        return ((noise - noise.min()) / (noise.max() - noise.min()) * 255).astype(np.uint8)

    background, patch = texture(240, 320), texture(60, 48)
    images, masks = [], []
    for i in range(frames):
        mask = np.zeros((240, 320), bool)
        mask[80 + 3 * i : 140 + 3 * i, 60 + 8 * i : 108 + 8 * i] = True
        image = background.copy()
        image[mask] = patch.reshape(-1, 3)
        images.append(image)
        masks.append(mask)
    return images, masks


def test_it_follows_an_unseen_textured_object(model):
    # measured 2026-11-30: box centre within 1-11 px on every frame, mean J 0.22 (the masks of
    # an object unlike the 8 training ones cover about a third of it: docs/models.md)
    frames, masks = gliding_rectangle()
    ys, xs = np.nonzero(masks[0])
    tracker = Tracker(model, TrackerConfig.davis(device="cpu"))
    tracker.init(frames[0], (xs.min(), ys.min(), np.ptp(xs) + 1, np.ptp(ys) + 1))
    j = []
    for frame, mask in zip(frames[1:], masks[1:]):
        result = tracker.track(frame)
        assert result.quality is not None and 0.0 <= result.quality <= 1.0
        ys, xs = np.nonzero(mask)
        x, y, w, h = result.bbox
        assert np.hypot(x + w / 2 - xs.mean(), y + h / 2 - ys.mean()) < 16
        j.append(region_similarity(result.mask, mask))
    assert np.mean(j) > 0.15


@pytest.mark.skipif(not DAVIS.is_dir(), reason=f"{DAVIS} absent: the real-video check needs ../shared/data")
def test_held_out_figures_reproduce_and_beat_copying_the_first_mask(model):
    from tracking_worker.evaluation.baselines import baseline_factory
    from tracking_worker.evaluation.report import summarize
    from tracking_worker.evaluation.run import evaluate_tracker

    recorded = torch.load(MOBILE, map_location="cpu", weights_only=True)["meta"]["evaluation"]
    ours = summarize(evaluate_tracker(DAVIS, lambda: Tracker(model, TrackerConfig.davis(device="cpu")),
                                      sequences=HELD_OUT, progress=False))
    copy = summarize(evaluate_tracker(DAVIS, baseline_factory("copy-first"), sequences=HELD_OUT, progress=False))
    # float rounding may differ between CPUs; the recorded figure must hold to two decimals
    assert abs(ours["J_mean"] - recorded["J_mean"]) < 0.01
    assert ours["J_mean"] > copy["J_mean"] + 0.05
