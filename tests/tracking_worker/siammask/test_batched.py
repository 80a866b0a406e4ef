"""Several objects tracked together (one batched pass per frame) equal each tracked alone."""

from __future__ import annotations

import numpy as np
import pytest

from tracking_worker.siammask import MultiTracker, Tracker, TrackerConfig

CPU = TrackerConfig.davis(device="cpu")


def track_alone(model, config, frames, box, start=0):
    tracker = Tracker(model, config)
    tracker.init(frames[start], box)
    return [tracker.track(frame) for frame in frames[start + 1 :]]


def assert_same(batched, alone, where):
    # float32 convolutions may round differently with another batch size: tiny tolerances
    assert abs(batched.score - alone.score) < 1e-4, where
    np.testing.assert_allclose(batched.bbox, alone.bbox, atol=1e-3, rtol=0, err_msg=where)
    np.testing.assert_allclose(batched.rotated_box, alone.rotated_box, atol=0.1, rtol=0, err_msg=where)
    differing = np.count_nonzero(batched.mask != alone.mask)
    assert differing <= max(2, alone.mask.sum() // 1000), f"{where}: {differing} mask pixels differ"


N_FRAMES = 3  # init + 2 tracked frames keeps the CPU suite short


@pytest.fixture(scope="module")
def squares_alone(random_model, squares_clip, squares_boxes):
    return [track_alone(random_model, CPU, squares_clip[:N_FRAMES], box) for box in squares_boxes]


@pytest.mark.parametrize("max_batch", [16, 2])
def test_objects_tracked_together_equal_each_tracked_alone(
    random_model, squares_clip, squares_boxes, squares_alone, max_batch
):
    multi = MultiTracker(random_model, CPU, max_batch=max_batch)
    for obj_id, box in enumerate(squares_boxes):
        multi.add(obj_id, squares_clip[0], box)
    together = [multi.track(frame) for frame in squares_clip[1:N_FRAMES]]
    for obj_id, alone_steps in enumerate(squares_alone):
        for step, alone in enumerate(alone_steps):
            assert_same(together[step][obj_id], alone, f"object {obj_id}, step {step}")


def test_object_added_later_and_removed(random_model, squares_clip, squares_boxes):
    multi = MultiTracker(random_model, CPU)
    multi.add("a", squares_clip[0], squares_boxes[0])
    multi.track(squares_clip[1])
    multi.add("b", squares_clip[1], squares_boxes[1])
    results = multi.track(squares_clip[2])
    assert set(results) == {"a", "b"}
    alone_b = track_alone(random_model, CPU, squares_clip[:3], squares_boxes[1], start=1)
    assert_same(results["b"], alone_b[0], "object b added on frame 1")
    multi.remove("a")
    assert multi.object_ids == ["b"]
    assert set(multi.track(squares_clip[3])) == {"b"}
    with pytest.raises(KeyError):
        multi.remove("a")


def test_no_objects_gives_no_results(random_model, squares_clip):
    assert MultiTracker(random_model, CPU).track(squares_clip[0]) == {}


def test_tennis_objects_tracked_together_equal_each_tracked_alone(seed1_model, tennis_frame):
    frames = [tennis_frame(i) for i in range(N_FRAMES)]
    boxes = {"player": (300, 110, 165, 250), "racket": (420, 60, 70, 60), "court": (20, 380, 200, 90)}
    multi = MultiTracker(seed1_model, CPU)
    for obj_id, box in boxes.items():
        multi.add(obj_id, frames[0], box)
    together = [multi.track(frame) for frame in frames[1:]]
    for obj_id, box in boxes.items():
        for step, alone in enumerate(track_alone(seed1_model, CPU, frames, box)):
            assert_same(together[step][obj_id], alone, f"{obj_id}, step {step}")
