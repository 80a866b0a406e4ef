"""Synthetic video-segmentation clips made from the photographs that ship with scikit-image.

    clip = make_clip(seed=3, n_frames=40)            # SyntheticClip: .frames (BGR) .masks (0/1)
    write_clip(clip, Path("out/synth"))              # out/synth/<name>/frames/*.jpg, masks/*.png
    python -m tracking_worker.training.synthetic --out data/synth --clips 20 --frames 40 --seed 1000

A clip is a panning background photograph with one target (id 1) and a few distractors. Each
object is a random shape (ellipse, star-like polygon, rounded box or blob union) cut out of
another photograph; it moves on a bouncing path, rotates and changes scale. Distractors may use
the same photograph as the target and may pass in front of it (the target's mask then loses the
occluded pixels). Every pose is a closed-form function of time, so any frame (or a pair of frames
for training, `ClipScene.render(t)`) is rendered without the frames before it. The same seed
always gives the same clip.
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

# skimage.data loaders whose files ship inside the package (no download needed)
PHOTO_NAMES = (
    "astronaut", "coffee", "chelsea", "rocket", "camera", "coins", "brick", "grass", "gravel",
    "hubble_deep_field", "immunohistochemistry", "moon", "page", "text", "cell", "colorwheel",
    "stereo_motorcycle", "clock",
)
OBJECT_CANVAS = 128  # side of the object's own canvas, before its pose is applied


@lru_cache(maxsize=1)
def photo_library() -> tuple[np.ndarray, ...]:
    """Return the scikit-image sample photographs as BGR uint8 images (grey ones replicated)."""
    import skimage.data

    photos = []
    for name in PHOTO_NAMES:
        try:
            image = getattr(skimage.data, name)()
        except (OSError, ValueError, ImportError):  # a file missing from this install: skip it
            continue
        if isinstance(image, tuple):
            image = image[0]
        image = np.asarray(image)
        if image.dtype != np.uint8:
            image = (image.astype(np.float64) * (255.0 / max(float(image.max()), 1.0))).astype(np.uint8)
        if image.ndim == 2:
            image = np.repeat(image[:, :, None], 3, axis=2)
        photos.append(np.ascontiguousarray(image[:, :, 2::-1]))  # RGB(A) -> BGR
    if not photos:
        raise RuntimeError("no scikit-image sample photographs could be loaded")
    return tuple(photos)


@dataclass
class SyntheticClip:
    """Frames (HxWx3 uint8 BGR) and masks (HxW uint8, 1 = target, 0 = background)."""

    name: str
    frames: list[np.ndarray]
    masks: list[np.ndarray]


@dataclass
class _Object:
    texture: np.ndarray  # (S, S, 3) uint8
    shape: np.ndarray  # (S, S) float32 alpha in [0, 1]
    start: np.ndarray  # centre at t = 0, frame px
    velocity: np.ndarray  # px per frame
    wobble: np.ndarray  # amplitude (x, y), frequency, phase
    angle0: float
    spin: float  # degrees per frame
    scale0: float  # object side in px / OBJECT_CANVAS
    scale_rate: float  # relative size change amplitude
    scale_freq: float
    front: bool = True  # distractors drawn in front of the target occlude it

    def pose(self, t: float, width: int, height: int) -> np.ndarray:
        """Return the 2x3 affine map from the object canvas to the frame at time `t`."""
        amp, freq, phase = self.wobble[:2], self.wobble[2], self.wobble[3]
        raw = self.start + self.velocity * t + amp * math.sin(freq * t + phase)
        margin = 0.1
        centre = np.array([
            _bounce(raw[0], margin * width, (1 - margin) * width),
            _bounce(raw[1], margin * height, (1 - margin) * height),
        ])
        scale = self.scale0 * (1.0 + self.scale_rate * math.sin(self.scale_freq * t))
        matrix = cv2.getRotationMatrix2D((OBJECT_CANVAS / 2, OBJECT_CANVAS / 2), self.angle0 + self.spin * t, scale)
        matrix[:, 2] += centre - OBJECT_CANVAS / 2
        return matrix


@dataclass
class ClipScene:
    """Everything random about a clip; `render(t)` draws frame t (t may be fractional)."""

    width: int
    height: int
    background: np.ndarray  # a photograph larger than the frame
    pan_start: np.ndarray
    pan_velocity: np.ndarray
    zoom_rate: float
    target: _Object
    distractors: list[_Object] = field(default_factory=list)
    brightness: tuple[float, float] = (0.0, 0.0)  # amplitude, frequency
    noise: float = 0.0

    def render(self, t: float, rng: np.random.Generator | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Return (frame_bgr uint8, target mask uint8 0/1) at time `t`."""
        w, h = self.width, self.height
        zoom = 1.0 + self.zoom_rate * t
        bg_h, bg_w = self.background.shape[:2]
        offset = self.pan_start + self.pan_velocity * t
        offset = np.array([
            _bounce(offset[0], 0, max(bg_w - w / zoom, 0)),
            _bounce(offset[1], 0, max(bg_h - h / zoom, 0)),
        ])
        matrix = np.array([[zoom, 0, -offset[0] * zoom], [0, zoom, -offset[1] * zoom]])
        frame = cv2.warpAffine(self.background, matrix, (w, h), flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_REFLECT).astype(np.float32)
        target_alpha = None  # the target's alpha over the whole frame
        behind = [d for d in self.distractors if not d.front]
        in_front = [d for d in self.distractors if d.front]
        for obj in (*behind, self.target, *in_front):
            placed = _place(obj, obj.pose(t, w, h), w, h)
            if placed is None:
                if obj is self.target:
                    target_alpha = np.zeros((h, w), np.float32)
                continue
            (x0, y0, x1, y1), tex, alpha = placed
            roi = frame[y0:y1, x0:x1]
            roi *= 1 - alpha[:, :, None]
            roi += tex.astype(np.float32) * alpha[:, :, None]
            if obj is self.target:
                target_alpha = np.zeros((h, w), np.float32)
                target_alpha[y0:y1, x0:x1] = alpha
            elif target_alpha is not None:
                target_alpha[y0:y1, x0:x1] *= 1 - alpha
        amp, freq = self.brightness
        frame = frame * (1.0 + amp * math.sin(freq * t))
        if self.noise > 0:
            noise_rng = rng if rng is not None else np.random.default_rng(int(t * 1000) + 7)
            frame += noise_rng.standard_normal(frame.shape, dtype=np.float32) * np.float32(self.noise)
        mask = (target_alpha > 0.5).astype(np.uint8)
        return np.clip(frame, 0, 255).astype(np.uint8), mask


