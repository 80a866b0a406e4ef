"""DAVIS 2017 semi-supervised layout: frames plus one palette PNG of object ids per frame.

    JPEGImages/<video>/00000.jpg ...    the frames (default on; include_frames=false leaves them out)
    Annotations/<video>/00000.png ...   pixel value = Track.object_id, 0 = background
    ImageSets/2017/all.txt              the exported videos, one per line
    davis_semantics.json                {video: {object id: label}} (the DAVIS 2017 semantics file)

Every frame gets a PNG (all background where no track has a mask). Where masks of two tracks
overlap, the higher object id wins the pixel, so a round trip through DAVIS is lossless only
for masks that do not overlap. Frames with only a manual box have no mask and are left out.
Outside frames (object not visible) are background (id 0) like frames without annotation; the
SiamLabel file `siamlabel_outside.json`, {sequence: {object id: [[first, last], ...]}}, lists
them so an import tells the two apart (written only when some track has outside frames).
The palette is `formats.davis`, which the evaluation tool writes with too (it imports neither
torch nor Django): one definition for both.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from itertools import groupby

import numpy as np
from PIL import Image

from annotator import masks
from annotator.exporters.base import Exporter, VideoExport, frame_file, frame_ranges
from formats.davis import davis_palette

FRAMES_DIR = "JPEGImages"
MASKS_DIR = "Annotations"
IMAGE_SET = "ImageSets/2017/all.txt"
SEMANTICS_FILE = "davis_semantics.json"
OUTSIDE_FILE = "siamlabel_outside.json"
PALETTE = davis_palette().ravel().tolist()
PROGRESS_EVERY = 50  # frames


def id_png(ids: np.ndarray) -> bytes:
    """Return an HxW uint8 map of object ids as palette PNG bytes with the DAVIS colours."""
    assert ids.ndim == 2 and ids.dtype == np.uint8, f"expected an HxW uint8 id map, got {ids.shape} {ids.dtype}"
    image = Image.fromarray(ids)
    image.putpalette(PALETTE)  # makes it a "P" image: the palette index is the object id
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


class DavisExporter(Exporter):
    format = "davis"
    frames_by_default = True

    def __init__(self, archive, **kwargs):
        super().__init__(archive, **kwargs)
        self.folders: list[str] = []
        self.semantics: dict[str, dict[str, str]] = {}
        self._names = {c.id: c.name for c in self.categories}
        self.outside: dict[str, dict[str, list[list[int]]]] = {}

    def add_video(self, video: VideoExport, on_frames: Callable[[int], None] = lambda n: None) -> None:
        self.folders.append(video.folder)
        objects: dict[str, str] = {}
        blank = id_png(np.zeros((video.height, video.width), np.uint8))
        outside: dict[int, list[int]] = {}

        def with_mask(rows):
            for row in rows:
                if row.outside:
                    outside.setdefault(row.object_id, []).append(row.frame_index)
                    objects[str(row.object_id)] = self._names[row.category_id]
                elif row.mask_rle is not None:
                    yield row

        by_frame = groupby(with_mask(video.rows(by="frame")), key=lambda r: r.frame_index)
        next_frame, done = 0, 0
        for frame_index, rows in by_frame:
            for i in range(next_frame, frame_index):
                self._add_png(video, i, blank)
            ids = np.zeros((video.height, video.width), np.uint8)
            for row in rows:  # ascending object id: a higher id paints over a lower one
                mask = masks.decode_mask(row.mask_rle)
                if mask.shape != ids.shape:
                    raise ValueError(
                        f"video '{video.name}' frame {frame_index}: the mask of object {row.object_id} is "
                        f"{mask.shape[1]}x{mask.shape[0]}, the video is {video.width}x{video.height}"
                    )
                ids[mask] = row.object_id
                objects[str(row.object_id)] = self._names[row.category_id]
            self._add_png(video, frame_index, id_png(ids))
            next_frame = frame_index + 1
            if next_frame - done >= PROGRESS_EVERY:
                on_frames(next_frame - done)
                done = next_frame
        for i in range(next_frame, video.frame_count):
            self._add_png(video, i, blank)
        if self.include_frames:
            self.add_frames(video, FRAMES_DIR)
        on_frames(video.frame_count - done)
        self.semantics[video.folder] = dict(sorted(objects.items(), key=lambda kv: int(kv[0])))
        if outside:
            self.outside[video.folder] = {str(i): frame_ranges(frames) for i, frames in sorted(outside.items())}

    def _add_png(self, video: VideoExport, frame_index: int, data: bytes) -> None:
        self.archive.add_bytes(f"{MASKS_DIR}/{video.folder}/{frame_file(frame_index, '.png')}", data, compress=False)

    def finish(self) -> None:
        self.archive.add_bytes(IMAGE_SET, "".join(f"{f}\n" for f in self.folders).encode())
        self.archive.add_json(SEMANTICS_FILE, self.semantics)
        if self.outside:
            self.archive.add_json(OUTSIDE_FILE, self.outside)
