"""Run the DAVIS 2017 semi-supervised protocol on a tracker or on a folder of results.

Each object is initialised from the box of its first ground-truth mask (or from the mask itself,
for trackers that take one, e.g. the baselines) and tracked to the end of the clip; J and F are
scored on the frames after that one, leaving out the clip's last frame (docs/evaluation.md
explains the protocol and its choices).

    scores = evaluate_tracker("data/DAVIS", tracker_factory("weights/starter.pth"))
    scores = evaluate_results("data/DAVIS", "results/")   # score saved masks instead
    report = summarize(scores)                             # JSON-ready dict
"""

from __future__ import annotations

import dataclasses
import math
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Mapping, Protocol, runtime_checkable

import cv2
import numpy as np
from tqdm import tqdm

from formats import mask_geometry
from tracking_worker.evaluation import davis
from tracking_worker.evaluation.metrics import (
    boundary_accuracy,
    region_similarity,
    rotated_box_iou,
)


class TrackerLike(Protocol):
    """The part of the design.md tracker API that the evaluation uses.

    `track` returns a result with .score, .mask and .rotated_box, and optionally .quality
    (None or absent: the tracker predicts no quality).
    """

    def init(self, frame_bgr: np.ndarray, bbox_xywh: tuple[int, int, int, int]) -> None: ...

    def track(self, frame_bgr: np.ndarray): ...


@runtime_checkable
class MaskInitTracker(Protocol):
    """A tracker that starts from the first ground-truth mask rather than its box.

    The protocol calls `init_mask` instead of `init` when a tracker defines it. SiamMask's
    Tracker does not: it is initialised from a box (design.md), so it is scored that way.
    """

    def init_mask(self, frame_bgr: np.ndarray, mask: np.ndarray) -> None: ...


@dataclass(frozen=True)
class TrackedFrame:
    """What a tracker reported for one object on one frame, kept for scoring."""

    score: float
    quality: float = math.nan  # NaN: the tracker predicts no quality
    box_iou: float = math.nan  # NaN: the object is absent from the ground truth


@dataclass
class ObjectScore:
    """Per-frame scores of one object, in frame order over its scored frames.

    box_iou, score and quality exist only when a tracker ran; they are NaN on frames where it
    reported none (quality from a model without a quality head, box IoU where the object is
    absent).
    """

    object_id: int
    first_frame: int
    frames: list[int]
    j: np.ndarray
    f: np.ndarray
    box_iou: np.ndarray | None = None
    score: np.ndarray | None = None
    quality: np.ndarray | None = None


@dataclass
class SequenceScore:
    """Scores of every object of one sequence, and the tracker's timing when it ran."""

    name: str
    objects: list[ObjectScore] = field(default_factory=list)
    tracker_calls: int = 0  # init + track calls: one per object per frame it is followed
    tracker_seconds: float = 0.0

    @property
    def fps(self) -> float | None:
        """Return tracker calls per second, or None when no tracker ran."""
        if self.tracker_calls == 0 or self.tracker_seconds <= 0:
            return None
        return self.tracker_calls / self.tracker_seconds


def scored_frames(n_frames: int, first_frame: int) -> range:
    """Return the indices of the frames scored for an object first annotated at `first_frame`."""
    # DAVIS 2017 semi-supervised: the annotated first frame is given, and the toolkit also
    # drops the last frame of each clip (it scores masks[1:-1])
    return range(first_frame + 1, n_frames - 1)


def first_appearances(ground_truth: list[np.ndarray | None]) -> dict[int, int]:
    """Return {object id: index of the first frame whose ground truth contains it}."""
    first: dict[int, int] = {}
    for index, ids in enumerate(ground_truth):
        if ids is None:
            continue
        for object_id in davis.object_ids([ids]):
            first.setdefault(object_id, index)
    return first


def bbox_from_mask(mask: np.ndarray) -> tuple[int, int, int, int]:
    """Return the (x, y, w, h) pixel box enclosing a nonempty HxW mask (w = x_max - x_min + 1)."""
    x, y, w, h = cv2.boundingRect(np.asarray(mask).astype(np.uint8))
    return int(x), int(y), int(w), int(h)


