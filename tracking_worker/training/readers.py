"""Sources of training pairs: two frames showing one object, with its mask in each.

    source = VideoPairSource("data/DAVIS")                   # DAVIS / flat / project DAVIS exports
    source = YouTubeVOSPairSource("data/youtube-vos")        # <root>/train/JPEGImages, Annotations
    source = CocoPairSource("instances_train2017.json", "train2017/")
    source = SyntheticPairSource()
    pair = source.sample(rng)                                # FramePair, or None to retry

Video sources pick an object, a frame where it is visible and a second frame at most
`max_gap` frames away; still images (COCO) give the same image twice, and the augmentation
makes the two crops differ (SiamMask paper §4: COCO images are used as pairs of one image).
Masks come back as HxW uint8, nonzero on the object.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

from tracking_worker.evaluation import davis

from .synthetic import random_scene


@dataclass
class FramePair:
    template_bgr: np.ndarray
    template_mask: np.ndarray
    search_bgr: np.ndarray
    search_mask: np.ndarray


class PairSource(Protocol):
    def sample(self, rng: np.random.Generator) -> FramePair | None: ...


def object_masks(ids: np.ndarray) -> dict[int, np.ndarray]:
    """Return {object id: bool mask} of an id map; 255 is void unless it is the only id."""
    values = [int(v) for v in np.unique(ids) if v != 0]
    if values != [davis.VOID_ID]:
        values = [v for v in values if v != davis.VOID_ID]
    return {v: ids == v for v in values}


class VideoPairSource:
    """Pairs from a video dataset in the DAVIS or flat layout (project exports included).

    Frames without a mask file (sparse annotation, e.g. YouTube-VOS every 5th frame) are not
    used. Objects smaller than `min_area` pixels in either frame are skipped.
    """

    def __init__(self, root: str | Path, *, max_gap: int = 20, min_area: int = 64,
                 sequences: list[str] | None = None) -> None:
        self.root = Path(root)
        names = sequences or davis.list_sequences(self.root)
        self.sequences = []
        for name in names:
            seq = davis.read_sequence(self.root, name)
            annotated = [(f, m) for f, m in zip(seq.frame_paths, seq.mask_paths) if m is not None]
            if len(annotated) >= 1:
                self.sequences.append(annotated)
        if not self.sequences:
            raise ValueError(f"no annotated sequences in {self.root}")
        self.max_gap = max_gap
        self.min_area = min_area

    def __len__(self) -> int:
        return len(self.sequences)

    def sample(self, rng: np.random.Generator) -> FramePair | None:
        frames = self.sequences[int(rng.integers(len(self.sequences)))]
        a = int(rng.integers(len(frames)))
        objects_a = {k: m for k, m in object_masks(davis.read_id_png(frames[a][1])).items()
                     if m.sum() >= self.min_area}
        if not objects_a:
            return None
        obj = sorted(objects_a)[int(rng.integers(len(objects_a)))]
        low, high = max(0, a - self.max_gap), min(len(frames) - 1, a + self.max_gap)
        b = int(rng.integers(low, high + 1))
        mask_b = object_masks(davis.read_id_png(frames[b][1])).get(obj)
        if mask_b is None or mask_b.sum() < self.min_area:
            return None
        return FramePair(davis.load_frame(frames[a][0]), objects_a[obj].astype(np.uint8),
                         davis.load_frame(frames[b][0]), mask_b.astype(np.uint8))


class YouTubeVOSPairSource(VideoPairSource):
    """YouTube-VOS: `<root>/train/JPEGImages/<vid>/*.jpg` and `<root>/train/Annotations/<vid>/*.png`.

    The annotations are palette PNGs of object ids on every 5th frame, i.e. the DAVIS layout
    with sparse masks; `root` may also point at the split folder itself.
    """

    def __init__(self, root: str | Path, *, split: str = "train", max_gap: int = 100,
                 min_area: int = 64) -> None:
        root = Path(root)
        if (root / split / "JPEGImages").is_dir():
            root = root / split
        super().__init__(root, max_gap=max_gap, min_area=min_area)


class CocoPairSource:
    """Still images with instance masks (COCO JSON; polygons or RLE, via pycocotools)."""

    def __init__(self, annotations: str | Path, images: str | Path, *, min_area: int = 256) -> None:
        import contextlib
        import io

        from pycocotools.coco import COCO  # imported here: only this source needs it

        with contextlib.redirect_stdout(io.StringIO()):  # COCO() prints progress
            self.coco = COCO(str(annotations))
        self.images = Path(images)
        self.annotations = [
            a for a in self.coco.dataset.get("annotations", [])
            if not a.get("iscrowd", 0) and a.get("area", 0) >= min_area
        ]
        if not self.annotations:
            raise ValueError(f"no usable (non-crowd, area >= {min_area}) annotations in {annotations}")

    def __len__(self) -> int:
        return len(self.annotations)

    def sample(self, rng: np.random.Generator) -> FramePair | None:
        ann = self.annotations[int(rng.integers(len(self.annotations)))]
        info = self.coco.imgs[ann["image_id"]]
        image = cv2.imread(str(self.images / info["file_name"]), cv2.IMREAD_COLOR)
        if image is None:
            raise FileNotFoundError(self.images / info["file_name"])
        mask = self.coco.annToMask(ann)
        if mask.sum() == 0:
            return None
        return FramePair(image, mask, image, mask)


class SyntheticPairSource:
    """Pairs from synthetic scenes (synthetic.py): frames t and t + gap of one random clip."""

    def __init__(self, *, width: int = 480, height: int = 360, max_gap: int = 15,
                 clip_length: int = 60, min_area: int = 64) -> None:
        self.width, self.height = width, height
        self.max_gap, self.clip_length, self.min_area = max_gap, clip_length, min_area

    def sample(self, rng: np.random.Generator) -> FramePair | None:
        scene = random_scene(rng, self.width, self.height)
        t_a = float(rng.integers(0, self.clip_length))
        t_b = t_a + float(rng.integers(-self.max_gap, self.max_gap + 1))
        frame_a, mask_a = scene.render(t_a, rng)
        frame_b, mask_b = scene.render(t_b, rng)
        if mask_a.sum() < self.min_area or mask_b.sum() < self.min_area:
            return None
        return FramePair(frame_a, mask_a, frame_b, mask_b)


def build_source(spec: dict) -> PairSource:
    """Return the source a config entry names.

    `type`: synthetic, davis, flat, export, youtube_vos, coco, or paste (paste.PasteSource).
    Relative paths of `root` and `backgrounds` are read from the working directory.
    """
    spec = dict(spec)
    kind = spec.pop("type")
    spec.pop("weight", None)
    if kind == "synthetic":
        return SyntheticPairSource(**spec)
    if kind in ("davis", "flat", "export"):  # the project's clip exports use the DAVIS layout
        return VideoPairSource(spec.pop("root"), **spec)
    if kind == "youtube_vos":
        return YouTubeVOSPairSource(spec.pop("root"), **spec)
    if kind == "paste":
        from .paste import PasteSource  # imports this module

        return PasteSource(spec.pop("root"), **spec)
    if kind == "coco":
        return CocoPairSource(spec.pop("annotations"), spec.pop("images"), **spec)
    raise ValueError(f"unknown data source type {kind!r}")
