"""The mobile variant: the pretrained MobileNetV2 trunk, its geometry, checkpoints and quality."""

import numpy as np
import pytest
import torch

from tracking_worker.siammask import CheckpointMismatchError, MultiTracker, Tracker, TrackerConfig, load_model
from tracking_worker.siammask.checkpoints import build_variant
from tracking_worker.siammask.network.mobile import MobileTrunk
from tracking_worker.siammask.network.mobilenet_v2 import MobileNetV2, load_pretrained, weights_path


@pytest.fixture(scope="module")
def mobile():
    torch.manual_seed(0)
    return build_variant("mobile", {"channels": 32}, pretrained=True).eval()


def test_pretrained_weights_load_strictly_into_the_full_network():
    net = load_pretrained(MobileNetV2())
    state = torch.load(weights_path(), map_location="cpu", weights_only=True)
    assert len(state) == 312
    assert torch.equal(net.state_dict()["features.17.conv.6.weight"], state["features.17.conv.6.weight"])
    params = sum(p.numel() for p in net.parameters())
    assert 2.2e6 < params < 2.3e6  # 2.22 M in the file's 19 modules, no classifier


def test_a_file_that_does_not_fit_is_refused_with_the_names(tmp_path):
    state = torch.load(weights_path(), map_location="cpu", weights_only=True)
    del state["features.3.conv.0.weight"]
    state["features.4.conv.6.weight"] = torch.zeros(7, 7, 1, 1)
    state["classifier.weight"] = torch.zeros(2)
    path = tmp_path / "bad.pt"
    torch.save(state, path)
    with pytest.raises(CheckpointMismatchError) as caught:
        load_pretrained(MobileNetV2(), path)
    message = str(caught.value)
    assert "features.3.conv.0.weight" in message and "classifier.weight" in message
    assert "features.4.conv.6.weight (7, 7, 1, 1)" in message


def test_output_stride_8_keeps_the_weights_and_resolution():
    plain, dilated = MobileNetV2(32), MobileNetV2(8)
    assert {k: v.shape for k, v in plain.state_dict().items()} == {k: v.shape for k, v in dilated.state_dict().items()}
    assert dilated.features[7].conv[3].stride == (1, 1) and dilated.features[7].conv[3].dilation == (2, 2)
    assert dilated.features[14].conv[3].dilation == (4, 4)
    with torch.no_grad():
        assert dilated(torch.zeros(1, 3, 64, 64)).shape[-1] == 8
        assert plain(torch.zeros(1, 3, 64, 64)).shape[-1] == 2


def test_maps_have_the_trackers_sizes(mobile):
    with torch.no_grad():
        kernels = mobile.template(torch.rand(2, 3, 127, 127) * 255)
        out = mobile.search(torch.rand(2, 3, 255, 255) * 255, kernels)
        assert kernels.cls.shape == (2, 32, 5, 5)
        assert out.score.shape == (2, 10, 25, 25) and out.loc.shape == (2, 20, 25, 25)
        assert [s.shape[-1] for s in out.stages] == [128, 64, 32, 32]
        assert mobile.refine_at(out, [3, 12], [20, 12]).shape == (2, 127 * 127)
        quality = mobile.quality_at(out, [3, 12], [20, 12], mobile.mask_at(out, [3, 12], [20, 12]))
        assert quality.shape == (2,) and bool(((quality >= 0) & (quality <= 1)).all())


def _centroid_of_influence(trunk_out_index: int, cell: int, side: int) -> np.ndarray:
    """Where in the input the given stride-8 cell looks: the centroid of |d output / d input|."""
    torch.manual_seed(0)
    trunk = MobileTrunk().eval()
    for module in trunk.modules():  # symmetric weights: the centroid is then the cell's centre
        if isinstance(module, torch.nn.Conv2d):
            torch.nn.init.constant_(module.weight, 0.01)
    image = torch.full((1, 3, side, side), 128.0, requires_grad=True)
    trunk(image)[trunk_out_index][0, :, cell, cell].sum().backward()
    weight = image.grad.abs().sum(1)[0].numpy()
    ys, xs = np.mgrid[:side, :side]
    return np.array([(weight * xs).sum(), (weight * ys).sum()]) / weight.sum()


def test_cells_are_centred_where_the_anchors_are():
    # search: adjusted cell 15 (of 31) is trunk cell 16, centred on crop pixel 127
    assert np.allclose(_centroid_of_influence(3, 16, 255), [127, 127], atol=1.0)
    # template: the 7x7 kept is cells 5..11, centred on cell 8 = crop pixel 63
    assert np.allclose(_centroid_of_influence(3, 8, 127), [63, 63], atol=1.0)