def rotated_box_from_mask(mask: np.ndarray) -> np.ndarray:
    """Return the 4x2 corners of a nonempty mask's rotated box, by the tracker's own rule.

    formats.mask_geometry (the official SiamMask rule, shared with the web side): the
    min-area rectangle around the largest region, or the mask's box when that region is tiny.
    """
    mask = np.asarray(mask).astype(bool)
    return mask_geometry.rotated_box_from_mask(mask, mask_geometry.mask_to_xywh(mask))


def score_sequence(
    sequence: davis.Sequence,
    ground_truth: list[np.ndarray | None],
    predicted: Mapping[int, np.ndarray],
    *,
    tracked: Mapping[int, Mapping[int, TrackedFrame]] | None = None,
) -> list[ObjectScore]:
    """Return J and F of every object on its scored frames that have ground truth.

    Args:
        predicted: frame index -> HxW id map; a frame that is absent counts as empty.
        tracked: object id -> frame index -> what the tracker reported, when a tracker ran.
    """
    scores = []
    for object_id, first in sorted(first_appearances(ground_truth).items()):
        frames = [i for i in scored_frames(len(sequence), first) if ground_truth[i] is not None]
        j, f = [], []
        for i in frames:
            gt = ground_truth[i] == object_id
            pred = predicted[i] == object_id if i in predicted else np.zeros_like(gt)
            if pred.shape != gt.shape:
                raise ValueError(
                    f"{sequence.name} frame {sequence.frame_names[i]}: predicted mask is "
                    f"{pred.shape}, ground truth is {gt.shape}"
                )
            j.append(region_similarity(pred, gt))
            f.append(boundary_accuracy(pred, gt))
        scored = ObjectScore(object_id, first, frames, np.array(j), np.array(f))
        if tracked is not None:
            outputs = [tracked.get(object_id, {}).get(i, TrackedFrame(math.nan)) for i in frames]
            scored.box_iou = np.array([o.box_iou for o in outputs], dtype=np.float64)
            scored.score = np.array([o.score for o in outputs], dtype=np.float64)
            scored.quality = np.array([o.quality for o in outputs], dtype=np.float64)
        scores.append(scored)
    return scores


def track_sequence(
    sequence: davis.Sequence,
    ground_truth: list[np.ndarray | None],
    make_tracker: Callable[[], TrackerLike],
    *,
    save_dir: Path | None = None,
    on_frame: Callable[[], None] | None = None,
) -> SequenceScore:
    """Track every object from its first ground-truth box (or mask) to the end of the clip; score it.

    Objects are followed by separate trackers and merged into one id map per frame, as DAVIS
    results must be: where masks overlap, the object with the higher tracker score wins.
    """
    first = first_appearances(ground_truth)
    result = SequenceScore(sequence.name)
    trackers: dict[int, TrackerLike] = {}
    tracked: dict[int, dict[int, TrackedFrame]] = {oid: {} for oid in first}
    predicted: dict[int, np.ndarray] = {}
    for index, path in enumerate(sequence.frame_paths):
        frame = None
        masks: list[tuple[float, int, np.ndarray]] = []  # (score, object id, mask)
        for object_id, start in first.items():
            if index < start:
                continue
            frame = davis.load_frame(path) if frame is None else frame
            gt = ground_truth[index] == object_id if ground_truth[index] is not None else None
            tic = time.perf_counter()
            if index == start:
                tracker = trackers[object_id] = make_tracker()
                if isinstance(tracker, MaskInitTracker):
                    tracker.init_mask(frame, gt)
                else:
                    tracker.init(frame, bbox_from_mask(gt))
                out = None
            else:
                out = trackers[object_id].track(frame)
            result.tracker_seconds += time.perf_counter() - tic
            result.tracker_calls += 1
            if out is None:
                # the annotated frame: the given mask is the answer
                masks.append((math.inf, object_id, gt))
                continue
            mask = np.asarray(out.mask).astype(bool)
            masks.append((float(out.score), object_id, mask))
            if index in scored_frames(len(sequence), start):
                iou = math.nan
                if gt is not None and gt.any():
                    iou = rotated_box_iou(np.asarray(out.rotated_box), rotated_box_from_mask(gt))
                quality = getattr(out, "quality", None)
                tracked[object_id][index] = TrackedFrame(
                    float(out.score), math.nan if quality is None else float(quality), iou
                )
        if masks or save_dir is not None:
            ids = _merge_masks(masks, sequence, index)
            predicted[index] = ids
            if save_dir is not None:
                davis.write_id_png(
                    save_dir / sequence.name / f"{sequence.frame_names[index]}.png", ids
                )
        if on_frame is not None:
            on_frame()
    result.objects = score_sequence(sequence, ground_truth, predicted, tracked=tracked)
    return result