def random_scene(rng: np.random.Generator, width: int = 480, height: int = 360,
                 n_distractors: tuple[int, int] = (0, 3)) -> ClipScene:
    """Draw a random scene (background, target, distractors, motions) from `rng`."""
    photos = photo_library()
    background = _random_crop(rng, photos[rng.integers(len(photos))], rng.uniform(1.2, 1.8) * width,
                              rng.uniform(1.2, 1.8) * height)
    background = _colour_jitter(rng, background, 0.3)
    target_photo = int(rng.integers(len(photos)))
    short = min(width, height)
    target = _random_object(rng, photos[target_photo], width, height, short * rng.uniform(0.15, 0.45))
    distractors = []
    for _ in range(int(rng.integers(n_distractors[0], n_distractors[1] + 1))):
        # a third of the distractors look like the target (same photograph): hard negatives
        photo = target_photo if rng.random() < 0.33 else int(rng.integers(len(photos)))
        obj = _random_object(rng, photos[photo], width, height, short * rng.uniform(0.1, 0.4))
        obj.front = bool(rng.random() < 0.5)
        distractors.append(obj)
    bg_h, bg_w = background.shape[:2]
    return ClipScene(
        width=width, height=height, background=background,
        pan_start=np.array([rng.uniform(0, bg_w - width), rng.uniform(0, bg_h - height)]),
        pan_velocity=rng.normal(0, 1.5, 2),
        zoom_rate=float(rng.uniform(-0.002, 0.004)),
        target=target, distractors=distractors,
        brightness=(float(rng.uniform(0, 0.15)), float(rng.uniform(0.02, 0.2))),
        noise=float(rng.uniform(0, 6)),
    )


