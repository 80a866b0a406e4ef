"""What every exporter shares: the rows it reads, the categories, and the zip it streams into.

A format module subclasses `Exporter` and gets one `VideoExport` at a time, so memory stays
bounded by one video whatever the size of the project:

    with ArchiveWriter(path) as archive:
        exporter = CocoExporter(archive, project_name="P", categories=categories, include_frames=False)
        for video in videos:
            exporter.add_video(video_export, on_frames=progress)
        exporter.finish()
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import cv2
from django.conf import settings

from annotator import frames, masks, media_store
from annotator.choices import Source
from annotator.frame_scale import FrameScale
from annotator.models import FrameAnnotation, Label, Video

# Rows fetched per database round trip; one chunk of RLE strings is a few MB at most.
CHUNK_SIZE = 2000
FRAME_NAME = "{:05d}"  # frame file stem: 00000, as in DAVIS and our frames folder


def folder_name(video_name: str) -> str:
    """Return the archive folder of a video: its name with anything unsafe replaced by `_`.

    Safe means letters, digits, `.`, `-` and `_`, not starting with a dot: no separators, no
    `..`, no whitespace (DAVIS ImageSets list one name per whitespace-separated token).
    """
    folder = re.sub(r"[^\w.-]", "_", video_name.strip())
    if not folder or folder.startswith("."):
        folder = "video" + folder
    return folder


def frame_file(frame_index: int, suffix: str) -> str:
    return FRAME_NAME.format(frame_index) + suffix


@dataclass(frozen=True)
class Category:
    """A project label as exported: `id` is its 1-based position in the project's labels."""

    id: int
    name: str
    colour: str


def frame_ranges(frames: Iterable[int]) -> list[list[int]]:
    """Return ascending frame indices as [first, last] runs: [1, 2, 3, 7] -> [[1, 3], [7, 7]]."""
    ranges: list[list[int]] = []
    for f in sorted(frames):
        if ranges and f == ranges[-1][1] + 1:
            ranges[-1][1] = f
        else:
            ranges.append([f, f])
    return ranges


@dataclass(frozen=True)
class AnnotationRow:
    """One track on one frame. `mask_rle` is None for a box-only frame (and for an empty mask).

    An outside frame (the object is not visible) has no mask and no boxes: `outside` is true.

    `bbox` is what readers of the formats expect: the tight box of the mask (so inside the
    frame), or the drawn box on a manual box frame (with or without the tracker's mask). `tracker_bbox` is the box stored with the
    frame: the tracker's estimate on propagated frames (it may cross the frame's edge), the
    drawn box or the mask's box on hand-made ones. Importers restore it from the archive.
    """

    object_id: int
    category_id: int
    frame_index: int
    source: str
    mask_rle: dict | None
    area: int
    bbox: list[float] | None
    tracker_bbox: list[float] | None
    rotated_box: list[list[float]] | None
    score: float | None

    @property
    def outside(self) -> bool:
        return self.source == Source.OUTSIDE


def project_categories(labels: Iterable[Label]) -> list[Category]:
    """Return the categories of a project's labels, numbered 1.. in the labels' order (by id)."""
    return [Category(id=i, name=label.name, colour=label.colour) for i, label in enumerate(labels, start=1)]