def evaluate_tracker(
    data_dir: str | Path,
    make_tracker: Callable[[], TrackerLike],
    *,
    sequences: Iterable[str] | None = None,
    save_dir: str | Path | None = None,
    progress: bool = True,
) -> list[SequenceScore]:
    """Track and score every object of the chosen sequences (all by default)."""
    chosen = _read_sequences(data_dir, sequences)
    save = Path(save_dir) if save_dir is not None else None
    results = []
    with _progress_bar(chosen, progress) as bar:
        for seq in chosen:
            bar.set_postfix_str(seq.name)
            gt = davis.load_ground_truth(seq)
            results.append(
                track_sequence(seq, gt, make_tracker, save_dir=save, on_frame=lambda: bar.update())
            )
    return results


def evaluate_results(
    data_dir: str | Path,
    results_dir: str | Path,
    *,
    sequences: Iterable[str] | None = None,
    progress: bool = True,
) -> list[SequenceScore]:
    """Score saved id-map PNGs ``<results_dir>/<seq>/<frame>.png`` against the ground truth."""
    chosen = _read_sequences(data_dir, sequences)
    results = []
    with _progress_bar(chosen, progress) as bar:
        for seq in chosen:
            bar.set_postfix_str(seq.name)
            gt = davis.load_ground_truth(seq)
            starts = first_appearances(gt).values()
            # every start gives a suffix of the clip, so the earliest start covers them all
            needed = [i for i in scored_frames(len(seq), min(starts, default=len(seq)))
                      if gt[i] is not None]
            predicted = davis.load_results(results_dir, seq, needed)
            results.append(SequenceScore(seq.name, score_sequence(seq, gt, predicted)))
            bar.update(len(seq))
    return results


@dataclass(frozen=True)
class TrackerFactory:
    """Makes a fresh SiamMask Tracker per object: one loaded model, one TrackerConfig."""

    model: object
    config: object  # TrackerConfig

    def __call__(self) -> TrackerLike:
        from tracking_worker.siammask import Tracker

        return Tracker(self.model, self.config)


def tracker_factory(weights: str | Path, config: str | None = None, precision: str = "exact") -> TrackerFactory:
    """Load the SiamMask weights once and return a factory of fresh Trackers.

    config: "davis" or "vot" for the official hyper-parameters as they are; None for the
    checkpoint's own (TrackerConfig.davis() with its tuned meta["tracker"] fields, if any).
    """
    # imported here so that scoring saved results needs neither torch nor the tracker
    from tracking_worker.siammask import load_model
    from tracking_worker.siammask.checkpoints import read_checkpoint, tracker_config

    checkpoint = read_checkpoint(weights)
    chosen = tracker_config(checkpoint, config)
    return TrackerFactory(load_model(checkpoint), dataclasses.replace(chosen, precision=precision))


def _merge_masks(
    masks: list[tuple[float, int, np.ndarray]], sequence: davis.Sequence, index: int
) -> np.ndarray:
    if not masks:
        height, width = davis.load_frame(sequence.frame_paths[index]).shape[:2]
        return np.zeros((height, width), dtype=np.uint8)
    dtype = np.uint8 if max(m[1] for m in masks) <= 255 else np.uint16
    ids = np.zeros(masks[0][2].shape, dtype=dtype)
    # paint the least confident first so the most confident object keeps contested pixels
    for _, object_id, mask in sorted(masks, key=lambda m: m[0]):
        ids[mask] = object_id
    return ids


def _read_sequences(data_dir: str | Path, names: Iterable[str] | None) -> list[davis.Sequence]:
    available = davis.list_sequences(data_dir)
    if names is None:
        chosen = available
    else:
        chosen = list(names)
        unknown = [n for n in chosen if n not in available]
        if unknown:
            raise ValueError(f"unknown sequences in {data_dir}: {', '.join(unknown)}")
    if not chosen:
        raise ValueError(f"no sequences with frames and masks in {data_dir}")
    return [davis.read_sequence(data_dir, n) for n in chosen]


def _progress_bar(sequences: list[davis.Sequence], enabled: bool) -> tqdm:
    total = sum(len(s) for s in sequences)
    return tqdm(total=total, unit="frame", file=sys.stderr, disable=not enabled)
