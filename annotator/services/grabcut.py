"""Scribble refinement: OpenCV GrabCut seeded with a track's mask and the user's strokes.

    strokes = [Stroke(foreground=True, radius=6, points_xy=[(40, 50), (60, 52)])]
    result = refine_mask(frame_bgr, mask, strokes)            # pure: arrays in, Refinement out
    result = refine_frame_mask(track=track, frame_index=3, strokes=strokes)   # reads frame and mask

Nothing is saved: the browser stores the answer through the ordinary PUT with the track's
version, so undo/redo and optimistic locking stay in one place (frontend/src/store/commands.ts).
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

import cv2
import numpy as np

from annotator import frames, masks, media_store
from annotator.services.errors import ServiceError

if TYPE_CHECKING:
    from annotator.models import Track

ITERATIONS = 3  # fixed, so a refine costs the same every time (docs/benchmarks.md, "GrabCut refine")
MARGIN_FRACTION = 0.25  # window margin around mask and strokes, as a fraction of their larger side...
MIN_MARGIN = 16  # ...but at least this many pixels: GrabCut needs background samples around the object
# GrabCut's time grows with the window: past this many pixels it runs on a shrunk copy
# (bench/grabcut.py; docs/benchmarks.md has the figures that chose it)
MAX_WORK_PIXELS = 250_000
# What a refine may add: pixels near the current mask or near a foreground stroke. Farther ones are
# certain background, so GrabCut cannot flood a wall or a court whose colours match the object's
# (a QA pass saw one stroke across a player's legs turn 3,852 px into 24,723 px of wall and court).
REACH_FRACTION = 0.1  # the mask may grow by this fraction of its larger side...
MIN_REACH = 8  # ...at least this many pixels
STROKE_REACH_RADII = 4  # a foreground stroke reaches this many brush radii from its line...
MIN_STROKE_REACH = 16  # ...at least this many pixels
MAX_STROKES = 64
MAX_POINTS = 4096  # all strokes together
MAX_RADIUS = 100


@dataclass(frozen=True)
class Stroke:
    """A polyline painted with a round brush of `radius` pixels; x, y are 0-based image pixels."""

    foreground: bool
    radius: float
    points_xy: list[tuple[float, float]]


@dataclass(frozen=True)
class Refinement:
    mask: np.ndarray  # HxW bool, the whole frame
    window_xywh: tuple[int, int, int, int]  # where GrabCut ran; outside it the mask is empty


def check_strokes(strokes: list[Stroke], width: int, height: int) -> None:
    """Raise ServiceError unless the strokes are usable on a width x height frame."""
    if not strokes:
        raise ServiceError("draw at least one stroke")
    if len(strokes) > MAX_STROKES:
        raise ServiceError(f"at most {MAX_STROKES} strokes per refine")
    if sum(len(s.points_xy) for s in strokes) > MAX_POINTS:
        raise ServiceError(f"at most {MAX_POINTS} stroke points per refine")
    for s in strokes:
        if not s.points_xy:
            raise ServiceError("a stroke has no points")
        if not 0.5 <= s.radius <= MAX_RADIUS:
            raise ServiceError(f"stroke radius must be between 0.5 and {MAX_RADIUS} pixels")
        for x, y in s.points_xy:
            if not (0 <= x <= width and 0 <= y <= height):
                raise ServiceError(f"stroke point ({x:g}, {y:g}) lies outside the {width}x{height} frame")


def paint_strokes(strokes: list[Stroke], height: int, width: int, *, foreground: bool) -> np.ndarray:
    """Return the HxW bool mask of the strokes of one kind, as the browser's brush draws them."""
    canvas = np.zeros((height, width), dtype=np.uint8)
    for s in strokes:
        if s.foreground != foreground:
            continue
        # pixel centres are at +0.5 in the browser (canvas/stamp.ts); cv2 draws at integer centres
        pts = np.round(np.asarray(s.points_xy, dtype=np.float64) - 0.5).astype(np.int32).reshape(-1, 1, 2)
        thickness = max(1, int(round(2 * s.radius)))
        cv2.polylines(canvas, [pts], isClosed=False, color=1, thickness=thickness, lineType=cv2.LINE_8)
        for x, y in pts[:, 0]:  # a one-point stroke is a dot
            cv2.circle(canvas, (int(x), int(y)), max(0, int(round(s.radius))), 1, thickness=-1)
    return canvas.astype(bool)


