"""Trackers with no tracking training, scored by the same protocol as SiamMask for comparison.

    make_tracker = baseline_factory("flow")                 # "copy-first", "flow", "untrained-siam"
    report = summarize(evaluate_tracker("data/DAVIS", make_tracker))

- copy-first: the first mask, unchanged, on every frame.
- flow: the previous mask carried to each new frame by dense optical flow (OpenCV DIS).
- untrained-siam: an ImageNet MobileNetV2 trunk with no tracking training, SiamFC-style: the
  first box's template features located in each search region over three scales, and the first
  mask moved there and resized to the found size.

Each is a run.TrackerLike and a run.MaskInitTracker: the protocol hands it the first
ground-truth mask (`init_mask`); given only a box (`init`), the filled box is the first mask.
Results carry .score, .bbox, .rotated_box, .mask and .quality (None: no baseline predicts its
own IoU). Only untrained-siam imports torch, when it is built. docs/evaluation.md has measured
numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import cv2
import numpy as np

from tracking_worker.evaluation.run import TrackerLike, bbox_from_mask, rotated_box_from_mask

BASELINES = ("copy-first", "flow", "untrained-siam")


@dataclass(frozen=True, eq=False)
class BaselineResult:
    """One frame's answer, shaped like the tracker's TrackResult."""

    score: float
    bbox: tuple[float, float, float, float]
    rotated_box: np.ndarray  # (4, 2) corners; zeros when the mask is empty
    mask: np.ndarray  # (H, W) bool
    quality: float | None = None


def result_from_mask(mask: np.ndarray, score: float) -> BaselineResult:
    """Return a result whose box and rotated box are those of `mask`."""
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return BaselineResult(score, (0.0, 0.0, 0.0, 0.0), np.zeros((4, 2)), mask)
    box = tuple(float(v) for v in bbox_from_mask(mask))
    return BaselineResult(score, box, rotated_box_from_mask(mask).astype(np.float64), mask)


def box_mask(frame_hw: tuple[int, int], bbox_xywh) -> np.ndarray:
    """Return the (H, W) bool mask of the pixels inside an (x, y, w, h) box."""
    x, y, w, h = (float(v) for v in bbox_xywh)
    mask = np.zeros(frame_hw, dtype=bool)
    mask[max(round(y), 0) : max(round(y + h), 0), max(round(x), 0) : max(round(x + w), 0)] = True
    return mask


class MaskBaseline:
    """Start from a mask; `init` from a box uses the filled box as that mask."""

    def init(self, frame_bgr: np.ndarray, bbox_xywh) -> None:
        self.init_mask(frame_bgr, box_mask(frame_bgr.shape[:2], bbox_xywh))

    def init_mask(self, frame_bgr: np.ndarray, mask: np.ndarray) -> None:
        raise NotImplementedError

    def track(self, frame_bgr: np.ndarray) -> BaselineResult:
        raise NotImplementedError


class CopyFirst(MaskBaseline):
    """Answer the first mask on every frame (score 1): what a static object would score."""

    def init_mask(self, frame_bgr: np.ndarray, mask: np.ndarray) -> None:
        self._result = result_from_mask(np.array(mask, dtype=bool), score=1.0)

    def track(self, frame_bgr: np.ndarray) -> BaselineResult:
        return self._result


class OpticalFlow(MaskBaseline):
    """Carry the previous mask to each new frame along DIS optical flow (score 1).

    The flow is computed from the new frame to the previous one, so every new pixel looks up
    where it came from (backward warping leaves no holes); the warped mask is cut at 0.5.
    """

    def __init__(self) -> None:
        self._flow = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)

    def init_mask(self, frame_bgr: np.ndarray, mask: np.ndarray) -> None:
        self._grey = cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2GRAY)
        self._mask = np.asarray(mask, dtype=bool)
        height, width = self._mask.shape
        self._grid = np.meshgrid(np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32))

    def track(self, frame_bgr: np.ndarray) -> BaselineResult:
        grey = cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2GRAY)
        flow = self._flow.calc(grey, self._grey, None)  # (H, W, 2): new pixel -> previous frame
        warped = cv2.remap(self._mask.astype(np.float32), self._grid[0] + flow[..., 0],
                           self._grid[1] + flow[..., 1], cv2.INTER_LINEAR,
                           borderMode=cv2.BORDER_CONSTANT, borderValue=0)
        self._grey, self._mask = grey, warped >= 0.5
        return result_from_mask(self._mask, score=1.0)


class PretrainedTrunk:
    """ImageNet MobileNetV2 features.0-13 (stride 8, dilated), untrained for tracking.

    Called on uint8 BGR patches of side 8n - 1 it returns (B, 96, n, n) float32 maps whose
    cell i is centred on patch pixel 8i - 1: the input is padded by one pixel at the top and
    left, as the mobile SiamMask does (network/mobile.py).
    """

    def __init__(self, device: str | None = None) -> None:
        import torch

        from tracking_worker.siammask.checkpoints import resolve_device
        from tracking_worker.siammask.network.mobilenet_v2 import (
            IMAGENET_MEAN,
            IMAGENET_STD,
            MobileNetV2,
            load_pretrained,
        )

        self.device = resolve_device(device)
        self.net = load_pretrained(MobileNetV2(output_stride=8, last=13)).to(self.device).eval()
        self.mean = torch.tensor(IMAGENET_MEAN, device=self.device).view(1, 3, 1, 1) * 255
        self.std = torch.tensor(IMAGENET_STD, device=self.device).view(1, 3, 1, 1) * 255

    def __call__(self, patches_bgr: list[np.ndarray]) -> np.ndarray:
        import torch
        import torch.nn.functional as F

        with torch.inference_mode():
            x = torch.from_numpy(np.stack(patches_bgr)).to(self.device).permute(0, 3, 1, 2).float()
            x = (x.flip(1) - self.mean) / self.std  # BGR 0-255 -> normalised RGB
            x = F.pad(x, (1, 0, 1, 0))  # zero is the mean colour once normalised
            return self.net(x).float().cpu().numpy()


def cosine_response(template: np.ndarray, features: np.ndarray) -> np.ndarray:
    """Return the cosine similarity of a (C, kh, kw) template with every window of (C, H, W) features.

    The correlation sums over channels and the window; each window is divided by its own norm
    and the template by its norm, so the response lies in [-1, 1] (in [0, 1] for ReLU features).
    Returns an (H - kh + 1, W - kw + 1) float64 map.
    """
    kh, kw = template.shape[1:]
    windows = np.lib.stride_tricks.sliding_window_view(features, (kh, kw), axis=(1, 2))
    dots = np.einsum("cij,cuvij->uv", template, windows, optimize=True)
    energy = np.lib.stride_tricks.sliding_window_view(
        np.square(features).sum(axis=0), (kh, kw)).sum(axis=(2, 3))
    norm = np.sqrt(np.maximum(energy, 0.0)) * np.linalg.norm(template)
    return np.where(norm > 0, dots / np.maximum(norm, 1e-12), 0.0)


class UntrainedSiam(MaskBaseline):
    """SiamFC-style search with pretrained features, and the first mask moved and resized.

    The template is the features of the first box's 127 exemplar crop, cut to the cells the
    target covers; each frame's three 255 search crops (the tracker's crop helpers and context)
    are matched by cosine correlation. As SiamFC (Bertinetto et al., ECCV-W 2016): the
    off-scale responses are penalised, the response is upsampled to crop pixels, blended with
    a cosine (Hann) window, and the size follows the best scale with a learning rate. score is the
    cosine similarity at the chosen position.
    """

    SCALES = (1 / 1.04, 1.0, 1.04)
    SCALE_PENALTY = 0.9745  # SiamFC
    SCALE_LR = 0.59  # SiamFC
    WINDOW_INFLUENCE = 0.176  # SiamFC
    STRIDE = 8
    MIN_SIZE = 10  # pixels; official siamese_track clamps the size the same way

    def __init__(self, trunk: PretrainedTrunk) -> None:
        from tracking_worker.siammask.config import TrackerConfig

        self.trunk = trunk
        self.config = TrackerConfig.davis()  # exemplar 127, search 255, context 0.5

    def init_mask(self, frame_bgr: np.ndarray, mask: np.ndarray) -> None:
        from tracking_worker.siammask.crops import exemplar_crop_side, get_subwindow, mean_color

        cfg = self.config
        self._first_mask = np.asarray(mask, dtype=np.float32)
        x, y, w, h = bbox_from_mask(mask)
        # official siamese_init: target_pos = (x + w / 2, y + h / 2)
        self._first_center = self._center = np.array([x + w / 2, y + h / 2], dtype=np.float64)
        self._first_size = self._size = np.array([w, h], dtype=np.float64)
        self._pad = mean_color(frame_bgr)
        side = exemplar_crop_side(self._size, cfg)
        features = self.trunk([get_subwindow(frame_bgr, self._center, cfg.exemplar_size, side, self._pad)])[0]
        # the cells the target covers: an odd number around the crop centre (pixel 63, cell 8)
        centre = (cfg.exemplar_size // 2 + 1) // self.STRIDE
        target_cells = self._size * cfg.exemplar_size / side / self.STRIDE
        self._half_w, self._half_h = (int(np.clip(round((n - 1) / 2), 1, centre - 1)) for n in target_cells)
        self._template = features[:, centre - self._half_h : centre + self._half_h + 1,
                                  centre - self._half_w : centre + self._half_w + 1]

    def track(self, frame_bgr: np.ndarray) -> BaselineResult:
        from tracking_worker.siammask.crops import get_subwindow, search_crop_side

        cfg = self.config
        search_side = search_crop_side(self._size, cfg)
        sides = [round(search_side * s) for s in self.SCALES]
        features = self.trunk([get_subwindow(frame_bgr, self._center, cfg.instance_size, side, self._pad)
                               for side in sides])
        responses = [self._upsample(cosine_response(self._template, f)) for f in features]
        peaks = [r.max() * (1.0 if s == 1.0 else self.SCALE_PENALTY) for r, s in zip(responses, self.SCALES)]
        best = int(np.argmax(peaks))
        raw = responses[best]
        blended = raw - raw.min()
        blended = blended / max(blended.sum(), 1e-12)
        blended = (1 - self.WINDOW_INFLUENCE) * blended + self.WINDOW_INFLUENCE * _hann_window(raw.shape)
        row, col = np.unravel_index(int(np.argmax(blended)), raw.shape)
        # upsampled pixel U <-> response cell u = U / 8 <-> kernel centre at search cell u + half
        # <-> crop pixel 8 (u + half) - 1 = U + 8 half - 1; the crop centre is pixel 127
        offset = np.array([col + self.STRIDE * self._half_w, row + self.STRIDE * self._half_h]) - 1
        displacement = (offset - cfg.instance_size // 2) * sides[best] / cfg.instance_size
        height, width = frame_bgr.shape[:2]
        scale = (1 - self.SCALE_LR) + self.SCALE_LR * self.SCALES[best]
        self._center = np.clip(self._center + displacement, 0, [width, height])
        self._size = np.clip(self._size * scale, self.MIN_SIZE,
                             [max(width, self.MIN_SIZE), max(height, self.MIN_SIZE)])
        score = float(np.clip(raw[row, col], 0.0, 1.0))
        return result_from_mask(self._moved_mask((height, width)), score)

    def _upsample(self, response: np.ndarray) -> np.ndarray:
        # bicubic onto a grid that keeps every cell centre as a sample (corners aligned), one
        # sample per crop pixel; cv2.resize would put the cell centres between two samples
        rows, cols = response.shape
        map_x = np.tile(np.arange((cols - 1) * self.STRIDE + 1, dtype=np.float32) / self.STRIDE,
                        ((rows - 1) * self.STRIDE + 1, 1))
        map_y = np.tile(np.arange((rows - 1) * self.STRIDE + 1, dtype=np.float32)[:, None] / self.STRIDE,
                        (1, (cols - 1) * self.STRIDE + 1))
        return cv2.remap(response.astype(np.float32), map_x, map_y, cv2.INTER_CUBIC,
                         borderMode=cv2.BORDER_REPLICATE)

    def _moved_mask(self, frame_hw: tuple[int, int]) -> np.ndarray:
        # first-frame point q goes to centre + k (q - first centre), k the size ratio per axis;
        # centres move from the box-edge convention (x + w / 2) to pixel indices (- 0.5)
        k = self._size / self._first_size
        shift = (self._center - 0.5) - k * (self._first_center - 0.5)
        affine = np.array([[k[0], 0.0, shift[0]], [0.0, k[1], shift[1]]])
        height, width = frame_hw
        moved = cv2.warpAffine(self._first_mask, affine, (width, height), flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_CONSTANT, borderValue=0)
        return moved >= 0.5


def _hann_window(shape: tuple[int, int]) -> np.ndarray:
    window = np.outer(np.hanning(shape[0]), np.hanning(shape[1]))
    return window / window.sum()


def baseline_factory(name: str, *, device: str | None = None) -> Callable[[], TrackerLike]:
    """Return a function that makes a fresh baseline tracker; untrained-siam loads its trunk once."""
    if name == "copy-first":
        return CopyFirst
    if name == "flow":
        return OpticalFlow
    if name == "untrained-siam":
        trunk = PretrainedTrunk(device)
        return lambda: UntrainedSiam(trunk)
    raise ValueError(f"unknown baseline {name!r}; choose from {', '.join(BASELINES)}")
