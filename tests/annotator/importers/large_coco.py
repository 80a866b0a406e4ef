"""A large COCO instances file, written piece by piece so that making it costs no memory.

Annotations come first and images after them (COCO does not fix the order of top-level keys),
so an importer must not need the images before it meets the annotations.

    stats = write_large_coco(path, size_mb=64, width=640, height=480, frames=40)
    # a 640x480, 40-frame video named "big" and a label "person" must exist to import it
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from annotator import masks

VIDEO = "big"
LABEL = "person"


@dataclass(frozen=True)
class LargeCoco:
    path: Path
    size_bytes: int
    annotations: int
    tracks: int
    frames: int


def fine_masks(count: int, width: int, height: int, seed: int = 0) -> list[dict]:
    """Return `count` compressed RLEs of finely broken masks (runs of 1-4 pixels, like hair or foliage).

    Long RLE strings make a big file out of few annotations, as detailed masks do.
    """
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(count):
        runs = rng.integers(1, 5, size=width * height // 2)
        values = np.arange(len(runs)) % 2 == 1
        flat = np.repeat(values, runs)[: width * height]
        flat = np.pad(flat, (0, width * height - len(flat)))
        out.append(masks.encode_mask(flat.reshape(width, height).T))  # column-major, like COCO
    return out


def write_large_coco(path: Path, *, size_mb: float, width: int = 640, height: int = 480, frames: int = 40,
                     category_id: int = 1) -> LargeCoco:
    """Write a COCO file of about `size_mb` MB: tracks of `frames` frames until the size is reached."""
    rles = fine_masks(8, width, height)
    box = [0.0, 0.0, float(width), float(height)]
    corners = [[0, 0], [width, 0], [width, height], [0, height]]
    limit = size_mb * 1e6
    annotation_id = track = 0
    with open(path, "w") as f:
        f.write('{"info": {"description": "generated"}, "annotations": [')
        written = f.tell()
        while written < limit and track < 254:
            track += 1
            for frame in range(frames):
                annotation_id += 1
                annotation = {
                    "id": annotation_id, "image_id": frame + 1, "category_id": category_id, "iscrowd": 0,
                    "segmentation": rles[(track + frame) % len(rles)], "area": 1.0, "bbox": box,
                    "attributes": {"track_id": track, "tracker_bbox": box, "rotated_box": corners,
                                   "score": None, "source": "manual_mask"},
                }
                written += f.write(("," if annotation_id > 1 else "") + json.dumps(annotation))
        images = [{"id": i + 1, "file_name": f"{VIDEO}/{i:05d}.jpg", "width": width, "height": height,
                   "video_id": 1, "frame_index": i} for i in range(frames)]
        f.write('], "images": ' + json.dumps(images))
        f.write(', "categories": ' + json.dumps([{"id": category_id, "name": LABEL, "supercategory": ""}]))
        f.write(', "videos": ' + json.dumps([{"id": 1, "name": VIDEO, "width": width, "height": height,
                                              "length": frames}]) + "}")
    return LargeCoco(path=path, size_bytes=path.stat().st_size, annotations=annotation_id, tracks=track,
                     frames=frames)