def window_around(region: np.ndarray) -> tuple[int, int, int, int]:
    """Return [x, y, w, h] of the region's box grown by the margin, clipped to the frame."""
    height, width = region.shape
    x, y, w, h = (int(v) for v in masks.mask_bbox(region))
    margin = max(MIN_MARGIN, int(MARGIN_FRACTION * max(w, h)))
    x0, y0 = max(0, x - margin), max(0, y - margin)
    x1, y1 = min(width, x + w + margin), min(height, y + h + margin)
    return x0, y0, x1 - x0, y1 - y0


def refine_mask(frame_bgr: np.ndarray, mask: np.ndarray, strokes: list[Stroke], *,
                confined: bool = True) -> Refinement:
    """Return GrabCut's mask of the object, seeded with the current mask and the strokes.

    Args:
        frame_bgr: HxWx3 uint8 BGR image.
        mask: HxW bool, the current mask (may be empty: then foreground strokes seed it alone).
        strokes: foreground strokes are certain object pixels, background strokes certain background;
            the current mask is probable object, pixels near it or near a foreground stroke probable
            background, farther ones certain background (`within_reach`).
        confined: True (what the API does): GrabCut's answer replaces the mask only near the strokes
            (`near_strokes`); elsewhere the mask stays. False: GrabCut over the whole window decides
            every pixel, as before 2026-12-01 (bench/scribble_accuracy.py compares the two).
    """
    height, width = mask.shape
    assert frame_bgr.shape == (height, width, 3), f"frame {frame_bgr.shape} does not match mask {mask.shape}"
    check_strokes(strokes, width, height)
    fg = paint_strokes(strokes, height, width, foreground=True)
    bg = paint_strokes(strokes, height, width, foreground=False)
    x, y, w, h = window_around(mask | fg | bg)
    # C order: masks decoded from RLE are Fortran-ordered, and cv2.grabCut refuses those
    seeds = np.ascontiguousarray(np.where(mask[y:y + h, x:x + w], cv2.GC_PR_FGD, cv2.GC_PR_BGD), dtype=np.uint8)
    if confined:
        seeds[~within_reach(mask[y:y + h, x:x + w], fg[y:y + h, x:x + w], strokes)] = cv2.GC_BGD
    seeds[fg[y:y + h, x:x + w]] = cv2.GC_FGD
    seeds[bg[y:y + h, x:x + w]] = cv2.GC_BGD  # a pixel painted both ways counts as background
    kinds = set(np.unique(seeds).tolist())
    if not kinds & {cv2.GC_FGD, cv2.GC_PR_FGD}:
        raise ServiceError("nothing to refine: the track has no mask here; paint a foreground stroke on the object")
    if not kinds & {cv2.GC_BGD, cv2.GC_PR_BGD}:
        raise ServiceError("nothing to refine: the mask and strokes cover the whole frame")
    crop = np.ascontiguousarray(frame_bgr[y:y + h, x:x + w])
    window = (fg[y:y + h, x:x + w], bg[y:y + h, x:x + w])
    found = grabcut_at_most(crop, seeds, *window, max_pixels=MAX_WORK_PIXELS)
    refined = np.zeros((height, width), dtype=bool) if not confined else mask.copy()
    if confined:  # a scribble edits near where it is drawn: farther away the mask stays as it was
        found = np.where(near_strokes(window[0] | window[1], strokes), found, mask[y:y + h, x:x + w])
    refined[y:y + h, x:x + w] = found
    return Refinement(mask=refined, window_xywh=(x, y, w, h))


def within_reach(mask: np.ndarray, fg: np.ndarray, strokes: list[Stroke]) -> np.ndarray:
    """Return where a refine may put object pixels: near the mask (REACH_FRACTION of its larger side)
    or near the foreground strokes (STROKE_REACH_RADII of their widest brush)."""
    reach = np.zeros(mask.shape, dtype=bool)
    for region, distance in ((mask, _mask_reach(mask)), (fg, _stroke_reach(strokes))):
        if region.any():
            # distance of every pixel to the region (0 inside it)
            reach |= cv2.distanceTransform((~region).astype(np.uint8), cv2.DIST_L2, 3) <= distance
    return reach


