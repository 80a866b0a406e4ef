"""Pairs synthesised from real objects: masked objects cut out and pasted onto other real frames.

    source = PasteSource("../shared/data/davis2016", sequences=TRAIN, backgrounds=["../shared/data/tennis"])
    pair = source.sample(rng)        # FramePair: template and search frames with the object's masks

Eleven real sequences are eleven objects on eleven backgrounds; a tracker trained on them alone
learns those. This source multiplies them (the "cut and paste" augmentation of video object
segmentation training, e.g. Khoreva et al., "Lucid Data Dreaming", 2017): it takes the object
of one annotated frame pair (two frames of the same clip, so its appearance really changes
between template and search), pastes it onto a frame of another clip or a background folder,
and moves it between the two frames (shift, scale, rotation, its own clip's shape change), with
camera motion on the background, motion blur, a partial occluder pasted over it, and
look-alike distractors: another view of the same object or other objects beside it.
Frames are cached per process after the first read (a few hundred 480p JPEGs).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

from tracking_worker.evaluation import davis

from .readers import FramePair, object_masks

FRAME_SUFFIXES = (".jpg", ".jpeg", ".png")


@lru_cache(maxsize=4096)
def _read_frame(path: str) -> np.ndarray:
    image = cv2.imread(path, cv2.IMREAD_COLOR)
    if image is None:
        raise FileNotFoundError(f"cannot read image {path}")
    return image


@lru_cache(maxsize=4096)
def _read_mask(path: str) -> np.ndarray:
    masks = object_masks(davis.read_id_png(Path(path)))
    return (next(iter(masks.values())) if masks else np.zeros(1, bool)).astype(np.uint8)


@lru_cache(maxsize=4096)
def _cutout(frame_path: str, mask_path: str, min_area: int) -> _Cutout | None:
    mask = _read_mask(mask_path)
    return _Cutout(_read_frame(frame_path), mask) if mask.sum() >= min_area else None


class _Cutout:
    """An object's pixels and mask cropped to its box (with a margin), ready to paste."""

    def __init__(self, frame: np.ndarray, mask: np.ndarray) -> None:
        ys, xs = np.nonzero(mask)
        margin = 2
        y0, y1 = max(ys.min() - margin, 0), min(ys.max() + margin + 1, mask.shape[0])
        x0, x1 = max(xs.min() - margin, 0), min(xs.max() + margin + 1, mask.shape[1])
        self.image = frame[y0:y1, x0:x1]
        self.mask = mask[y0:y1, x0:x1].astype(np.float32)
        self.centre = np.array([(xs.min() + xs.max()) / 2, (ys.min() + ys.max()) / 2])


