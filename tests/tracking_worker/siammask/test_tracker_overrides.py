"""A checkpoint's tuned tracker fields (meta["tracker"]) and the mask-recentring option."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest
import torch

from tracking_worker.siammask import Tracker, TrackerConfig
from tracking_worker.siammask.checkpoints import load_model, read_checkpoint, tracker_config, tracker_overrides
from tracking_worker.siammask.tracker import _recenter, _Target

STARTER = Path(__file__).resolve().parents[3] / "weights" / "starter.pth"


def with_tracker_meta(tmp_path: Path, tracker) -> Path:
    """Copy the committed starter checkpoint with meta["tracker"] set to `tracker`."""
    checkpoint = read_checkpoint(STARTER)
    path = tmp_path / "tuned.pth"
    torch.save({**checkpoint, "meta": {**checkpoint["meta"], "tracker": tracker}}, path)
    return path


def test_overrides_replace_only_the_given_fields():
    tuned = TrackerConfig.davis().with_overrides({"seg_thr": 0.5, "penalty_k": 0.08})
    assert (tuned.seg_thr, tuned.penalty_k) == (0.5, 0.08)
    assert dataclasses.replace(tuned, seg_thr=0.35, penalty_k=0.04) == TrackerConfig.davis()
    assert TrackerConfig.vot().with_overrides({}) == TrackerConfig.vot()
    assert TrackerConfig.vot().with_overrides(None) == TrackerConfig.vot()


def test_unknown_fields_are_a_clear_error():
    with pytest.raises(ValueError, match="unknown tracker fields: seg_threshold"):
        TrackerConfig.davis().with_overrides({"seg_threshold": 0.5})


@pytest.mark.parametrize("field, value", [("device", "cuda"), ("precision", "fast"), ("exemplar_size", 127),
                                          ("refine", False), ("lost_patience", 3)])
def test_runtime_and_geometry_fields_cannot_come_from_a_checkpoint(field, value):
    with pytest.raises(ValueError, match=f"may not set: {field}"):
        TrackerConfig.davis().with_overrides({field: value})


@pytest.mark.parametrize("overrides", [{"seg_thr": 1.5}, {"lr": "fast"}, {"penalty_k": -0.1},
                                       {"context_amount": 0.0}, {"window_influence": math.nan},
                                       {"recenter_weight": 2.0}, {"lr": True}])
def test_bad_values_are_a_clear_error(overrides):
    with pytest.raises(ValueError, match=next(iter(overrides))):
        TrackerConfig.davis().with_overrides(overrides)


def test_a_checkpoint_without_tuned_fields_tracks_with_the_official_config():
    checkpoint = read_checkpoint(STARTER)
    assert tracker_overrides(checkpoint) == {} and tracker_overrides({"a.weight": 0}) == {}
    assert tracker_config(checkpoint) == TrackerConfig.davis()


def test_a_checkpoint_carries_its_tuned_fields(tmp_path):
    checkpoint = read_checkpoint(with_tracker_meta(tmp_path, {"seg_thr": 0.45, "lr": 0.5}))
    assert tracker_overrides(checkpoint) == {"seg_thr": 0.45, "lr": 0.5}
    assert tracker_config(checkpoint) == TrackerConfig.davis(seg_thr=0.45, lr=0.5)
    load_model(checkpoint)  # the extra metadata does not disturb the strict load


def test_a_checkpoint_with_bad_tuned_fields_is_refused(tmp_path):
    checkpoint = read_checkpoint(with_tracker_meta(tmp_path, {"device": "cuda"}))
    with pytest.raises(ValueError, match="may not set: device"):
        tracker_overrides(checkpoint)
    with pytest.raises(ValueError, match="must be a dict"):
        tracker_overrides({"meta": {"tracker": [0.5]}})


def test_evaluation_uses_the_checkpoint_fields_unless_a_config_is_chosen(tmp_path):
    from tracking_worker.evaluation.run import tracker_factory

    path = with_tracker_meta(tmp_path, {"seg_thr": 0.45})
    assert tracker_factory(path).config == TrackerConfig.davis(seg_thr=0.45)
    assert tracker_factory(path, precision="fast").config == TrackerConfig.davis(seg_thr=0.45, precision="fast")
    assert tracker_factory(path, "davis").config == TrackerConfig.davis()
    assert tracker_factory(path, "vot").config == TrackerConfig.vot()
    with pytest.raises(ValueError, match="unknown tracker fields"):
        tracker_factory(with_tracker_meta(tmp_path, {"nope": 1}))


def test_the_track_cli_refuses_bad_tuned_fields(tmp_path, squares_clip, squares_boxes, capsys):
    import cv2

    from tracking_worker import track

    frames = tmp_path / "frames"
    frames.mkdir()
    for i, frame in enumerate(squares_clip[:3]):
        cv2.imwrite(str(frames / f"{i:05d}.png"), frame)
    box = ",".join(str(int(v)) for v in squares_boxes[0])
    args = ["--frames", str(frames), "--box", box, "--out", str(tmp_path / "out.json"), "--device", "cpu"]
    assert track.main(["--weights", str(with_tracker_meta(tmp_path, {"lr": 3.0})), *args]) == 1
    assert "lr must be in [0, 1]" in capsys.readouterr().err
    assert track.main(["--weights", str(with_tracker_meta(tmp_path, {"lr": 0.5})), *args]) == 0


def make_target(center) -> _Target:
    return _Target(np.array(center, dtype=np.float64), np.array([20.0, 20.0]), np.zeros(3), (100, 100), None, 0.04)


def test_recentring_moves_the_centre_towards_the_mask_centroid():
    window = np.zeros((10, 10), dtype=bool)
    window[2:4, 6:8] = True  # pixels 6..7 x 2..3: their centres average (7.0, 3.0)
    config = TrackerConfig.davis(recenter_weight=0.5)
    target = make_target([40.0, 40.0])
    _recenter(target, window, (30, 20), 0.9, config)
    centroid = np.array([30 + 7.0, 20 + 3.0])  # plus the window's origin
    np.testing.assert_allclose(target.center, (np.array([40.0, 40.0]) + centroid) / 2)


def test_recentring_needs_a_confident_nonempty_mask():
    window = np.zeros((10, 10), dtype=bool)
    config = TrackerConfig.davis(recenter_weight=1.0, recenter_min_confidence=0.6)
    target = make_target([40.0, 40.0])
    _recenter(target, window, (0, 0), 0.9, config)  # empty mask
    window[0, 0] = True
    _recenter(target, window, (0, 0), 0.5, config)  # not confident
    np.testing.assert_array_equal(target.center, [40.0, 40.0])


def test_recentring_off_is_the_official_tracker_and_on_follows_the_mask(squares_clip, squares_boxes):
    model = load_model(STARTER, device="cpu")

    def run(config):
        tracker = Tracker(model, dataclasses.replace(config, device="cpu"))
        tracker.init(squares_clip[0], squares_boxes[0])
        return [tracker.track(frame) for frame in squares_clip[1:4]]

    official, off, on = (run(TrackerConfig.davis()),
                         run(TrackerConfig.davis(recenter_weight=0.0, recenter_min_confidence=0.0)),
                         run(TrackerConfig.davis(recenter_weight=1.0, recenter_min_confidence=0.0)))
    for a, b in zip(official, off):
        assert a.bbox == b.bbox and a.score == b.score
        np.testing.assert_array_equal(a.mask, b.mask)
    # fully on, the state's centre is the mask's centroid whenever the mask is nonempty
    first = on[0]
    ys, xs = np.nonzero(first.mask)
    assert xs.size, "the starter model should find the square"
    x, y, w, h = first.bbox
    np.testing.assert_allclose((x + w / 2, y + h / 2), (xs.mean() + 0.5, ys.mean() + 0.5), atol=1e-6)
    assert first.bbox != official[0].bbox