def make_clip(seed: int | np.random.Generator = 0, n_frames: int = 40, width: int = 480,
              height: int = 360, name: str | None = None, min_area: int = 100) -> SyntheticClip:
    """Return a clip of `n_frames`; the target is visible (area >= min_area) on frame 0."""
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    for _ in range(20):
        scene = random_scene(rng, width, height)
        noise_rng = np.random.default_rng(rng.integers(1 << 31))
        frames, masks = zip(*(scene.render(t, noise_rng) for t in range(n_frames)))
        if int(masks[0].sum()) >= min_area:
            break
    label = name if name is not None else f"synth_{seed if isinstance(seed, int) else 'rng'}"
    return SyntheticClip(label, list(frames), list(masks))


def write_clip(clip: SyntheticClip, out_dir: Path) -> Path:
    """Write `<out_dir>/<name>/frames/00000.jpg ..` and `masks/00000.png ..` (the flat layout)."""
    seq_dir = Path(out_dir) / clip.name
    (seq_dir / "frames").mkdir(parents=True, exist_ok=True)
    (seq_dir / "masks").mkdir(parents=True, exist_ok=True)
    for index, (frame, mask) in enumerate(zip(clip.frames, clip.masks)):
        cv2.imwrite(str(seq_dir / "frames" / f"{index:05d}.jpg"), frame, [cv2.IMWRITE_JPEG_QUALITY, 95])
        cv2.imwrite(str(seq_dir / "masks" / f"{index:05d}.png"), mask)
    return seq_dir


def write_dataset(out_dir: Path, clips: int, frames: int, seed: int, width: int = 480,
                  height: int = 360) -> list[Path]:
    """Write `clips` clips; clip i uses seed `seed + i` and is named synth_<seed + i>."""
    return [
        write_clip(make_clip(seed + i, frames, width, height, name=f"synth_{seed + i:05d}"), out_dir)
        for i in range(clips)
    ]


def _place(obj: _Object, pose: np.ndarray, width: int, height: int):
    """Warp an object into the frame region it covers; None when it is outside the frame."""
    side = OBJECT_CANVAS
    corners = np.array([[0, 0, 1], [side, 0, 1], [0, side, 1], [side, side, 1]], dtype=np.float64) @ pose.T
    x0, y0 = (max(int(np.floor(v)) - 1, 0) for v in corners.min(axis=0))
    x1, y1 = min(int(np.ceil(corners[:, 0].max())) + 2, width), min(int(np.ceil(corners[:, 1].max())) + 2, height)
    if x0 >= x1 or y0 >= y1:
        return None
    local = pose.copy()
    local[:, 2] -= (x0, y0)
    size = (x1 - x0, y1 - y0)
    tex = cv2.warpAffine(obj.texture, local, size, flags=cv2.INTER_LINEAR)
    alpha = cv2.warpAffine(obj.shape, local, size, flags=cv2.INTER_LINEAR)
    return (x0, y0, x1, y1), tex, alpha


def _bounce(value: float, low: float, high: float) -> float:
    """Reflect `value` into [low, high] (a triangle wave), so paths bounce off the borders."""
    span = high - low
    if span <= 0:
        return low
    phase = (value - low) % (2 * span)
    return low + (phase if phase <= span else 2 * span - phase)


def _random_crop(rng: np.random.Generator, photo: np.ndarray, width: float, height: float) -> np.ndarray:
    """Return a random crop of `photo` resized to about width x height (upsampled if needed)."""
    ph, pw = photo.shape[:2]
    frac = rng.uniform(0.4, 1.0)
    cw, ch = max(8, int(pw * frac)), max(8, int(ph * frac))
    x0, y0 = int(rng.integers(0, pw - cw + 1)), int(rng.integers(0, ph - ch + 1))
    crop = photo[y0 : y0 + ch, x0 : x0 + cw]
    if rng.random() < 0.5:
        crop = crop[:, ::-1]
    return np.ascontiguousarray(cv2.resize(crop, (int(width), int(height)), interpolation=cv2.INTER_LINEAR))


def _colour_jitter(rng: np.random.Generator, image: np.ndarray, strength: float) -> np.ndarray:
    """Scale each channel and shift the brightness (through a lookup table: uint8 in and out)."""
    gains = rng.uniform(1 - strength, 1 + strength, 3)
    bias = rng.uniform(-20, 20) * strength
    levels = np.arange(256, dtype=np.float64)[:, None] * gains[None, :] + bias
    table = np.clip(levels, 0, 255).astype(np.uint8).reshape(256, 1, 3)
    return cv2.LUT(np.ascontiguousarray(image), table)


