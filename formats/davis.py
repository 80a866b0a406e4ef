"""DAVIS id PNGs: one palette PNG per frame whose pixel values are object ids.

    palette = davis_palette()          # 256x3 uint8, the colours DAVIS annotations use
    ids = read_id_png(path)            # HxW array of raw values; 0 background, VOID_ID void

The exporter and importer (annotator/exporters/davis.py, annotator/importers/davis.py) and the
evaluation tool (tracking_worker/evaluation/davis.py) all read and write these files.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

import numpy as np
from PIL import Image

VOID_ID = 255


class IdPngSizeError(ValueError):
    """An id PNG whose header declares another size than expected (nothing was decoded)."""

    def __init__(self, width: int, height: int):
        super().__init__(f"is {width}x{height}")
        self.width, self.height = width, height


def read_id_png(path: str | Path | BinaryIO, expect_hw: tuple[int, int] | None = None) -> np.ndarray:
    """Return the raw pixel values of an id PNG (palette or greyscale) as an HxW array.

    `expect_hw`: refuse (IdPngSizeError) a PNG of another size from its header, before decoding it: a
    small file can declare a huge image (a 140 KB 12000x12000 PNG took the importer's worker from
    300 MB to 860 MB).
    """
    with Image.open(path) as img:
        if expect_hw is not None and img.size[::-1] != tuple(expect_hw):
            raise IdPngSizeError(*img.size)
        if img.mode in ("P", "L", "I", "I;16", "I;16B", "I;16L"):
            return np.array(img)
        if img.mode == "1":
            return np.array(img).astype(np.uint8)
        if img.mode == "LA":
            return np.array(img)[..., 0]
        if img.mode in ("RGB", "RGBA"):
            rgb = np.array(img)[..., :3]
            # a greyscale image saved as RGB is fine; colour-coded ids are not readable
            if (rgb == rgb[..., :1]).all():
                return rgb[..., 0]
        raise ValueError(
            f"{path}: mode {img.mode} is not an id mask; save palette (P) or greyscale (L) PNGs"
        )


def davis_palette() -> np.ndarray:
    """Return the 256x3 uint8 palette of DAVIS annotations (the PASCAL VOC colour map)."""
    palette = np.zeros((256, 3), dtype=np.uint8)
    for index in range(256):
        code, colour = index, [0, 0, 0]
        # spread the index's bits over the channels, most significant bit first
        for shift in range(7, -1, -1):
            for channel in range(3):
                colour[channel] |= ((code >> channel) & 1) << shift
            code >>= 3
        palette[index] = colour
    return palette