def test_checkpoint_round_trip_and_tracking_returns_quality(mobile, tmp_path):
    path = tmp_path / "mobile.pth"
    torch.save({"state_dict": mobile.state_dict(), "meta": {"variant": "mobile", "arch": {"channels": 32}}}, path)
    loaded = load_model(path, device="cpu")
    assert all(torch.equal(a, b) for a, b in zip(mobile.state_dict().values(), loaded.state_dict().values()))
    frame = np.full((120, 160, 3), 90, np.uint8)
    frame[40:80, 60:100] = (30, 200, 240)
    tracker = Tracker(loaded, TrackerConfig.davis(device="cpu"))
    tracker.init(frame, (60, 40, 40, 40))
    result = tracker.track(frame)
    assert result.mask.shape == frame.shape[:2]
    assert isinstance(result.quality, float) and 0.0 <= result.quality <= 1.0


def test_a_mobile_checkpoint_without_its_quality_head_is_refused(mobile):
    state = {k: v for k, v in mobile.state_dict().items() if not k.startswith("quality_model.")}
    with pytest.raises(CheckpointMismatchError, match="quality_model"):
        load_model({"state_dict": state, "meta": {"variant": "mobile", "arch": {"channels": 32}}}, device="cpu")


def test_models_without_a_quality_head_report_none():
    light = build_variant("light", {"widths": [8, 8, 16, 16], "channels": 16, "blocks": [1, 1, 1]}).eval()
    frame = np.full((100, 100, 3), 80, np.uint8)
    multi = MultiTracker(light, TrackerConfig.davis(device="cpu"))
    multi.add("a", frame, (30, 30, 40, 40))
    assert multi.track(frame)["a"].quality is None


def test_unknown_variant_is_named():
    with pytest.raises(ValueError, match="unknown model variant 'tiny'.*mobile"):
        load_model({"state_dict": {}, "meta": {"variant": "tiny"}}, device="cpu")


def test_the_frozen_trunk_equals_the_module_within_rounding(mobile):
    features = build_variant("mobile", {"channels": 32}, pretrained=True).features.eval()
    features.load_state_dict(mobile.features.state_dict())
    image = torch.rand(2, 3, 255, 255) * 255
    with torch.no_grad():
        stages, adjusted = features(image)
        features.freeze_trunk()
        frozen_stages, frozen_adjusted = features(image)
        features.unfreeze_trunk()
    for a, b in zip((*stages, adjusted), (*frozen_stages, frozen_adjusted)):
        assert torch.allclose(a, b, atol=1e-3, rtol=1e-4)


def test_a_tracker_per_job_reuses_the_frozen_trunk_until_the_weights_change():
    torch.manual_seed(0)
    features = build_variant("mobile", {"channels": 32}, pretrained=False).features.eval()
    features.freeze_trunk()
    graph = features._frozen_trunk
    features.freeze_trunk()  # what the next job's MultiTracker does: tracing again took seconds
    assert features._frozen_trunk is graph
    with torch.no_grad():
        next(features.features.parameters()).mul_(2)  # an in-place change (load_state_dict, a training step)
    features.freeze_trunk()
    assert features._frozen_trunk is not graph
    image = torch.rand(1, 3, 127, 127) * 255
    with torch.no_grad():
        frozen = features(image)[1]
        features.unfreeze_trunk()
        assert torch.allclose(frozen, features(image)[1], atol=1e-3, rtol=1e-4)


def test_a_partly_frozen_trunk_equals_the_module_and_only_its_suffix_learns(mobile):
    features = build_variant("mobile", {"channels": 32}, pretrained=True).features.eval()
    features.load_state_dict(mobile.features.state_dict())
    image = torch.rand(2, 3, 255, 255) * 255
    with torch.no_grad():
        stages, adjusted = features(image)
    layers = features.features.features
    for index, layer in enumerate(layers):
        layer.requires_grad_(index >= 11)
    layers[12].train()
    features.freeze_trunk(upto=11)  # what a stage training features.11-13 does
    assert layers[12].training and not layers[3].training  # tracing leaves the learning part's mode
    layers[12].eval()
    partial_stages, partial_adjusted = features(image)
    for a, b in zip((*stages, adjusted), (*partial_stages, partial_adjusted)):
        assert torch.allclose(a, b, atol=1e-3, rtol=1e-4)
    partial_adjusted.sum().backward()
    assert all(p.grad is not None for p in layers[11:].parameters())
    assert all(p.grad is None for p in layers[:11].parameters())
    features.unfreeze_trunk()