class VideoExport:
    """One video as an exporter sees it: sizes, frames, and its tracks' annotations as rows.

    Sizes and rows are in the original frame's pixels: frames stored smaller
    (SIAMLABEL_FRAME_MAX_SIDE) have their labels scaled up here, so formats never see the stored size.
    `number` is the video's 1-based id inside the archive (videos are numbered in export order,
    so re-exporting the same videos gives the same ids whatever their database keys).
    """

    def __init__(self, video: Video, *, number: int, folder: str, review_status: list[str],
                 category_of_label: dict[int, int]):
        self.video = video
        self.number = number
        self.folder = folder
        self.name = video.name
        self.scale = FrameScale.of_video(video)
        self.width, self.height = self.scale.original
        self.frame_count = video.frame_count
        self.fps = video.fps
        self._review_status = review_status
        self._category_of_label = category_of_label

    def frame_key(self, frame_index: int) -> str:
        return self.video.frame_key(frame_index)

    def _tracks(self):
        tracks = self.video.tracks.all()
        if self._review_status:
            tracks = tracks.filter(review_status__in=self._review_status)
        return tracks

    def rows(self, *, by: str) -> Iterator[AnnotationRow]:
        """Yield the annotations of the exported tracks, ordered `by` "frame" or by "track".

        "frame": by frame index, then object id. "track": by object id, then frame index.
        Streams from the database in chunks (`.iterator`), so memory does not grow with the video.
        """
        order = {"frame": ("frame_index", "track__object_id"), "track": ("track__object_id", "frame_index")}[by]
        queryset = (
            FrameAnnotation.objects.filter(track__in=self._tracks())
            .order_by(*order)
            .values_list("track__object_id", "track__label_id", "frame_index", "source", "mask_rle", "bbox",
                         "rotated_box", "score")
        )
        for object_id, label_id, frame_index, source, mask_rle, bbox, rotated_box, score in queryset.iterator(
            chunk_size=CHUNK_SIZE
        ):
            area, tracker_bbox = 0, None if bbox is None else [float(v) for v in bbox]
            if not self.scale.is_identity:
                mask_rle, tracker_bbox, rotated_box = self._to_original(mask_rle, tracker_bbox, rotated_box)
            format_bbox = tracker_bbox
            if mask_rle is not None:
                if isinstance(mask_rle["counts"], list):  # stored uncompressed: export one RLE form
                    mask_rle = masks.encode_mask(masks.decode_mask(mask_rle))
                area = masks.rle_area(mask_rle)
                drawn_box = source == Source.MANUAL_BOX and tracker_bbox is not None
                if area == 0 and drawn_box:
                    mask_rle = None  # a keyframe filled before empty fills were refused: the drawn box stays
                elif area == 0:
                    # An empty mask says the object is not visible here (a lost target): nothing to export.
                    continue
                elif not drawn_box:
                    format_bbox = masks.rle_bbox(mask_rle)  # the annotator's box outranks the tracker's mask
            yield AnnotationRow(
                object_id=object_id, category_id=self._category_of_label[label_id], frame_index=frame_index,
                source=source, mask_rle=mask_rle, area=area, bbox=format_bbox, tracker_bbox=tracker_bbox,
                rotated_box=rotated_box, score=score,
            )

    def _to_original(self, mask_rle, bbox, rotated_box):
        """Return a stored frame's mask and boxes in the original frame's pixels."""
        scale = self.scale
        if mask_rle is not None:
            mask_rle = masks.encode_mask(scale.mask_to_original(masks.decode_mask(mask_rle)))
        return (mask_rle, None if bbox is None else scale.box_to_original(bbox),
                None if rotated_box is None else scale.points_to_original(rotated_box))


class JsonArraySpool:
    """A JSON array written item by item to a temporary file, to be copied into the zip later."""

    def __init__(self, path: Path):
        self.path = path
        self._file = open(path, "w", encoding="utf-8")
        self.count = 0

    def append(self, item) -> None:
        if self.count:
            self._file.write(",")
        self._file.write(json.dumps(item, separators=(",", ":"), ensure_ascii=False))
        self.count += 1

    def close(self) -> None:
        if not self._file.closed:
            self._file.close()


