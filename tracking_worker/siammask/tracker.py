"""SiamMask tracking: one object (Tracker) or several in one batched pass (MultiTracker).

    tracker = Tracker(load_model("SiamMask_DAVIS.pth"), TrackerConfig.davis())
    tracker.init(frame_bgr, (x, y, w, h))
    result = tracker.track(next_frame_bgr)        # TrackResult(score, bbox, rotated_box, mask, quality)

    multi = MultiTracker(model, TrackerConfig.davis())
    multi.add("player", frame_bgr, (x, y, w, h))
    results = multi.track(next_frame_bgr)          # {"player": TrackResult, ...}

Frames are HxWx3 uint8 BGR images; boxes are (x, y, w, h) in pixels, 0-based. Numerics follow
the official tools/test.py siamese_init / siamese_track (see shared/reference/README.md);
tracking several objects together gives the same results as tracking each alone.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from .allocator import keep_freed_memory
from .anchors import cosine_window, generate_anchors
from .boxes import rotated_box_from_mask
from .checkpoints import resolve_device
from .config import TrackerConfig
from .crops import (
    context_side,
    exemplar_crop_side,
    get_subwindow,
    mean_color,
    patches_to_tensor,
    search_crop_side,
    window_to_frame,
)
from .mask_confidence import calibration_features, init_fill
from .network import SiamMask, TemplateKernels
from .paste import paste_window
from .precision import model_for
from .stages import StageClock, no_clock


class ModelOutputError(RuntimeError):
    """The network gave NaN or infinite values; a box or mask made from them would be garbage."""


def check_finite(what: str, values: np.ndarray, precision: str) -> None:
    """Raise ModelOutputError unless every value is finite (a few hundred per object: cheap)."""
    if not np.isfinite(values).all():
        hint = " or try precision 'exact' (float16/bfloat16 can overflow)" if precision != "exact" else ""
        raise ModelOutputError(f"the model gave NaN or infinite {what}: its weights may be damaged "
                               f"(check the file, or choose another checkpoint){hint}")


@dataclass(frozen=True, eq=False)
class TrackResult:
    """One object's result on one frame.

    score: the chosen candidate's un-penalised foreground probability.
    bbox: (x, y, w, h) from the tracker's clamped centre and size (its state for the next frame).
    rotated_box: (4, 2) float64 corners of the min-area rectangle around the mask.
    mask: (H, W) bool, frame-sized.
    quality: the model's confidence in [0, 1] that the mask is right: with a calibration in the
        checkpoint (the built-in model), the probability that its IoU with the object is at
        least 0.5 (mask_confidence.py); else the quality head's predicted IoU; None for models
        with neither (the official checkpoints), where callers fall back to `score`.
    window: (x0, y0, window_mask): the frame rectangle outside which `mask` is all False, so a
        caller may measure or encode the object without scanning the frame (paste.py).
    """

    score: float
    bbox: tuple[float, float, float, float]
    rotated_box: np.ndarray
    mask: np.ndarray
    quality: float | None = None
    window: tuple[int, int, np.ndarray] | None = None


@dataclass
class _Target:
    center: np.ndarray  # (cx, cy) float64, frame pixels
    size: np.ndarray  # (w, h) float64
    pad_bgr: np.ndarray  # mean colour of the init frame
    frame_hw: tuple[int, int]
    kernels: TemplateKernels  # batch of 1, computed once at add()
    init_fill: float  # share of the first search crop the init box fills (mask_confidence.py)


def check_frame(frame_bgr: np.ndarray) -> None:
    """Raise TypeError/ValueError unless `frame_bgr` is an HxWx3 uint8 array."""
    if not isinstance(frame_bgr, np.ndarray):
        raise TypeError(f"frame must be a numpy array, got {type(frame_bgr).__name__}")
    if frame_bgr.dtype != np.uint8:
        raise TypeError(f"frame must be uint8 BGR, got dtype {frame_bgr.dtype}")
    if frame_bgr.ndim != 3 or frame_bgr.shape[2] != 3 or min(frame_bgr.shape[:2]) < 1:
        raise ValueError(f"frame must have shape (H, W, 3), got {frame_bgr.shape}")


def check_box(box_xywh: Sequence[float], frame_hw: tuple[int, int]) -> tuple[float, ...]:
    """Return the box as 4 floats; raise ValueError if its size is not positive or it misses the frame."""
    try:
        box = tuple(float(v) for v in box_xywh)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"box must be 4 numbers (x, y, w, h), got {box_xywh!r}") from exc
    if len(box) != 4 or not all(math.isfinite(v) for v in box):
        raise ValueError(f"box must be 4 finite numbers (x, y, w, h), got {box_xywh!r}")
    x, y, w, h = box
    if w <= 0 or h <= 0:
        raise ValueError(f"box width and height must be positive, got w={w}, h={h}")
    height, width = frame_hw
    if x >= width or y >= height or x + w <= 0 or y + h <= 0:
        raise ValueError(f"box {box} lies outside the {width}x{height} frame")
    return box


class MultiTracker:
    """Track several objects of one clip with one batched network pass per frame.

    Objects may be added (from any frame of the same size) and removed at any time; each
    keeps its own template kernels, state and padding colour.
    """

    def __init__(self, model: SiamMask, config: TrackerConfig | None = None, *, max_batch: int = 16) -> None:
        if max_batch < 1:
            raise ValueError(f"max_batch must be at least 1, got {max_batch}")
        self.config = config or TrackerConfig.davis()
        self.device = resolve_device(self.config.device)
        # fast precision runs a converted copy (precision.py); exact runs `model` itself
        self.model = model_for(model, self.device, self.config.precision)
        # the mobile trunk runs as a frozen graph (BatchNorm folded, weights pre-packed): ~3x
        # faster on CPU, equal to the module within float rounding (tests/.../test_mobile.py)
        freeze = getattr(self.model.features, "freeze_trunk", None)
        if freeze is not None:
            freeze()
        self.max_batch = max_batch
        # per-frame activations reuse freed heap pages instead of being mapped again (allocator.py)
        keep_freed_memory()
        self.clock: StageClock | None = None  # set by benchmarks for the time split (stages.py)
        self._anchors = generate_anchors(self.config)
        self._window = cosine_window(self.config)
        self._targets: dict[Hashable, _Target] = {}

    def __len__(self) -> int:
        return len(self._targets)

    def __contains__(self, obj_id: Hashable) -> bool:
        return obj_id in self._targets

    @property
    def object_ids(self) -> list[Hashable]:
        return list(self._targets)

    @torch.inference_mode()
    def add(self, obj_id: Hashable, frame_bgr: np.ndarray, box_xywh: Sequence[float]) -> None:
        """Start (or restart) tracking `obj_id` from its box on `frame_bgr`."""
        check_frame(frame_bgr)
        frame_hw = frame_bgr.shape[:2]
        x, y, w, h = check_box(box_xywh, frame_hw)
        sizes = {t.frame_hw for i, t in self._targets.items() if i != obj_id}
        if sizes and sizes != {frame_hw}:
            other_h, other_w = next(iter(sizes))
            raise ValueError(
                f"frame is {frame_hw[1]}x{frame_hw[0]} but the other objects were added on "
                f"{other_w}x{other_h} frames; one MultiTracker tracks one clip"
            )
        cfg = self.config
        center = np.array([x + w / 2, y + h / 2])  # official: demo / track_vos, no 0/1-based shift
        size = np.array([w, h])
        pad_bgr = mean_color(frame_bgr)
        patch = get_subwindow(frame_bgr, center, cfg.exemplar_size, exemplar_crop_side(size, cfg), pad_bgr)
        kernels = self.model.template(self._tensor([patch]))
        self._targets[obj_id] = _Target(center, size, pad_bgr, frame_hw, kernels, init_fill(size, cfg))

    def restore(self, obj_id: Hashable, box_xywh: Sequence[float]) -> None:
        """Set an added object's state to a box its tracking reached earlier (a resumed job).

        The state is exactly the centre and size the tracker reports as `bbox`, so tracking on
        from here gives the same results as never having stopped.
        """
        x, y, w, h = (float(v) for v in box_xywh)
        target = self._targets[obj_id]
        target.center = np.array([x + w / 2, y + h / 2])
        target.size = np.array([w, h])

    def remove(self, obj_id: Hashable) -> None:
        """Stop tracking `obj_id` (KeyError if unknown)."""
        del self._targets[obj_id]

    def clear(self) -> None:
        self._targets.clear()

    @torch.inference_mode()
    def track(self, frame_bgr: np.ndarray) -> dict[Hashable, TrackResult]:
        """Track every object into `frame_bgr`; return {obj_id: TrackResult}."""
        check_frame(frame_bgr)
        for obj_id, target in self._targets.items():
            if frame_bgr.shape[:2] != target.frame_hw:
                raise ValueError(
                    f"frame is {frame_bgr.shape[1]}x{frame_bgr.shape[0]} but object {obj_id!r} "
                    f"was added on a {target.frame_hw[1]}x{target.frame_hw[0]} frame"
                )
        ids = list(self._targets)
        results: dict[Hashable, TrackResult] = {}
        for start in range(0, len(ids), self.max_batch):
            chunk = ids[start : start + self.max_batch]
            results.update(zip(chunk, self._track_batch(frame_bgr, [self._targets[i] for i in chunk])))
        return results

    def _tensor(self, patches: list[np.ndarray]) -> torch.Tensor:
        batch = patches_to_tensor(patches, self.device)
        if self.config.precision == "exact":
            return batch  # contiguous float32: the layout the parity tests were measured with
        return batch.contiguous(memory_format=torch.channels_last)

    def _track_batch(self, frame_bgr: np.ndarray, targets: list[_Target]) -> list[TrackResult]:
        cfg = self.config
        stage = self.clock or no_clock
        with stage("crop"):
            # official: siamese_track, search crop of side round(s_x) around the last centre
            crop_sides = [round(search_crop_side(t.size, cfg)) for t in targets]
            patches = [
                get_subwindow(frame_bgr, t.center, cfg.instance_size, side, t.pad_bgr)
                for t, side in zip(targets, crop_sides)
            ]
            batch_input = self._tensor(patches)
        with stage("network"):
            out = self.model.search(batch_input, TemplateKernels.cat([t.kernels for t in targets]))
        batch = len(targets)
        expected = (batch, 2 * cfg.anchor_num, cfg.score_size, cfg.score_size)
        assert tuple(out.score.shape) == expected, f"score map {tuple(out.score.shape)} != {expected}"
        with stage("decode"):
            # official: softmax over channel pairs (k, A + k); foreground is the second; float32
            # in both precisions, so argmax ties and box deltas stay comparable
            scores = torch.softmax(out.score.float().reshape(batch, 2, -1), dim=1)[:, 1].cpu().numpy()
            deltas = out.loc.float().reshape(batch, 4, -1).cpu().numpy()
            check_finite("scores or box offsets", np.concatenate([scores.ravel(), deltas.ravel()]), cfg.precision)
            picks = [self._pick(t, s, d) for t, s, d in zip(targets, scores, deltas)]
        rows = [p[0] for p in picks]
        cols = [p[1] for p in picks]
        with stage("mask"):
            logits = self.model.refine_at(out, rows, cols) if cfg.refine else self.model.mask_at(out, rows, cols)
            side = cfg.mask_out_size
            probs = torch.sigmoid(logits.float()).reshape(batch, side, side).cpu().numpy()
            qualities = self._qualities(out, rows, cols, logits, targets)
            check_finite("mask or quality values", np.concatenate([probs.ravel(), [q for q in qualities if q is not None]]),
                         cfg.precision)

        results = []
        for target, crop_side, window_probs, quality, (row, col, score, old_center) in zip(
            targets, crop_sides, probs, qualities, picks
        ):
            with stage("paste"):
                # only the frame rectangle that can hold mask pixels, with the official full-frame
                # warp's values there (paste.py): the cost does not grow with the frame
                mapping = window_to_frame(side, old_center, crop_side, row, col, cfg, target.frame_hw)
                pasted = paste_window(window_probs, mapping, target.frame_hw, cfg.seg_thr)
                window_mask = pasted.mask
                mask = pasted.frame_mask(window_mask)
            with stage("rotated_box"):
                # official: the fallback box uses the new centre and size before clamping
                unclamped = (*(target.center - target.size / 2), *target.size)
                rotated_box = rotated_box_from_mask(
                    window_mask.view(np.uint8), unclamped, cfg.min_contour_area, offset=pasted.origin
                )
            if cfg.recenter_weight > 0:
                _recenter(target, window_mask, pasted.origin, score if quality is None else quality, cfg)
            self._clamp(target)
            box = (*(float(v) for v in target.center - target.size / 2), *(float(v) for v in target.size))
            results.append(TrackResult(score, box, rotated_box, mask, quality, (*pasted.origin, window_mask)))
        return results

    def _qualities(self, out, rows: list[int], cols: list[int], logits: torch.Tensor,
                   targets: list[_Target]) -> list[float | None]:
        """Return each target's quality of the very mask that is returned (refined or not): the
        checkpoint's calibration when it has one, else the quality head's predicted IoU, else None."""
        calibration = getattr(self.model, "quality_calibration", None)
        if calibration is not None:
            return calibration.predict(calibration_features(logits, [t.init_fill for t in targets])).tolist()
        quality = self.model.quality_at(out, rows, cols, logits)
        return quality.float().cpu().numpy().tolist() if quality is not None else [None] * len(targets)

    def _pick(
        self, target: _Target, score: np.ndarray, delta: np.ndarray
    ) -> tuple[int, int, float, np.ndarray]:
        """Choose the best anchor and update the target's centre and size.

        Returns (row, col, un-penalised score, centre before the update).
        """
        cfg, anchors = self.config, self._anchors
        # official: siamese_track; float32 decoding like the official arrays
        cx = delta[0] * anchors[:, 2] + anchors[:, 0]
        cy = delta[1] * anchors[:, 3] + anchors[:, 1]
        w = np.exp(delta[2]) * anchors[:, 2]
        h = np.exp(delta[3]) * anchors[:, 3]
        scale = np.float64(cfg.exemplar_size / context_side(target.size, cfg.context_amount))
        size_in_crop = target.size * scale
        # official: scale and ratio penalties, change(r) = max(r, 1/r)
        s_c = _change(_padded_side(w, h) / _padded_side(*size_in_crop))
        r_c = _change((size_in_crop[0] / size_in_crop[1]) / (w / h))
        penalty = np.exp(-(r_c * s_c - 1) * cfg.penalty_k)
        # official: cosine window (motion model) mixed by window_influence
        pscore = penalty * score * (1 - cfg.window_influence) + self._window * cfg.window_influence
        best = int(np.argmax(pscore))
        moved = np.array([cx[best], cy[best], w[best], h[best]], dtype=np.float64) / scale
        lr = penalty[best] * score[best] * cfg.lr
        old_center = target.center
        target.center = old_center + moved[:2]
        target.size = target.size * (1 - lr) + moved[2:] * lr
        _, row, col = np.unravel_index(best, (cfg.anchor_num, cfg.score_size, cfg.score_size))
        return int(row), int(col), float(score[best]), old_center

    @staticmethod
    def _clamp(target: _Target) -> None:
        # official: centre into [0, frame size], size into [10, frame size]
        height, width = target.frame_hw
        limits = np.array([width, height], dtype=np.float64)
        target.center = np.maximum(0, np.minimum(limits, target.center))
        target.size = np.maximum(10, np.minimum(limits, target.size))  # 10 wins on tiny frames


def _recenter(
    target: _Target, window_mask: np.ndarray, origin: tuple[int, int], confidence: float, cfg: TrackerConfig
) -> None:
    """Move the next search centre towards the mask's centroid when the mask is confident (ours).

    The mask follows the object's shape where the RPN box may not; its effect on J is measured in
    docs/models.md ("Tuning the tracker for the built-in model").
    """
    if confidence < cfg.recenter_min_confidence:
        return
    rows, cols = np.nonzero(window_mask)
    if rows.size == 0:
        return
    # pixel i spans [i, i + 1), as in the init box's centre x + w / 2
    centroid = np.array([cols.mean() + origin[0], rows.mean() + origin[1]]) + 0.5
    target.center = target.center + cfg.recenter_weight * (centroid - target.center)


def _change(ratio: np.ndarray) -> np.ndarray:
    return np.maximum(ratio, 1.0 / ratio)


def _padded_side(w, h):
    pad = (w + h) * 0.5
    return np.sqrt((w + pad) * (h + pad))


class Tracker:
    """Track one object: `init(frame, box)` once, then `track(frame)` on each following frame."""

    def __init__(self, model: SiamMask, config: TrackerConfig | None = None) -> None:
        self._multi = MultiTracker(model, config, max_batch=1)

    @property
    def config(self) -> TrackerConfig:
        return self._multi.config

    @property
    def device(self) -> torch.device:
        return self._multi.device

    def init(self, frame_bgr: np.ndarray, box_xywh: Sequence[float]) -> None:
        """Start tracking the object in `box_xywh` = (x, y, w, h) pixels on `frame_bgr` (HxWx3 uint8 BGR)."""
        self._multi.clear()
        self._multi.add(0, frame_bgr, box_xywh)

    def track(self, frame_bgr: np.ndarray) -> TrackResult:
        """Return the object's result on the next frame."""
        if 0 not in self._multi:
            raise RuntimeError("call Tracker.init(frame, box) before track()")
        return self._multi.track(frame_bgr)[0]
