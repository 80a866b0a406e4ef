"""COCO RLE masks and boxes: the one place that encodes, decodes and measures them.

    rle = encode_mask(mask)          # HxW bool -> {"size": [h, w], "counts": "..."}
    mask = decode_mask(rle)          # back to HxW bool
    bbox_xywh = mask_bbox(mask)      # tight [x, y, w, h] of the set pixels (rle_bbox: from the RLE)
"""

import numpy as np
from pycocotools import mask as coco_mask

from formats.mask_geometry import mask_to_xywh, rotated_box_from_mask


class MaskError(ValueError):
    """A mask or box that cannot be stored as given."""


def encode_mask(mask: np.ndarray) -> dict:
    """Return the COCO RLE of an HxW mask, with `counts` as a str (JSON-safe)."""
    if mask.ndim != 2:
        raise MaskError(f"mask must be 2-D, got shape {mask.shape}")
    rle = coco_mask.encode(np.asfortranarray(mask.astype(np.uint8)))
    return {"size": [int(rle["size"][0]), int(rle["size"][1])], "counts": rle["counts"].decode("ascii")}


def encode_window_mask(window: np.ndarray, origin: tuple[int, int], frame_hw: tuple[int, int]) -> dict:
    """Return encode_mask() of the frame mask that is `window` at `origin` (x0, y0), False elsewhere.

    Reads only the window's pixels, so the cost follows the object, not the frame (a 1080p frame
    mask is 2 Mpx). COCO counts are the column-major runs, zeros first: each window column gives
    its runs of ones, which sit at frame offset x * H + y; the zero runs are the gaps between them.
    tests/annotator/test_masks_window.py checks equality with encode_mask.
    """
    height, width = frame_hw
    x0, y0 = origin
    h, w = window.shape
    if window.ndim != 2 or x0 < 0 or y0 < 0 or x0 + w > width or y0 + h > height:
        raise MaskError(f"a {w}x{h} window at ({x0}, {y0}) does not fit a {width}x{height} frame")
    columns = np.zeros((w, h + 2), dtype=np.int8)  # each window column with a False above and below
    columns[:, 1:-1] = window.T
    edges = np.diff(columns, axis=1)  # +1 at a run's first row, -1 one past its last
    col, row = np.nonzero(edges == 1)  # in column-major order: by column, then row
    starts = (x0 + col) * height + y0 + row
    col, row = np.nonzero(edges == -1)
    ends = (x0 + col) * height + y0 + row
    # a run that ends at the bottom of the frame and one that starts at the top of the next column are one run
    joined = starts[1:] == ends[:-1]
    starts = np.concatenate([starts[:1], starts[1:][~joined]])
    ends = np.concatenate([ends[:-1][~joined], ends[-1:]])
    points = np.concatenate([[0], np.column_stack([starts, ends]).ravel(), [height * width]])
    counts = np.diff(points)
    if len(counts) > 1 and counts[-1] == 0:  # ones to the last pixel: COCO ends on that run
        counts = counts[:-1]
    rle = coco_mask.frPyObjects({"size": [height, width], "counts": counts.tolist()}, height, width)
    return {"size": [height, width], "counts": rle["counts"].decode("ascii")}


def decode_mask(rle: dict) -> np.ndarray:
    """Return the HxW bool mask of a COCO RLE (compressed str counts or uncompressed list)."""
    rle = validate_rle(rle)
    counts = rle["counts"]
    h, w = rle["size"]
    if isinstance(counts, list):
        rle = coco_mask.frPyObjects({"size": [h, w], "counts": counts}, h, w)
    else:
        rle = {"size": [h, w], "counts": counts.encode("ascii")}
    return coco_mask.decode(rle).astype(bool)


def validate_rle(rle) -> dict:
    """Check the shape of an RLE dict and return it; raise MaskError with a readable reason."""
    if not isinstance(rle, dict) or "size" not in rle or "counts" not in rle:
        raise MaskError("mask must be a COCO RLE object {size: [h, w], counts: ...}")
    size = rle["size"]
    if not (isinstance(size, (list, tuple)) and len(size) == 2 and all(isinstance(v, int) and v > 0 for v in size)):
        raise MaskError("mask size must be [height, width] with positive integers")
    counts = rle["counts"]
    if isinstance(counts, list):
        if not all(isinstance(c, int) and c >= 0 for c in counts) or sum(counts) != size[0] * size[1]:
            raise MaskError("uncompressed RLE counts must be non-negative integers summing to height*width")
    elif not isinstance(counts, str):
        raise MaskError("mask counts must be a string (compressed RLE) or a list of integers")
    else:
        runs = compressed_counts(counts)
        if min(runs, default=0) < 0 or sum(runs) != size[0] * size[1]:
            # pycocotools decodes a short string without complaint and leaves the rest of the
            # mask as whatever memory held before: another mask, possibly another project's
            raise MaskError(f"compressed RLE runs must be non-negative and sum to height*width = "
                            f"{size[0] * size[1]}, not {sum(runs)} (a truncated or corrupt counts string?)")
    return {"size": [int(size[0]), int(size[1])], "counts": counts}