def _paste(canvas: np.ndarray, cutout: _Cutout, centre: np.ndarray, scale: float, angle: float,
           rng: np.random.Generator) -> np.ndarray:
    """Blend `cutout` into `canvas` (in place) centred at `centre`; return its full-frame 0/1 mask.

    Only the region the warped cutout covers is warped and blended (a full 480p frame per
    paste made sampling several times slower).
    """
    h, w = cutout.mask.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, scale)
    matrix[:, 2] += centre - np.array([w / 2, h / 2])
    corners = np.array([[0, 0, 1], [w, 0, 1], [0, h, 1], [w, h, 1]], np.float64) @ matrix.T
    x0, y0 = np.maximum(np.floor(corners.min(0)).astype(int) - 2, 0)
    x1, y1 = np.minimum(np.ceil(corners.max(0)).astype(int) + 2, [canvas.shape[1], canvas.shape[0]])
    full = np.zeros(canvas.shape[:2], np.uint8)
    if x1 <= x0 or y1 <= y0:
        return full
    matrix[:, 2] -= (x0, y0)
    size = (int(x1 - x0), int(y1 - y0))
    alpha = cv2.warpAffine(cutout.mask, matrix, size, flags=cv2.INTER_LINEAR, borderValue=0)
    pixels = cv2.warpAffine(cutout.image, matrix, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    if rng.random() < 0.5:  # soften the seam as real matting would
        alpha = cv2.GaussianBlur(alpha, (3, 3), 0.8)
    region = canvas[y0:y1, x0:x1]
    alpha3 = alpha[..., None]
    region[:] = (region * (1 - alpha3) + pixels * alpha3).astype(np.uint8)
    full[y0:y1, x0:x1] = alpha > 0.5
    return full


def _camera(frame: np.ndarray, rng: np.random.Generator, strength: float) -> np.ndarray:
    """Return the frame under a small random zoom and pan (a moving camera)."""
    h, w = frame.shape[:2]
    zoom = 1 + rng.uniform(0, strength)
    shift = rng.uniform(-strength, strength, 2) * np.array([w, h]) / 2
    matrix = np.array([[zoom, 0, (1 - zoom) * w / 2 + shift[0]], [0, zoom, (1 - zoom) * h / 2 + shift[1]]])
    return cv2.warpAffine(frame, matrix, (w, h), borderMode=cv2.BORDER_REFLECT)


def _motion_blur(frame: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    length = int(rng.integers(5, 15))
    kernel = np.zeros((length, length), np.float32)
    kernel[length // 2] = 1.0 / length
    rotation = cv2.getRotationMatrix2D((length / 2 - 0.5, length / 2 - 0.5), float(rng.uniform(0, 180)), 1.0)
    kernel = cv2.warpAffine(kernel, rotation, (length, length))
    return cv2.filter2D(frame, -1, kernel / max(kernel.sum(), 1e-6))


class PasteSource:
    """Cut-and-paste pairs from annotated clips (flat or DAVIS layout) onto other backgrounds.

    Args:
        root: dataset with object masks (the first object of each frame is used); frames
            without a mask file (sparse annotation) are never cut from.
        sequences: the clips objects and backgrounds come from (None: all).
        backgrounds: extra folders of frames (searched recursively), e.g. unannotated clips;
            with them, one annotated clip is enough (its object goes onto these frames).
        max_gap: the largest frame distance between the object's template and search views.
        distractor_prob / occluder_prob / blur_prob: chances of each perturbation per pair.
    """

    def __init__(self, root: str | Path, *, sequences: list[str] | None = None,
                 backgrounds: list[str] | None = None, max_gap: int = 25, min_area: int = 200,
                 distractor_prob: float = 0.5, occluder_prob: float = 0.25, blur_prob: float = 0.15,
                 max_motion: float = 0.6, camera: float = 0.06) -> None:
        root = Path(root)
        names = sequences or davis.list_sequences(root)
        self.clips: list[list[tuple[str, str]]] = []
        for name in names:
            seq = davis.read_sequence(root, name)
            pairs = [(str(f), str(m)) for f, m in zip(seq.frame_paths, seq.mask_paths) if m is not None]
            if pairs:
                self.clips.append(pairs)
        self.backgrounds = [str(p) for folder in backgrounds or [] for p in sorted(Path(folder).rglob("*"))
                            if p.suffix.lower() in FRAME_SUFFIXES]
        if not self.clips or (len(self.clips) < 2 and not self.backgrounds):
            raise ValueError(f"pasting needs two annotated clips in {root}, or one and background frames")
        self.max_gap, self.min_area = max_gap, min_area
        self.distractor_prob, self.occluder_prob, self.blur_prob = distractor_prob, occluder_prob, blur_prob
        self.max_motion, self.camera = max_motion, camera

    def _cutout(self, clip: int, index: int) -> _Cutout | None:
        return _cutout(*self.clips[clip][index], self.min_area)

    def _background(self, rng: np.random.Generator, avoid: int) -> np.ndarray:
        # half from the other clips, half from the background folders (when there are any)
        if self.backgrounds and (len(self.clips) < 2 or rng.random() < 0.5):
            return _read_frame(self.backgrounds[int(rng.integers(len(self.backgrounds)))])
        pick = int(rng.integers(len(self.clips) - 1))
        clip = self.clips[pick if pick < avoid else pick + 1]
        return _read_frame(clip[int(rng.integers(len(clip)))][0])

    def sample(self, rng: np.random.Generator) -> FramePair | None:
        clip = int(rng.integers(len(self.clips)))
        frames = self.clips[clip]
        a = int(rng.integers(len(frames)))
        b = int(np.clip(a + rng.integers(-self.max_gap, self.max_gap + 1), 0, len(frames) - 1))
        first, second = self._cutout(clip, a), self._cutout(clip, b)
        if first is None or second is None:
            return None
        background = self._background(rng, clip)
        h, w = background.shape[:2]
        size = np.sqrt(first.mask.sum())
        # the pasted object covers 0.4-6 % of the frame, like most tracked objects
        scale = float(np.sqrt(rng.uniform(0.004, 0.06) * h * w) / size)
        object_side = size * scale
        centre = rng.uniform([object_side, object_side], [w - object_side, h - object_side]) \
            if w > 2 * object_side and h > 2 * object_side else np.array([w / 2, h / 2])
        angle = float(rng.uniform(-10, 10))
        template = background.copy()
        template_mask = _paste(template, first, centre, scale, angle, rng)

        # the search frame: the camera moves, the object moves, turns and changes size
        search = _camera(background, rng, self.camera)
        moved = centre + rng.uniform(-1, 1, 2) * self.max_motion * object_side
        moved = np.clip(moved, 0, [w - 1, h - 1])
        search_scale = scale * float(np.exp(rng.uniform(-0.25, 0.25)))
        search_angle = angle + float(rng.uniform(-15, 15))
        distractors = []
        if rng.random() < self.distractor_prob:
            for _ in range(int(rng.integers(1, 3))):
                # half of them look alike: another view of the same object
                other = (self._cutout(clip, int(rng.integers(len(frames)))) if rng.random() < 0.5 else
                         self._random_cutout(rng, clip))
                if other is not None:
                    offset = rng.uniform(1.2, 3.0) * object_side * np.array([np.cos(t := rng.uniform(0, 2 * np.pi)), np.sin(t)])
                    distractors.append((other, moved + offset))
        for other, where in distractors:  # behind the target
            _paste(search, other, where, search_scale * float(rng.uniform(0.7, 1.3)), float(rng.uniform(-20, 20)), rng)
        search_mask = _paste(search, second, moved, search_scale, search_angle, rng)
        if rng.random() < self.occluder_prob:
            occluder = self._random_cutout(rng, clip)
            if occluder is not None:
                # in front of the target, covering part of it
                where = moved + rng.uniform(-0.6, 0.6, 2) * object_side
                cover = _paste(search, occluder, where, search_scale * float(rng.uniform(0.4, 0.8)),
                               float(rng.uniform(-30, 30)), rng)
                search_mask = search_mask & (1 - cover)
        if rng.random() < self.blur_prob:
            search = _motion_blur(search, rng)
        if template_mask.sum() < self.min_area or search_mask.sum() < self.min_area:
            return None
        return FramePair(template, template_mask, search, search_mask)

    def _random_cutout(self, rng: np.random.Generator, avoid: int) -> _Cutout | None:
        if len(self.clips) < 2:  # the only clip: another view of its own object
            return self._cutout(avoid, int(rng.integers(len(self.clips[avoid]))))
        other = int(rng.integers(len(self.clips) - 1))
        other = other if other < avoid else other + 1
        return self._cutout(other, int(rng.integers(len(self.clips[other]))))