def near_strokes(painted: np.ndarray, strokes: list[Stroke]) -> np.ndarray:
    """Return the pixels within STROKE_REACH_RADII of the widest brush of any stroke (either kind)."""
    reach = max(MIN_STROKE_REACH, STROKE_REACH_RADII * max(s.radius for s in strokes))
    return cv2.distanceTransform((~painted).astype(np.uint8), cv2.DIST_L2, 3) <= reach


def _mask_reach(mask: np.ndarray) -> float:
    if not mask.any():
        return 0.0
    _, _, w, h = masks.mask_bbox(mask)
    return max(MIN_REACH, REACH_FRACTION * max(w, h))


def _stroke_reach(strokes: list[Stroke]) -> float:
    radii = [s.radius for s in strokes if s.foreground]
    return max(MIN_STROKE_REACH, STROKE_REACH_RADII * max(radii)) if radii else 0.0


def grabcut_at_most(image_bgr: np.ndarray, seeds: np.ndarray, fg: np.ndarray, bg: np.ndarray, *,
                    max_pixels: int) -> np.ndarray:
    """Return GrabCut's object pixels (HxW bool) for an image and GC_* seeds, run on at most
    `max_pixels` pixels: a bigger image is shrunk, the answer enlarged and the strokes put back."""
    h, w = seeds.shape
    scale = min(1.0, (max_pixels / (h * w)) ** 0.5)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    if scale < 1:
        image_bgr = cv2.resize(image_bgr, size, interpolation=cv2.INTER_AREA)
        seeds = cv2.resize(seeds, size, interpolation=cv2.INTER_NEAREST)
        # a thin stroke can fall between the kept pixels: any touched pixel stays certain
        seeds[cv2.resize(fg.astype(np.uint8), size, interpolation=cv2.INTER_AREA) > 0] = cv2.GC_FGD
        seeds[cv2.resize(bg.astype(np.uint8), size, interpolation=cv2.INTER_AREA) > 0] = cv2.GC_BGD
    bgd_model, fgd_model = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    cv2.grabCut(image_bgr, seeds, None, bgd_model, fgd_model, ITERATIONS, cv2.GC_INIT_WITH_MASK)
    found = (seeds == cv2.GC_FGD) | (seeds == cv2.GC_PR_FGD)
    if scale < 1:
        found = cv2.resize(found.astype(np.uint8) * 255, (w, h), interpolation=cv2.INTER_LINEAR) >= 128
        found = (found | fg) & ~bg
    return found


def current_mask(track: "Track", frame_index: int) -> np.ndarray:
    """Return the track's mask on a frame: its mask, else its box filled, else empty."""
    video = track.video
    annotation = track.annotations.filter(frame_index=frame_index).first()
    if annotation is None:
        return np.zeros((video.height, video.width), dtype=bool)
    if annotation.mask_rle:
        return masks.decode_mask(annotation.mask_rle)
    return masks.box_mask(annotation.bbox, video.height, video.width)


def refine_frame_mask(*, track: "Track", frame_index: int, strokes: list[Stroke]) -> Refinement:
    """Refine the track's stored mask on a frame with the strokes; save nothing."""
    # imported here so that refine_mask needs no Django (bench/grabcut.py runs it bare)
    from annotator.services.tracks import check_frame

    video = track.video
    check_frame(video, frame_index)
    check_strokes(strokes, video.width, video.height)  # before reading anything
    try:
        with media_store.get().fetched(video.frame_key(frame_index)) as path:  # local, or from the bucket
            frame_bgr = frames.read_frame(path)
    except (frames.FrameError, FileNotFoundError) as exc:
        raise ServiceError(str(exc)) from exc
    if frame_bgr.shape[:2] != (video.height, video.width):
        raise ServiceError(f"frame {frame_index} is {frame_bgr.shape[1]}x{frame_bgr.shape[0]}, "
                           f"the video is {video.width}x{video.height}")
    return refine_mask(frame_bgr, current_mask(track, frame_index), strokes)