def compressed_counts(counts: str) -> list[int]:
    """Return the runs of a compressed COCO RLE string; MaskError if it is not one.

    The format (pycocotools' maskApi.c): each run is written in 5-bit groups, least significant
    first, one character per group offset by 48; 0x20 says another group follows, and 0x10 in a
    run's last group makes it negative. From the third run on, the value is the difference from
    the run two before.
    """
    runs: list[int] = []
    value = shift = 0
    for char in counts:
        group = ord(char) - 48
        if not 0 <= group < 64:
            raise MaskError(f"mask counts are not a valid compressed RLE: character {char!r}")
        value |= (group & 0x1F) << shift
        shift += 5
        if group & 0x20:
            continue
        if group & 0x10:
            value -= 1 << shift  # sign-extend
        runs.append(value + runs[-2] if len(runs) > 2 else value)
        value = shift = 0
    if shift:
        raise MaskError("mask counts are not a valid compressed RLE: the string ends inside a run")
    return runs


def rle_area(rle: dict) -> int:
    """Return the number of set pixels of an RLE."""
    if isinstance(rle["counts"], list):
        return int(sum(rle["counts"][1::2]))  # uncompressed: runs alternate 0s and 1s, 0s first
    return int(coco_mask.area({"size": rle["size"], "counts": rle["counts"].encode("ascii")}))


def rle_bbox(rle: dict) -> list[float]:
    """Return the tight [x, y, w, h] box of a compressed RLE's pixels, without decoding it.

    The box of set pixels, so it always lies inside the frame; [0, 0, 0, 0] when empty.
    """
    box = coco_mask.toBbox({"size": rle["size"], "counts": rle["counts"].encode("ascii")})
    return [float(v) for v in box]


def mask_bbox(mask: np.ndarray) -> list[float]:
    """Return the tight [x, y, w, h] box of a mask's pixels ([0, 0, 0, 0] when empty)."""
    ys, xs = np.nonzero(mask)
    if len(xs) == 0:
        return [0.0, 0.0, 0.0, 0.0]
    return [float(xs.min()), float(ys.min()), float(xs.max() - xs.min() + 1), float(ys.max() - ys.min() + 1)]


def box_mask(bbox_xywh, height: int, width: int) -> np.ndarray:
    """Return the HxW mask filling a box, clipped to the frame."""
    x, y, w, h = bbox_xywh
    mask = np.zeros((height, width), dtype=bool)
    x0, y0 = max(int(round(x)), 0), max(int(round(y)), 0)
    x1, y1 = min(int(round(x + w)), width), min(int(round(y + h)), height)
    mask[y0:y1, x0:x1] = True
    return mask


def mask_polygons(mask: np.ndarray) -> list[list[float]]:
    """Return a mask's outer boundaries as COCO polygons [x1, y1, x2, y2, ...] on pixel corners.

    pycocotools rasterises a polygon with its vertices on pixel corners (the ring [5, 5, 9, 5, 9, 8,
    5, 8] is the 4x3 pixels from (5, 5)), so polygons through the boundary pixels' centres would
    lose half a pixel all round. The contours are traced on the mask doubled in size, where a
    pixel's left (top) edge is an even centre and its right (bottom) edge an odd one; ceil(c / 2)
    puts each vertex on the matching corner. Rasterised again, the polygons give back the mask
    exactly, except holes, which COCO polygons cannot cut out: they come back filled.
    """
    import cv2

    doubled = np.kron(mask.astype(np.uint8), np.ones((2, 2), np.uint8))
    contours, _ = cv2.findContours(doubled, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    polygons = []
    for contour in contours:
        corners = np.ceil(contour.reshape(-1, 2) / 2.0)
        corners = corners[np.any(corners != np.roll(corners, 1, axis=0), axis=1)]  # repeated vertices
        if len(corners) >= 3:
            polygons.append([float(v) for v in corners.ravel()])
    return polygons


def polygons_area(polygons: list[list[float]], height: int, width: int) -> int:
    """Return the pixels pycocotools gives to a union of polygons (what a COCO reader decodes)."""
    if not polygons:
        return 0
    return int(coco_mask.area(coco_mask.merge(coco_mask.frPyObjects(polygons, height, width))))


def box_corners(bbox_xywh) -> list[list[float]]:
    """Return the 4x2 corners of an axis-aligned box, clockwise from the top-left."""
    x, y, w, h = (float(v) for v in bbox_xywh)
    return [[x, y], [x + w, y], [x + w, y + h], [x, y + h]]


def validate_box(bbox_xywh, width: int, height: int) -> list[float]:
    """Check a [x, y, w, h] box lies inside a width x height frame; return it as floats."""
    if not isinstance(bbox_xywh, (list, tuple)) or len(bbox_xywh) != 4:
        raise MaskError("box must be [x, y, w, h]")
    try:
        x, y, w, h = (float(v) for v in bbox_xywh)
    except (TypeError, ValueError) as exc:
        raise MaskError("box values must be numbers") from exc
    if not all(np.isfinite([x, y, w, h])):
        raise MaskError("box values must be finite numbers")
    if w < 1 or h < 1:
        raise MaskError("box width and height must be at least 1 pixel")
    if x < 0 or y < 0 or x + w > width + 1e-6 or y + h > height + 1e-6:
        raise MaskError(f"box [{x:g}, {y:g}, {w:g}, {h:g}] lies outside the {width}x{height} frame")
    return [x, y, w, h]


def mask_rotated_box(mask: np.ndarray) -> list[list[float]] | None:
    """Return the 4x2 corners of the rotated box of a mask (None when it is empty).

    The tracker's rule (official SiamMask): the min-area rectangle around the largest region
    when its area is above 100 pixels, else the mask's axis-aligned box.
    """
    fallback = mask_to_xywh(mask)
    if fallback[2] == 0:
        return None
    return rotated_box_from_mask(mask, fallback).tolist()
