"""The fast precision: what it converts, that exact stays untouched, and its accuracy on real video.

Accuracy is measured where it means something: trained weights on the held-out DAVIS 2016
sequences (docs/tracker.md). Those checks skip with their reason when ../shared/data, a CPU with
native bfloat16 or an official checkpoint is missing.
"""

import dataclasses
import os
from pathlib import Path

import numpy as np
import pytest
import torch

from tracking_worker.siammask import Tracker, TrackerConfig, load_model
from tracking_worker.siammask.precision import cpu_has_native_bf16, model_for
from tracking_worker.training.synthetic import make_clip

ROOT = Path(__file__).resolve().parents[3]
MOBILE = ROOT / "weights" / "mobile.pth"
LIGHT = ROOT / "weights" / "starter.pth"
DAVIS = ROOT.parent / "shared" / "data" / "davis2016"
HELD_OUT = ["dance-twirl", "kite-surf", "libby"]
OFFICIAL = Path(os.environ.get("SIAMLABEL_OFFICIAL_CHECKPOINT", ROOT / "weights" / "SiamMask_DAVIS.pth"))
needs_bf16 = pytest.mark.skipif(not cpu_has_native_bf16(), reason="this CPU has no native bfloat16 "
                                "(AVX-512 BF16 / AMX): fast runs float32 here, nothing to measure")
needs_davis = pytest.mark.skipif(not DAVIS.is_dir(), reason=f"{DAVIS} absent: the accuracy check needs ../shared/data")


@pytest.fixture(scope="module")
def mobile():
    torch.set_num_threads(2)
    return load_model(MOBILE, device="cpu")


@pytest.fixture(scope="module")
def light():
    torch.set_num_threads(2)
    return load_model(LIGHT, device="cpu")


def test_precision_is_checked():
    with pytest.raises(ValueError, match="precision"):
        TrackerConfig.davis(precision="half")
    assert dataclasses.replace(TrackerConfig.davis(), precision="fast").precision == "fast"


def test_exact_runs_the_model_itself_and_fast_a_cached_copy(mobile):
    cpu = torch.device("cpu")
    assert model_for(mobile, cpu, "exact") is mobile
    fast = model_for(mobile, cpu, "fast")
    assert fast is not mobile and model_for(mobile, cpu, "fast") is fast
    assert all(p.dtype == torch.float32 for p in mobile.parameters()), "exact weights must stay float32"


@needs_bf16
@pytest.mark.parametrize("variant, kept", [("mobile", 7), ("light", None)])
def test_fast_keeps_the_sensitive_parts_in_float32(variant, kept, request):
    # kept: the leading trunk layers whose float32 the held-out check below needs, None for all
    # of the extractor (docs/tracker.md)
    fast = model_for(request.getfixturevalue(variant), torch.device("cpu"), "fast")
    extractor = fast.features.inner
    layers = extractor.features.layer_sequence()
    assert extractor.float32_layers == kept
    split = len(layers) if kept is None else kept
    low = torch.float32 if kept is None else torch.bfloat16
    assert all(p.dtype == torch.float32 for layer in layers[:split] for p in layer.parameters())
    assert all(p.dtype == low for layer in layers[split:] for p in layer.parameters())
    assert all(p.dtype == low for p in extractor.downsample.parameters())
    for head in (fast.rpn_model, fast.mask_model, fast.refine_model, fast.quality_model):
        assert head is None or all(p.dtype == torch.float32 for p in head.parameters())


def test_fast_tracks_a_clip_like_exact(mobile):
    clip = make_clip(3, 12, width=320, height=240)
    ys, xs = np.nonzero(clip.masks[0])
    box = (xs.min(), ys.min(), xs.max() - xs.min() + 1, ys.max() - ys.min() + 1)
    runs = {}
    for precision in ("exact", "fast"):
        tracker = Tracker(mobile, TrackerConfig.davis(device="cpu", precision=precision))
        tracker.init(clip.frames[0], box)
        runs[precision] = [tracker.track(frame) for frame in clip.frames[1:]]
    ious = []
    for exact, fast in zip(runs["exact"], runs["fast"]):
        assert fast.mask.shape == exact.mask.shape and fast.mask.dtype == bool
        ious.append((exact.mask & fast.mask).sum() / max((exact.mask | fast.mask).sum(), 1))
        centres = [np.array(r.bbox[:2]) + np.array(r.bbox[2:]) / 2 for r in (exact, fast)]
        assert np.hypot(*(centres[0] - centres[1])) < 4
        assert abs(fast.score - exact.score) < 0.05
    # objects of 300-500 px: a one-pixel rim is a fifth of the IoU
    assert np.mean(ious) > 0.7 and min(ious) > 0.5, ious


@needs_davis
@needs_bf16
@pytest.mark.parametrize("weights", [MOBILE, LIGHT], ids=["mobile", "light"])
def test_fast_on_held_out_davis_is_within_a_hundredth_of_exact(weights):
    from tracking_worker.evaluation.precision_check import compare_precisions

    torch.set_num_threads(2)
    report = compare_precisions(DAVIS, weights, HELD_OUT)
    assert abs(report["delta_J"]) <= 0.01, report
    assert abs(report["delta_F"]) <= 0.01, report
    assert report["frames"] > 150 and 0 <= report["frame_iou_worst"] <= report["frame_iou_mean"] <= 1


@needs_davis
@needs_bf16
@pytest.mark.skipif(not OFFICIAL.is_file(), reason=f"no official checkpoint at {OFFICIAL} (manage.py fetch_weights "
                    "davis, or SIAMLABEL_OFFICIAL_CHECKPOINT): fast stays unmeasured on the sharp model")
def test_fast_sharp_on_the_official_checkpoint_is_within_a_hundredth_of_exact():
    from tracking_worker.evaluation.precision_check import compare_precisions

    torch.set_num_threads(2)
    report = compare_precisions(DAVIS, OFFICIAL, HELD_OUT)
    assert abs(report["delta_J"]) <= 0.01, report
    assert abs(report["delta_F"]) <= 0.01, report
