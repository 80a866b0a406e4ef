"""Scribble refinement (annotator/services/grabcut.py): GrabCut seeded by a mask and strokes."""

import cv2
import numpy as np
import pytest

from annotator.services.errors import ServiceError
from annotator.services.grabcut import Stroke, grabcut_at_most, near_strokes, paint_strokes, refine_mask

H, W = 240, 320


def iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / max(1, (a | b).sum()))


def ellipse(centre, axes) -> np.ndarray:
    mask = np.zeros((H, W), np.uint8)
    cv2.ellipse(mask, centre, axes, 15, 0, 360, 1, -1)
    return mask.astype(bool)


@pytest.fixture
def scene():
    """A warm textured ellipse on a cool noisy background, and its true mask."""
    rng = np.random.default_rng(1)
    frame = cv2.GaussianBlur(rng.integers(0, 255, (H, W, 3), dtype=np.uint8), (0, 0), 2) // 3 + np.uint8(40)
    truth = ellipse((160, 120), (60, 40))
    object_pixels = rng.integers(0, 50, (H, W, 3), dtype=np.uint8) + np.array([30, 100, 190], np.uint8)
    frame[truth] = object_pixels[truth]
    return frame, truth


def test_refine_recovers_the_object_from_a_drifted_mask(scene):
    frame, truth = scene
    drifted = ellipse((180, 126), (50, 34))  # shifted right and too small, like a tracker's drift
    strokes = [Stroke(foreground=True, radius=4, points_xy=[(115, 120), (130, 120)]),
               Stroke(foreground=False, radius=4, points_xy=[(235, 110), (235, 140)])]
    before = iou(drifted, truth)
    assert before < 0.7
    # unconfined, GrabCut over the whole window redraws every pixel of this easy scene
    assert iou(refine_mask(frame, drifted, strokes, confined=False).mask, truth) > 0.9
    # confined (the API), it fixes what lies near the strokes and leaves the rest of the mask alone
    result = refine_mask(frame, drifted, strokes)
    assert iou(result.mask, truth) > before + 0.1
    near = near_strokes(paint_strokes(strokes, H, W, foreground=True) | paint_strokes(strokes, H, W, foreground=False),
                        strokes)
    assert np.array_equal(result.mask[~near], drifted[~near])
    assert iou(result.mask[near], truth[near]) > 0.9


def test_a_stroke_does_not_flood_background_that_shares_the_objects_colours():
    """A QA pass saw one stroke across a player's legs spread the mask over a wall and a court whose
    colours the legs share; GrabCut may add only near the mask or the stroke."""
    rng = np.random.default_rng(2)
    frame = (rng.integers(0, 30, (H, W, 3), dtype=np.uint8) + np.array([200, 60, 30], np.uint8))  # blue ground
    object_colour = np.array([40, 110, 190], np.uint8)
    frame[:, 200:] = rng.integers(0, 30, (H, W - 200, 3), dtype=np.uint8) + object_colour  # a wall of that colour
    truth = ellipse((120, 120), (50, 70))
    frame[truth] = (rng.integers(0, 30, (H, W, 3), dtype=np.uint8) + object_colour)[truth]
    mask = truth.copy()
    mask[150:] = False  # the tracker missed the lower part
    stroke = [Stroke(foreground=True, radius=6, points_xy=[(120, 155), (121, 185)])]
    confined = refine_mask(frame, mask, stroke).mask
    assert not confined[:, 200:].any()  # the wall stays background
    assert iou(confined, truth) > iou(mask, truth)
    assert refine_mask(frame, mask, stroke, confined=False).mask[:, 200:].sum() > 1000  # what it did before


def test_foreground_strokes_alone_find_an_object_without_a_mask(scene):
    frame, truth = scene
    strokes = [Stroke(foreground=True, radius=5, points_xy=[(120, 120), (200, 120)]),
               Stroke(foreground=True, radius=5, points_xy=[(160, 95), (160, 145)])]
    result = refine_mask(frame, np.zeros((H, W), bool), strokes)
    assert iou(result.mask, truth) > 0.8


def test_background_strokes_are_certain_and_nothing_changes_outside_the_window(scene):
    frame, truth = scene
    cut = [Stroke(foreground=False, radius=6, points_xy=[(160, 90), (160, 150)])]  # through the object
    result = refine_mask(frame, truth, cut)
    assert not (result.mask & paint_strokes(cut, H, W, foreground=False)).any()
    x, y, w, h = result.window_xywh
    outside = result.mask.copy()
    outside[y:y + h, x:x + w] = False
    assert not outside.any() and (w, h) != (W, H)


def test_a_big_window_runs_shrunk_and_keeps_its_strokes(scene):
    frame, truth = scene
    drifted = ellipse((180, 126), (50, 34))
    seeds = np.where(drifted, cv2.GC_PR_FGD, cv2.GC_PR_BGD).astype(np.uint8)
    fg = paint_strokes([Stroke(foreground=True, radius=1, points_xy=[(115, 110), (130, 130)])], H, W, foreground=True)
    bg = paint_strokes([Stroke(foreground=False, radius=1, points_xy=[(235, 110), (235, 140)])], H, W, foreground=False)
    seeds[fg], seeds[bg] = cv2.GC_FGD, cv2.GC_BGD
    found = grabcut_at_most(frame, seeds, fg, bg, max_pixels=H * W // 9)  # a third of the side
    assert found.shape == (H, W)
    assert iou(found, truth) > 0.85
    assert found[fg].all() and not found[bg].any()


def test_strokes_are_drawn_with_the_brush_radius():
    painted = paint_strokes([Stroke(foreground=True, radius=3, points_xy=[(10.5, 10.5)])], 30, 30, foreground=True)
    ys, xs = np.nonzero(painted)
    assert (xs.min(), xs.max(), ys.min(), ys.max()) == (7, 13, 7, 13)


@pytest.mark.parametrize("strokes, message", [
    ([], "at least one stroke"),
    ([Stroke(foreground=True, radius=3, points_xy=[])], "no points"),
    ([Stroke(foreground=True, radius=3, points_xy=[(10, 10), (W + 1, 10)])], "outside the 320x240 frame"),
    ([Stroke(foreground=True, radius=0, points_xy=[(10, 10)])], "radius"),
])
def test_bad_strokes_are_refused_with_a_reason(scene, strokes, message):
    frame, truth = scene
    with pytest.raises(ServiceError, match=message):
        refine_mask(frame, truth, strokes)


def test_background_strokes_alone_on_an_empty_mask_are_refused(scene):
    frame, _ = scene
    with pytest.raises(ServiceError, match="paint a foreground stroke"):
        refine_mask(frame, np.zeros((H, W), bool), [Stroke(foreground=False, radius=3, points_xy=[(20, 20)])])