def _random_shape(rng: np.random.Generator) -> np.ndarray:
    """Return an (S, S) float32 alpha of a random shape centred in the canvas."""
    side = OBJECT_CANVAS
    canvas = np.zeros((side, side), dtype=np.uint8)
    centre = (side // 2, side // 2)
    kind = rng.integers(4)
    if kind == 0:  # ellipse
        axes = (int(rng.uniform(20, 60)), int(rng.uniform(20, 60)))
        cv2.ellipse(canvas, centre, axes, float(rng.uniform(0, 180)), 0, 360, 255, -1, cv2.LINE_AA)
    elif kind == 1:  # star-like polygon: random radii at sorted angles
        count = int(rng.integers(3, 10))
        angles = np.sort(rng.uniform(0, 2 * np.pi, count))
        radii = rng.uniform(20, 60, count)
        points = np.stack([centre[0] + radii * np.cos(angles), centre[1] + radii * np.sin(angles)], 1)
        cv2.fillPoly(canvas, [points.astype(np.int32)], 255, cv2.LINE_AA)
    elif kind == 2:  # rounded box
        half = (int(rng.uniform(15, 55)), int(rng.uniform(15, 55)))
        cv2.rectangle(canvas, (centre[0] - half[0], centre[1] - half[1]),
                      (centre[0] + half[0], centre[1] + half[1]), 255, -1)
        canvas = cv2.GaussianBlur(canvas, (0, 0), rng.uniform(1, 6))
        canvas = np.where(canvas > 127, 255, 0).astype(np.uint8)
    else:  # blob: a union of a few ellipses
        for _ in range(int(rng.integers(2, 5))):
            offset = rng.normal(0, 14, 2)
            axes = (int(rng.uniform(12, 35)), int(rng.uniform(12, 35)))
            cv2.ellipse(canvas, (int(centre[0] + offset[0]), int(centre[1] + offset[1])), axes,
                        float(rng.uniform(0, 180)), 0, 360, 255, -1, cv2.LINE_AA)
    return canvas.astype(np.float32) / 255.0


def _random_object(rng: np.random.Generator, photo: np.ndarray, width: int, height: int,
                   size_px: float) -> _Object:
    texture = _colour_jitter(rng, _random_crop(rng, photo, OBJECT_CANVAS, OBJECT_CANVAS), 0.25)
    speed = rng.uniform(0, 0.02) * min(width, height)
    heading = rng.uniform(0, 2 * np.pi)
    return _Object(
        texture=texture,
        shape=_random_shape(rng),
        start=np.array([rng.uniform(0.2, 0.8) * width, rng.uniform(0.2, 0.8) * height]),
        velocity=speed * np.array([math.cos(heading), math.sin(heading)]),
        wobble=np.array([rng.uniform(0, 25), rng.uniform(0, 25), rng.uniform(0.05, 0.3),
                         rng.uniform(0, 2 * np.pi)]),
        angle0=float(rng.uniform(0, 360)),
        spin=float(rng.normal(0, 2.0)),
        scale0=float(size_px / 100.0),  # the shapes span roughly 100 px of the canvas
        scale_rate=float(rng.uniform(0, 0.35)),
        scale_freq=float(rng.uniform(0.02, 0.15)),
    )


def main(argv: list[str] | None = None) -> int:
    """Write synthetic clips in the flat layout the evaluation tool reads."""
    parser = argparse.ArgumentParser(prog="python -m tracking_worker.training.synthetic",
                                     description="Write synthetic clips (frames + target masks).")
    parser.add_argument("--out", type=Path, required=True, help="output folder (flat layout)")
    parser.add_argument("--clips", type=int, default=10)
    parser.add_argument("--frames", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0, help="clip i uses seed + i")
    parser.add_argument("--width", type=int, default=480)
    parser.add_argument("--height", type=int, default=360)
    args = parser.parse_args(argv)
    paths = write_dataset(args.out, args.clips, args.frames, args.seed, args.width, args.height)
    print(f"wrote {len(paths)} clips of {args.frames} frames to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
