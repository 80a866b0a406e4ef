"""The tracker reproduces the official tracker on real frames (shared/reference/steps_seed1_tennis.npz).

Criteria from shared/reference/README.md, in every case and step: mask IoU >= 0.99, centre and
size within 0.5 px, score within 1e-3, rotated-box corners within 1 px (as matched point sets:
the corner order of cv2.boxPoints may differ).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from tracking_worker.siammask import Tracker, TrackerConfig

N_CASES = 32
FRAME_WIDTH = 854


@pytest.fixture(scope="module")
def steps(shared_root):
    data = np.load(shared_root / "reference" / "steps_seed1_tennis.npz")
    cases = json.loads(str(data["cases"]))
    assert len(cases) == N_CASES
    return cases, data


def corner_distance(ours: np.ndarray, reference: np.ndarray) -> float:
    """Symmetric max distance from each corner to the nearest corner of the other set."""
    d = np.linalg.norm(ours[:, None, :] - reference[None, :, :], axis=-1)
    return float(max(d.min(axis=0).max(), d.min(axis=1).max()))


def mask_iou(a: np.ndarray, b: np.ndarray) -> float:
    union = np.logical_or(a, b).sum()
    return 1.0 if union == 0 else float(np.logical_and(a, b).sum() / union)


@pytest.mark.parametrize("case_index", range(N_CASES))
def test_tracker_matches_official_steps(case_index, steps, seed1_model, tennis_frame):
    cases, data = steps
    case = cases[case_index]
    config = TrackerConfig.davis() if case["config"] == "davis" else TrackerConfig.vot()
    tracker = Tracker(seed1_model, config)
    tracker.init(tennis_frame(case["frame"]), case["box"])
    for step in range(case["steps"]):
        result = tracker.track(tennis_frame(case["frame"] + 1 + step))
        key = f"c{case_index}_s{step}_"
        x, y, w, h = result.bbox
        where = f"case {case_index} ({case}), step {step}"
        np.testing.assert_allclose([x + w / 2, y + h / 2], data[key + "pos"], atol=0.5, rtol=0, err_msg=where)
        np.testing.assert_allclose([w, h], data[key + "sz"], atol=0.5, rtol=0, err_msg=where)
        assert abs(result.score - float(data[key + "score"])) <= 1e-3, where
        assert corner_distance(result.rotated_box, data[key + "polygon"]) <= 1.0, where
        reference_mask = np.unpackbits(data[key + "mask"], axis=-1)[:, :FRAME_WIDTH].astype(bool)
        assert result.mask.shape == reference_mask.shape, where
        assert mask_iou(result.mask, reference_mask) >= 0.99, where
