"""The light variant keeps the sharp model's geometry, so the heads and the tracker run unchanged."""

import numpy as np
import pytest
import torch

from tracking_worker.siammask import Tracker, TrackerConfig
from tracking_worker.siammask.checkpoints import CheckpointMismatchError
from tracking_worker.training.models import build_model, load_trained
from tracking_worker.training.synthetic import make_clip


@pytest.fixture(scope="module")
def light():
    torch.manual_seed(0)
    return build_model("light").eval()


def test_stage_sizes_match_the_sharp_trunk(light):
    with torch.no_grad():
        stages, feature = light.features(torch.zeros(1, 3, 255, 255))
        template = light.template_feature(torch.zeros(1, 3, 127, 127))
    assert [tuple(s.shape[-2:]) for s in stages] == [(125, 125), (63, 63), (31, 31), (31, 31)]
    assert tuple(feature.shape[-2:]) == (31, 31)
    assert tuple(template.shape[-2:]) == (7, 7)


def test_heads_give_the_trackers_map_sizes(light):
    with torch.no_grad():
        kernels = light.template(torch.zeros(2, 3, 127, 127))
        out = light.search(torch.zeros(2, 3, 255, 255), kernels)
        assert out.score.shape == (2, 10, 25, 25) and out.loc.shape == (2, 20, 25, 25)
        assert light.mask_at(out, [3, 12], [4, 12]).shape == (2, 63 * 63)
        assert light.refine_at(out, [3, 12], [4, 12]).shape == (2, 127 * 127)


def test_the_tracker_runs_the_light_model(light):
    clip = make_clip(1, n_frames=3, width=160, height=120)
    ys, xs = np.nonzero(clip.masks[0])
    tracker = Tracker(light, TrackerConfig.davis(device="cpu"))
    tracker.init(clip.frames[0], (xs.min(), ys.min(), np.ptp(xs) + 1, np.ptp(ys) + 1))
    result = tracker.track(clip.frames[1])
    assert result.mask.shape == (120, 160) and result.rotated_box.shape == (4, 2)


def test_light_is_much_smaller_than_sharp(light):
    params = sum(p.numel() for p in light.parameters())
    assert params < 2_000_000  # sharp: about 21.5 M numbers


def test_light_checkpoints_round_trip_and_mismatches_are_reported(light, tmp_path):
    path = tmp_path / "light.pth"
    torch.save({"state_dict": light.state_dict(), "meta": {"variant": "light", "arch": {}}}, path)
    loaded, meta = load_trained(path)
    assert meta["variant"] == "light"
    for key, value in light.state_dict().items():
        assert torch.equal(value, loaded.state_dict()[key])
    wrong = {"state_dict": light.state_dict(), "meta": {"variant": "light", "arch": {"channels": 32}}}
    with pytest.raises(CheckpointMismatchError):
        load_trained(wrong)


def test_upsample_variant_has_no_refine_weights_and_resizes_the_mask_head():
    torch.manual_seed(0)
    model = build_model("light", {"refine": "upsample"}).eval()
    assert not any(k.startswith("refine_model.") for k in model.state_dict())
    with torch.no_grad():
        out = model.search(torch.rand(1, 3, 255, 255) * 255, model.template(torch.rand(1, 3, 127, 127) * 255))
        head = model.mask_at(out, [12], [11]).reshape(1, 1, 63, 63)
        refined = model.refine_at(out, [12], [11]).reshape(1, 1, 127, 127)
    resized = torch.nn.functional.interpolate(head, size=(127, 127), mode="bilinear", align_corners=False)
    torch.testing.assert_close(refined, resized)