class ArchiveWriter:
    """A zip written entry by entry, plus spools for the JSON arrays of big annotation files.

    Images (JPEG, PNG) are stored as they are: deflating them again costs time and saves
    nothing. JSON is deflated.
    """

    def __init__(self, path: Path):
        self.path = path
        self.zip = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True)
        self._tmp = Path(tempfile.mkdtemp(prefix="export-", dir=path.parent))
        self._spools: list[JsonArraySpool] = []

    def __enter__(self) -> ArchiveWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def add_file(self, arcname: str, path: Path) -> None:
        self.zip.write(path, arcname, compress_type=zipfile.ZIP_STORED)

    def add_bytes(self, arcname: str, data: bytes, *, compress: bool = True) -> None:
        self.zip.writestr(arcname, data, compress_type=zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED)

    def spool(self) -> JsonArraySpool:
        spool = JsonArraySpool(self._tmp / f"{len(self._spools)}.json")
        self._spools.append(spool)
        return spool

    def add_json(self, arcname: str, document: dict) -> None:
        """Write a JSON object whose values may be spools; spooled arrays are copied, not loaded."""
        for value in document.values():
            if isinstance(value, JsonArraySpool):
                value.close()
        spooled = sum(v.path.stat().st_size for v in document.values() if isinstance(v, JsonArraySpool))
        with self.zip.open(arcname, "w", force_zip64=spooled > 2**31 - 2**24) as raw:
            raw.write(b"{")
            for i, (key, value) in enumerate(document.items()):
                raw.write(b"," if i else b"")
                raw.write(json.dumps(key).encode() + b":")
                if isinstance(value, JsonArraySpool):
                    raw.write(b"[")
                    with open(value.path, "rb") as f:
                        shutil.copyfileobj(f, raw, 1 << 20)
                    raw.write(b"]")
                else:
                    raw.write(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
            raw.write(b"}")

    def close(self) -> None:
        for spool in self._spools:
            spool.close()
        self.zip.close()
        shutil.rmtree(self._tmp, ignore_errors=True)


class Exporter:
    """Base of the format modules. Subclasses write each video as it comes, then `finish()`."""

    format: str = ""
    #: whether the frames go in the archive when the request does not say
    frames_by_default: bool = False

    def __init__(self, archive: ArchiveWriter, *, project_name: str, categories: list[Category],
                 include_frames: bool, coco_masks: str = "rle"):
        self.archive = archive
        self.project_name = project_name
        self.categories = categories
        self.include_frames = include_frames
        self.coco_masks = coco_masks  # "rle" or "polygon": read by the COCO exporter only

    def add_video(self, video: VideoExport, on_frames: Callable[[int], None] = lambda n: None) -> None:
        """Write one video; call `on_frames(n)` as n more of its frames are done."""
        raise NotImplementedError

    def finish(self) -> None:
        """Write what spans videos (annotation files, lists)."""

    def coco_header(self) -> dict:
        """The "info", "licenses" and "categories" that COCO and YouTube-VIS files both open with."""
        now = datetime.now(UTC)
        return {
            "info": {
                "description": f"SiamLabel export of project '{self.project_name}'", "version": "1.0",
                "year": now.year, "contributor": "SiamLabel", "url": "",
                "date_created": now.isoformat(timespec="seconds"),
            },
            "licenses": [],
            "categories": [{"id": c.id, "name": c.name, "supercategory": ""} for c in self.categories],
        }

    def add_frames(self, video: VideoExport, folder: str) -> None:
        """Copy the video's extracted JPEG frames to `<folder>/<video folder>/00000.jpg ...`.

        Frames stored smaller than the original are enlarged back to it, so images and labels
        agree on the size (they carry no more detail than the stored frames).
        """
        store = media_store.get()
        for i in range(video.frame_count):
            arcname = f"{folder}/{video.folder}/{frame_file(i, '.jpg')}"
            try:
                with store.fetched(video.frame_key(i)) as path:
                    if video.scale.is_identity:
                        self.archive.add_file(arcname, path)
                    else:
                        self.archive.add_bytes(arcname, _enlarged_jpeg(path, video.scale.original), compress=False)
            except FileNotFoundError:
                raise FileNotFoundError(f"frame {i} of video '{video.name}' is missing from storage") from None


def _enlarged_jpeg(path: Path, size: tuple[int, int]) -> bytes:
    """Return a stored frame's JPEG enlarged to `size` (width, height), at the frame store's quality."""
    frame = cv2.resize(frames.read_frame(path), size, interpolation=cv2.INTER_LINEAR)
    return frames.encode_jpeg(frame, settings.SIAMLABEL_FRAME_JPEG_QUALITY)
