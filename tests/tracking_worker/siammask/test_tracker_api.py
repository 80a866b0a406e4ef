"""The public tracker API validates its inputs and returns the documented shapes."""

from __future__ import annotations

import copy
import dataclasses

import numpy as np
import pytest
import torch

from tracking_worker.siammask import MultiTracker, Tracker, TrackerConfig
from tracking_worker.siammask.tracker import ModelOutputError, TrackResult

CPU = TrackerConfig.davis(device="cpu")


@pytest.fixture
def tracker(random_model):
    return Tracker(random_model, CPU)


def test_result_has_the_documented_fields(tracker, squares_clip, squares_boxes):
    tracker.init(squares_clip[0], squares_boxes[0])
    result = tracker.track(squares_clip[1])
    assert isinstance(result, TrackResult)
    assert isinstance(result.score, float)
    assert len(result.bbox) == 4 and all(isinstance(v, float) for v in result.bbox)
    assert result.rotated_box.shape == (4, 2) and result.rotated_box.dtype == np.float64
    assert result.mask.shape == squares_clip[0].shape[:2] and result.mask.dtype == bool


def test_bbox_stays_inside_the_official_clamp(tracker, squares_clip, squares_boxes):
    tracker.init(squares_clip[0], squares_boxes[0])
    height, width = squares_clip[0].shape[:2]
    for frame in squares_clip[1:3]:
        x, y, w, h = tracker.track(frame).bbox
        assert 0 <= x + w / 2 <= width and 0 <= y + h / 2 <= height
        assert 10 <= w <= width and 10 <= h <= height


@pytest.mark.parametrize(
    "box",
    [(10, 10, 0, 5), (10, 10, 5, -1), (500, 10, 5, 5), (-20, 10, 10, 5), (1, 2, 3), (1, 2, float("nan"), 4)],
)
def test_bad_boxes_are_refused(tracker, squares_clip, box):
    with pytest.raises(ValueError):
        tracker.init(squares_clip[0], box)


@pytest.mark.parametrize(
    ("frame", "error"),
    [
        (np.zeros((20, 30, 3), dtype=np.float32), TypeError),
        (np.zeros((20, 30), dtype=np.uint8), ValueError),
        (np.zeros((20, 30, 4), dtype=np.uint8), ValueError),
        ([[0, 0, 0]], TypeError),
    ],
)
def test_bad_frames_are_refused(tracker, frame, error):
    with pytest.raises(error):
        tracker.init(frame, (1, 1, 5, 5))


def test_track_before_init_is_refused(tracker, squares_clip):
    with pytest.raises(RuntimeError, match="init"):
        tracker.track(squares_clip[0])


def test_frame_size_change_is_refused(tracker, squares_clip, squares_boxes):
    tracker.init(squares_clip[0], squares_boxes[0])
    with pytest.raises(ValueError, match="frame"):
        tracker.track(squares_clip[1][:, :100])


def test_refine_off_uses_the_mask_head(random_model, squares_clip, squares_boxes):
    tracker = Tracker(random_model, dataclasses.replace(CPU, refine=False))
    tracker.init(squares_clip[0], squares_boxes[0])
    assert tracker.track(squares_clip[1]).mask.shape == squares_clip[0].shape[:2]


def test_configs_hold_the_official_values():
    davis, vot = TrackerConfig.davis(), TrackerConfig.vot()
    assert (davis.penalty_k, davis.window_influence, davis.lr, davis.seg_thr) == (0.04, 0.4, 1.0, 0.35)
    assert (vot.penalty_k, vot.window_influence, vot.lr, vot.seg_thr) == (0.04, 0.42, 0.25, 0.30)
    assert davis.score_size == 25 and davis.anchor_num == 5
    with pytest.raises(dataclasses.FrozenInstanceError):
        davis.lr = 0.5  # type: ignore[misc]


def test_objects_of_another_frame_size_are_refused(random_model, squares_clip, squares_boxes):
    multi = MultiTracker(random_model, CPU)
    multi.add("a", squares_clip[0], squares_boxes[0])
    with pytest.raises(ValueError, match="one clip"):
        multi.add("b", squares_clip[0][:100, :100], (10, 10, 20, 20))


def test_result_window_holds_every_mask_pixel(tracker, squares_clip, squares_boxes):
    """The pipeline measures and encodes the mask from `window` alone (propagation/runner.py)."""
    from annotator.masks import encode_mask, encode_window_mask

    tracker.init(squares_clip[0], squares_boxes[0])
    for frame in squares_clip[1:4]:
        result = tracker.track(frame)
        x0, y0, window = result.window
        h, w = window.shape
        assert np.array_equal(result.mask[y0 : y0 + h, x0 : x0 + w], window)
        assert result.mask.sum() == window.sum()
        assert encode_window_mask(window, (x0, y0), result.mask.shape) == encode_mask(result.mask)


@pytest.mark.parametrize("branch", ["cls", "refine"])
def test_nan_network_output_stops_with_a_clear_error(random_model, squares_clip, squares_boxes, branch):
    # damaged weights (or float16 overflow) must not become NaN boxes in the database, where they
    # would break every JSON response that carries them
    model = copy.deepcopy(random_model)
    last = model.rpn_model.cls.head[-1].bias if branch == "cls" else list(model.refine_model.parameters())[-1]
    with torch.no_grad():
        last.fill_(float("nan"))
    tracker = Tracker(model, CPU)
    tracker.init(squares_clip[0], squares_boxes[0])
    with pytest.raises(ModelOutputError, match="NaN or infinite .*weights may be damaged"):
        tracker.track(squares_clip[1])
