"""The evaluation driver: protocol frames, tracking loop and scoring of saved results."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from tracking_worker.evaluation import davis
from tracking_worker.evaluation.report import format_table, summarize
from tracking_worker.evaluation.run import (
    ObjectScore,
    SequenceScore,
    bbox_from_mask,
    evaluate_results,
    evaluate_tracker,
    first_appearances,
    rotated_box_from_mask,
    score_sequence,
    scored_frames,
)


@dataclass
class FakeResult:
    score: float
    bbox: tuple[int, int, int, int]
    rotated_box: np.ndarray
    mask: np.ndarray
    quality: float | None = None


class ColourTracker:
    """Follows the flat colour found at the centre of the initial box: exact on the test clip."""

    instances: list["ColourTracker"] = []

    def __init__(self, score: float = 0.9, grow: int = 0, quality: float | None = None):
        self.score, self.grow, self.quality = score, grow, quality
        self.init_boxes: list[tuple[int, int, int, int]] = []
        ColourTracker.instances.append(self)

    def init(self, frame_bgr, bbox_xywh):
        x, y, w, h = bbox_xywh
        self.init_boxes.append(bbox_xywh)
        self.colour = frame_bgr[y + h // 2, x + w // 2].copy()

    def track(self, frame_bgr):
        mask = np.all(frame_bgr == self.colour, axis=-1)
        if self.grow:
            mask = np.pad(mask, self.grow)[: mask.shape[0], : mask.shape[1]] | mask
        return FakeResult(self.score, bbox_from_mask(mask), rotated_box_from_mask(mask), mask,
                          self.quality)


class FirstMaskTracker:
    """Takes the first ground-truth mask (run.MaskInitTracker) and answers it on every frame."""

    instances: list["FirstMaskTracker"] = []

    def __init__(self):
        FirstMaskTracker.instances.append(self)

    def init(self, frame_bgr, bbox_xywh):
        raise AssertionError("a tracker with init_mask must be given the mask")

    def init_mask(self, frame_bgr, mask):
        self.mask = mask.copy()

    def track(self, frame_bgr):
        return FakeResult(1.0, bbox_from_mask(self.mask), rotated_box_from_mask(self.mask), self.mask)


@pytest.fixture(autouse=True)
def forget_trackers():
    ColourTracker.instances = []
    FirstMaskTracker.instances = []


def test_scored_frames_leave_out_the_annotated_and_the_last_frame():
    assert list(scored_frames(6, 0)) == [1, 2, 3, 4]
    assert list(scored_frames(6, 2)) == [3, 4]
    assert list(scored_frames(2, 0)) == []


def test_objects_start_at_their_first_ground_truth_frame(clip):
    gt = [clip.object_ids_at(i) for i in range(clip.n_frames)]
    gt[0] = None  # an unannotated frame is skipped
    assert first_appearances(gt) == {1: 1, 2: 2}


def test_bbox_from_mask_counts_pixels_inclusively():
    mask = np.zeros((10, 10), dtype=bool)
    mask[2:5, 3:9] = True
    assert bbox_from_mask(mask) == (3, 2, 6, 3)


def test_perfect_predictions_score_one_on_the_scored_frames(davis_dataset: Path, clip):
    seq = davis.read_sequence(davis_dataset, "alpha")
    gt = davis.load_ground_truth(seq)
    predicted = {i: clip.object_ids_at(i) for i in range(clip.n_frames)}
    scores = score_sequence(seq, gt, predicted)
    assert [(s.object_id, s.first_frame, s.frames) for s in scores] == [
        (1, 0, [1, 2, 3, 4]),
        (2, 2, [3, 4]),
    ]
    for s in scores:
        np.testing.assert_array_equal(s.j, 1.0)
        np.testing.assert_array_equal(s.f, 1.0)


def test_missing_predictions_count_as_empty(davis_dataset: Path):
    seq = davis.read_sequence(davis_dataset, "alpha")
    scores = score_sequence(seq, davis.load_ground_truth(seq), {})
    for s in scores:
        np.testing.assert_array_equal(s.j, 0.0)
        np.testing.assert_array_equal(s.f, 0.0)


def test_tracker_is_initialised_from_the_first_mask_box_and_scored(davis_dataset: Path, clip):
    scores = evaluate_tracker(davis_dataset, ColourTracker, sequences=["alpha"], progress=False)
    (seq,) = scores
    first_boxes = [t.init_boxes for t in ColourTracker.instances]
    assert first_boxes == [
        [bbox_from_mask(clip.object_ids_at(0) == 1)],
        [bbox_from_mask(clip.object_ids_at(2) == 2)],
    ]
    # object 1 is followed on all 6 frames, object 2 on frames 2-5
    assert seq.tracker_calls == 6 + 4
    assert seq.fps is not None and seq.fps > 0
    for obj in seq.objects:
        np.testing.assert_array_equal(obj.j, 1.0)
        np.testing.assert_array_equal(obj.f, 1.0)
        np.testing.assert_allclose(obj.box_iou, 1.0)


def test_overlapping_objects_go_to_the_higher_score(davis_dataset: Path, tmp_path: Path):
    scores = iter([0.2, 0.9])  # object 1 is less sure of itself than object 2
    save = tmp_path / "saved"
    evaluate_tracker(
        davis_dataset,
        lambda: ColourTracker(score=next(scores), grow=40),
        sequences=["alpha"],
        save_dir=save,
        progress=False,
    )
    ids = davis.read_id_png(save / "alpha" / "00003.png")
    green = np.all(davis.load_frame(davis_dataset / "JPEGImages" / "alpha" / "00003.png")
                   == (0, 255, 0), axis=-1)
    assert (ids[green] == 2).all()
    assert (ids == 1).any()


def test_saved_tracker_masks_rescore_to_the_same_numbers(davis_dataset: Path, tmp_path: Path):
    save = tmp_path / "saved"
    tracked = summarize(evaluate_tracker(davis_dataset, ColourTracker, save_dir=save,
                                         progress=False))
    rescored = summarize(evaluate_results(davis_dataset, save, progress=False))
    for key in ("J_mean", "J_recall", "J_decay", "F_mean", "F_recall", "F_decay"):
        assert rescored[key] == tracked[key]
    assert sorted(p.name for p in (save / "beta").iterdir()) == [f"{i:05d}.png" for i in range(6)]
    assert tracked["fps"] is not None and rescored["fps"] is None


def test_summary_averages_objects_not_sequences(davis_dataset: Path, tmp_path: Path, clip):
    results = tmp_path / "results"
    for seq in ("alpha", "beta"):
        for i in range(clip.n_frames):
            ids = clip.object_ids_at(i)
            if seq == "beta":
                ids[ids == 2] = 0  # beta loses object 2 everywhere
            davis.write_id_png(results / seq / f"{i:05d}.png", ids)
    report = summarize(evaluate_results(davis_dataset, results, progress=False))
    assert report["sequences"]["alpha"]["J_mean"] == 1.0
    assert report["sequences"]["beta"]["J_mean"] == 0.5
    assert report["sequences"]["beta"]["objects"]["2"]["J_recall"] == 0.0
    assert report["J_mean"] == pytest.approx(3 / 4)  # 4 objects: 1, 1, 1, 0
    assert report["n_objects"] == 4
    table = format_table(report)
    assert table.splitlines()[0].split() == [
        "sequence", "J_mean", "J_recall", "J_decay", "F_mean", "F_recall", "F_decay",
        "box_iou", "score_auc", "quality_auc", "fps",
    ]
    assert table.splitlines()[-1].split()[:2] == ["overall", "0.750"]


def test_unknown_sequence_is_reported(davis_dataset: Path):
    with pytest.raises(ValueError, match="unknown sequences.*nope"):
        evaluate_results(davis_dataset, davis_dataset, sequences=["nope"], progress=False)


def test_a_tracker_with_init_mask_starts_from_the_first_mask(davis_dataset: Path, clip):
    evaluate_tracker(davis_dataset, FirstMaskTracker, sequences=["alpha"], progress=False)
    masks = [t.mask for t in FirstMaskTracker.instances]
    np.testing.assert_array_equal(masks[0], clip.object_ids_at(0) == 1)
    np.testing.assert_array_equal(masks[1], clip.object_ids_at(2) == 2)


def test_report_lists_every_scored_frame_with_score_and_quality(davis_dataset: Path):
    report = summarize(evaluate_tracker(davis_dataset, lambda: ColourTracker(score=0.9, quality=0.75),
                                        sequences=["alpha"], progress=False))
    objects = report["sequences"]["alpha"]["objects"]
    assert objects["1"]["per_frame"] == [
        {"frame": i, "J": 1.0, "F": 1.0, "score": 0.9, "quality": 0.75} for i in (1, 2, 3, 4)
    ]
    assert [r["frame"] for r in objects["2"]["per_frame"]] == [3, 4]
    # every frame is good: nothing to flag, and J has no spread to correlate with
    assert report["score_auc"] is None and report["quality_spearman"] is None
    assert report["bad_frames"] == 0
    json.dumps(report, allow_nan=False)


def test_per_frame_quality_is_null_without_a_quality_head(davis_dataset: Path):
    report = summarize(evaluate_tracker(davis_dataset, ColourTracker, sequences=["alpha"],
                                        progress=False))
    records = report["sequences"]["alpha"]["objects"]["1"]["per_frame"]
    assert {r["quality"] for r in records} == {None}
    assert {r["score"] for r in records} == {0.9}


def test_saved_results_have_per_frame_j_and_f_but_no_confidence(davis_dataset: Path):
    report = summarize(evaluate_results(davis_dataset, davis_dataset / "Annotations",
                                        sequences=["beta"], progress=False))
    records = report["sequences"]["beta"]["objects"]["2"]["per_frame"]
    assert records == [{"frame": i, "J": 1.0, "F": 1.0, "score": None, "quality": None}
                       for i in (3, 4)]


def _object(object_id: int, j: list[float], score: list[float]) -> ObjectScore:
    n = len(j)
    return ObjectScore(object_id, 0, list(range(1, n + 1)), np.array(j), np.array(j),
                       box_iou=np.full(n, math.nan), score=np.array(score), quality=np.full(n, math.nan))


def test_sequence_and_overall_auc_pool_the_frames_of_all_objects():
    # object 1 orders its frames perfectly; object 2 has no bad frame; pooled, the bad frame
    # (score 0.3) is below 0.8 and 0.6 but above 0.2: AUC 2/3, not a mean of the objects'
    seq = SequenceScore("s", [_object(1, [0.9, 0.2], [0.8, 0.3]), _object(2, [0.9, 0.8], [0.2, 0.6])])
    report = summarize([seq])
    objects = report["sequences"]["s"]["objects"]
    assert objects["1"]["score_auc"] == 1.0 and objects["1"]["bad_frames"] == 1
    assert objects["2"]["score_auc"] is None
    assert objects["2"]["score_spearman"] == pytest.approx(-1.0)
    assert report["sequences"]["s"]["score_auc"] == pytest.approx(2 / 3)
    assert report["score_auc"] == pytest.approx(2 / 3)
    assert report["quality_auc"] is None and report["bad_frames"] == 1
    assert format_table(report).splitlines()[-1].split()[8:10] == ["0.667", "-"]
