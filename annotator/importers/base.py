"""What every importer shares: the target project, checks, track assembly, frames from masks.

Importers never touch the database: the service hands them an `ImportTarget` (the project's
videos and labels) and gets back `ImportedVideo`s to write. Anything wrong with the archive
raises `ArchiveError` with a message for the user.

    target = ImportTarget(videos=[TargetVideo(...)], labels=["person"], taken_object_ids={})
    videos = IMPORTERS["davis"](path, target).read(on_progress=print)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import numpy as np
from pycocotools import mask as coco_mask

from annotator import masks
from annotator.exporters.base import folder_name
from annotator.frame_scale import FrameScale
from annotator.importers.archive import Archive, ArchiveError, listing
from annotator.importers.jsonstream import JsonDocument
from annotator.importers.spool import FrameSpool, SpooledFrames

from annotator.models.tracks import MAX_OBJECT_ID


# --- the project imported into ----------------------------------------------------------------


@dataclass(frozen=True)
class TargetVideo:
    """A video of the project as the importer needs it.

    `width` and `height` are the original frame's, which archives are in; `stored_width` and
    `stored_height` the stored frames' when SIAMLABEL_FRAME_MAX_SIDE shrank them (None: the same).
    Checks use the former, and `mask_frame` / `box_frame` give frames in the latter.
    """

    name: str
    width: int | None
    height: int | None
    frame_count: int
    status: str = "ready"
    stored_width: int | None = None
    stored_height: int | None = None

    @property
    def scale(self) -> FrameScale:
        return FrameScale(stored=(self.stored_width or self.width, self.stored_height or self.height),
                          original=(self.width, self.height))

    def check_frame(self, frame_index: int, where: str) -> int:
        if not 0 <= frame_index < self.frame_count:
            raise ArchiveError(
                f"{where}: frame {frame_index} is missing from video '{self.name}', which has "
                f"{self.frame_count} frames (0 to {self.frame_count - 1})"
            )
        return frame_index

    def check_size(self, width: int, height: int, where: str) -> None:
        if (width, height) != (self.width, self.height):
            raise ArchiveError(f"{where} is {width}x{height}, but video '{self.name}' is {self.width}x{self.height}")


@dataclass
class ImportTarget:
    """The project's videos and labels. Archive videos match by name, or by their folder name."""

    videos: list[TargetVideo]
    labels: list[str]
    taken_object_ids: dict[str, set[int]] = field(default_factory=dict)  # video name -> ids in use

    def __post_init__(self):
        self._by_name = {v.name: v for v in self.videos}
        by_folder: dict[str, list[TargetVideo]] = {}
        for v in self.videos:
            by_folder.setdefault(folder_name(v.name), []).append(v)
        self._by_folder = {k: vs[0] for k, vs in by_folder.items() if len(vs) == 1}

    @property
    def default_label(self) -> str | None:
        """The label of objects whose archive names none (DAVIS without semantics): the first one."""
        return self.labels[0] if self.labels else None

    def find(self, name: str) -> TargetVideo | None:
        return self._by_name.get(name) or self._by_folder.get(name)

    def resolve_videos(self, names: Iterable[str]) -> dict[str, TargetVideo]:
        """Return {archive name: video} for every name, or raise naming the unknown and unready ones."""
        names = set(names)
        found = {n: self.find(n) for n in names}
        unknown = [n for n, v in found.items() if v is None]
        if unknown:
            raise ArchiveError(
                f"the archive has videos this project does not: {listing(unknown)}. Videos are matched "
                "by name: upload them first (with the same names)"
            )
        not_ready = [f"{v.name} ({v.status})" for v in found.values() if v.status != "ready"]
        if not_ready:
            raise ArchiveError(f"these videos are not ready for labels yet: {listing(not_ready)}")
        return found

    def check_labels(self, names: Iterable[str]) -> None:
        unknown = set(names) - set(self.labels)
        if unknown:
            known = listing(self.labels) if self.labels else "none"
            raise ArchiveError(
                f"unknown categories: {listing(unknown)}. The project's labels are: {known}. "
                "Create the missing labels in the project first"
            )


# --- what an import produces ------------------------------------------------------------------


@dataclass(frozen=True)
class ImportedFrame:
    """One frame of a track: a mask (compressed RLE, with its boxes), a box alone, or outside (neither)."""

    frame_index: int
    mask_rle: dict | None
    area: int
    bbox: list[float] | None
    rotated_box: list[list[float]] | None

    @property
    def outside(self) -> bool:
        return self.bbox is None


@dataclass
class ImportedTrack:
    object_id: int | None  # None: the archive gives none; one is chosen when the video is complete
    label: str
    frames: SpooledFrames  # frame index -> ImportedFrame, kept on disk until written
    where: str = ""


@dataclass
class ImportedVideo:
    name: str  # the project video's name
    tracks: list[ImportedTrack]

    @property
    def frame_total(self) -> int:
        return sum(len(t.frames) for t in self.tracks)


class TrackCollector:
    """Gather frames into tracks per video; check labels, duplicates and object ids at the end."""

    def __init__(self, target: ImportTarget):
        self.target = target
        self.spool = FrameSpool()  # the frames wait on disk: masks may add up to gigabytes
        self._tracks: dict[str, list[ImportedTrack]] = {}
        self._by_id: dict[tuple[str, int], ImportedTrack] = {}

    def track(self, video: TargetVideo, *, object_id, label: str, where: str) -> ImportedTrack:
        """Return the track `object_id` of a video (a new one when object_id is None)."""
        if object_id is not None:
            if isinstance(object_id, bool) or not isinstance(object_id, int) or not 1 <= object_id <= MAX_OBJECT_ID:
                raise ArchiveError(f"{where}: track id {object_id!r} must be an integer from 1 to {MAX_OBJECT_ID}")
            existing = self._by_id.get((video.name, object_id))
            if existing is not None:
                if existing.label != label:
                    raise ArchiveError(
                        f"{where}: track {object_id} of video '{video.name}' is labelled both "
                        f"'{existing.label}' and '{label}'"
                    )
                return existing
        track = ImportedTrack(object_id=object_id, label=label, frames=SpooledFrames(self.spool), where=where)
        self._tracks.setdefault(video.name, []).append(track)
        if object_id is not None:
            self._by_id[(video.name, object_id)] = track
        return track

    @staticmethod
    def add(track: ImportedTrack, frame: ImportedFrame | None, where: str) -> None:
        if frame is None:
            return
        if frame.frame_index in track.frames:
            raise ArchiveError(f"{where}: track already has an annotation on frame {frame.frame_index}")
        track.frames[frame.frame_index] = frame

    def videos(self) -> list[ImportedVideo]:
        """Return the imported videos; number tracks without an id; refuse ids already in use."""
        out = []
        for name, tracks in sorted(self._tracks.items()):
            tracks = [t for t in tracks if t.frames]
            taken = self.target.taken_object_ids.get(name, set())
            clashes = sorted(t.object_id for t in tracks if t.object_id in taken)
            if clashes:
                raise ArchiveError(
                    f"video '{name}' already has tracks with object ids {listing(clashes)}; importing would "
                    "duplicate them. Delete those tracks first, or import into videos without them"
                )
            used = taken | {t.object_id for t in tracks if t.object_id is not None}
            free = (i for i in range(1, MAX_OBJECT_ID + 1) if i not in used)
            for t in tracks:
                if t.object_id is None:
                    t.object_id = next(free, None)
                    if t.object_id is None:
                        raise ArchiveError(f"video '{name}' would have more than {MAX_OBJECT_ID} tracks")
            out.append(ImportedVideo(name=name, tracks=sorted(tracks, key=lambda t: t.object_id)))
        return out


# --- categories -------------------------------------------------------------------------------


def check_categories(used: set, categories: dict, target: ImportTarget) -> None:
    """Refuse category ids the file leaves undefined, and categories the project has no label for."""
    undefined = used - set(categories)
    if undefined:
        raise ArchiveError(f"annotations refer to category ids the file does not define: {listing(undefined)}")
    target.check_labels(categories[c] for c in used)


def category_of(annotation: dict, categories: dict, where: str) -> str:
    """Return the label of an annotation's category_id, which the file's categories must define."""
    category_id = annotation.get("category_id")
    try:
        return categories[category_id]
    except (KeyError, TypeError):
        raise ArchiveError(f"{where}: category id {category_id!r} is not one the file defines") from None


# --- frames from archive data -----------------------------------------------------------------


def number(value, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value):
        raise ArchiveError(f"{where}: {value!r} is not a number")
    return float(value)


def rotated_box_of(value, where: str) -> list[list[float]] | None:
    """Return a 4x2 list of corners from the archive, None when absent; raise when malformed."""
    if value is None:
        return None
    if not (isinstance(value, list) and len(value) == 4 and all(isinstance(p, list) and len(p) == 2 for p in value)):
        raise ArchiveError(f"{where}: a rotated box must be 4 corners [[x, y], ...]")
    return [[number(x, where), number(y, where)] for x, y in value]


def box_of(value, video: TargetVideo, where: str) -> list[float]:
    """Return a box-only frame's [x, y, w, h]: like a hand-drawn box, inside the frame."""
    try:
        return masks.validate_box(value, video.width, video.height)
    except masks.MaskError as exc:
        raise ArchiveError(f"{where}: {exc}") from exc


def mask_box_of(value, where: str) -> list[float]:
    """Return the [x, y, w, h] that comes with a mask; it may cross the frame's edge.

    The tracker's box is its own estimate of the target (design.md), which SiamMask lets
    reach past the image border, so only its shape is checked.
    """
    if not isinstance(value, list) or len(value) != 4:
        raise ArchiveError(f"{where}: a box must be [x, y, w, h]")
    box = [number(v, where) for v in value]
    if box[2] <= 0 or box[3] <= 0:
        raise ArchiveError(f"{where}: box width and height must be positive")
    return box


def mask_of_segmentation(segmentation, video: TargetVideo, where: str) -> np.ndarray:
    """Return the HxW mask of a COCO segmentation: RLE (compressed or not) or polygons."""
    if isinstance(segmentation, dict):
        try:
            rle = masks.validate_rle(segmentation)
        except masks.MaskError as exc:
            raise ArchiveError(f"{where}: {exc}") from exc
        video.check_size(rle["size"][1], rle["size"][0], f"{where}: the mask")
        return masks.decode_mask(rle)
    if isinstance(segmentation, list) and all(isinstance(p, list) for p in segmentation):
        polygons = [[number(v, where) for v in p] for p in segmentation]
        if not polygons or any(len(p) < 6 or len(p) % 2 for p in polygons):
            raise ArchiveError(f"{where}: a polygon needs at least 3 points given as x, y pairs")
        # COCO polygons rasterise with pycocotools, as the COCO API itself does (annToRLE)
        rle = coco_mask.merge(coco_mask.frPyObjects(polygons, video.height, video.width))
        return coco_mask.decode(rle).astype(bool)
    raise ArchiveError(f"{where}: a segmentation must be an RLE object or a list of polygons")


def mask_frame(frame_index: int, mask: np.ndarray, video: TargetVideo, where: str, *, bbox=None,
               rotated_box=None) -> ImportedFrame | None:
    """Return a frame from a mask (None if it is empty); boxes from the archive win over derived ones.

    The mask and boxes are in the original frame's pixels; the frame is in the stored frame's.
    """
    if mask.shape != (video.height, video.width):
        raise ArchiveError(
            f"{where}: the mask is {mask.shape[1]}x{mask.shape[0]}, but video '{video.name}' is "
            f"{video.width}x{video.height}"
        )
    if not mask.any():
        return None  # an empty mask says the object is not visible: nothing to import
    bbox = mask_box_of(bbox, where) if bbox is not None else None
    rotated_box = rotated_box_of(rotated_box, where)
    scale = video.scale
    if not scale.is_identity:
        mask = scale.mask_to_stored(mask)
        bbox = bbox and scale.box_to_stored(bbox)
        rotated_box = rotated_box and scale.points_to_stored(rotated_box)
    return ImportedFrame(
        frame_index=frame_index, mask_rle=masks.encode_mask(mask), area=int(mask.sum()),
        bbox=bbox or masks.mask_bbox(mask), rotated_box=rotated_box or masks.mask_rotated_box(mask),
    )


def box_frame(frame_index: int, bbox, video: TargetVideo, where: str, *, rotated_box=None) -> ImportedFrame:
    """Return a box-only frame; the archive's box (original pixels) is checked, then stored scaled."""
    bbox, rotated_box = box_of(bbox, video, where), rotated_box_of(rotated_box, where)
    scale = video.scale
    if not scale.is_identity:
        bbox = scale.box_to_stored(bbox)
        rotated_box = rotated_box and scale.points_to_stored(rotated_box)
    return ImportedFrame(frame_index=frame_index, mask_rle=None, area=0, bbox=bbox,
                         rotated_box=rotated_box or masks.box_corners(bbox))


def outside_frames(ranges, video: TargetVideo, where: str) -> list[ImportedFrame]:
    """Return the outside frames of [[first, last], ...] runs (docs/formats.md, "Outside frames")."""
    if not isinstance(ranges, list):
        raise ArchiveError(f"{where}: outside frames must be a list of [first, last] runs")
    frames = []
    for run in ranges:
        if not (isinstance(run, list) and len(run) == 2 and all(type(f) is int for f in run) and run[0] <= run[1]):
            raise ArchiveError(f"{where}: {run!r} is not a [first, last] run of frame indices")
        video.check_frame(run[1], where)
        frames += [ImportedFrame(frame_index=video.check_frame(f, where), mask_rle=None, area=0, bbox=None,
                                 rotated_box=None) for f in range(run[0], run[1] + 1)]
    return frames


def frame_number(file_name: str) -> int | None:
    """Return the number that ends a frame file's stem ("clip/00012.jpg" -> 12), or None."""
    found = re.search(r"(\d+)$", PurePosixPath(file_name).stem)
    return int(found.group(1)) if found else None


# --- the importer interface -------------------------------------------------------------------


class Importer:
    """Base of the format modules: `check_upload` runs at upload (cheap), `read` in the job."""

    format: str = ""
    #: suffixes accepted at upload
    suffixes: tuple[str, ...] = (".zip",)

    def __init__(self, path: Path, target: ImportTarget):
        self.path = path
        self.target = target

    @classmethod
    def check_name(cls, filename: str) -> None:
        """Refuse a file whose type the format does not accept."""
        suffix = PurePosixPath(filename).suffix.lower()
        if suffix not in cls.suffixes:
            raise ArchiveError(
                f"a {cls.format} import must be a {' or '.join(cls.suffixes)} file, not '{suffix or filename}'"
            )

    @classmethod
    def check_upload(cls, path: Path) -> None:
        """Refuse what can be seen without reading the labels: type, unsafe entries, missing files."""
        cls.check_name(path.name)
        if path.suffix.lower() == ".zip":
            with Archive(path) as archive:
                cls.check_layout(archive)

    @classmethod
    def check_layout(cls, archive: Archive) -> None:
        """Raise ArchiveError unless the archive holds the format's files."""

    def read(self, on_progress: Callable[[float], None] = lambda f: None) -> list[ImportedVideo]:
        """Return the archive's videos with their tracks, checked against the target."""
        raise NotImplementedError


class JsonLabelsImporter(Importer):
    """A format whose labels are one JSON file: uploaded alone, or zipped with the frames."""

    suffixes = (".zip", ".json")
    #: where the JSON sits in the archive
    annotation_file: str = ""

    @classmethod
    def check_layout(cls, archive: Archive) -> None:
        archive.find_json(cls.annotation_file)

    #: the folder of frame folders, beside the JSON (see images_root)
    images_dir: str = ""

    def images_root(self, annotation_name: str) -> PurePosixPath:
        """The folder holding `images_dir`, given where the JSON was found."""
        return PurePosixPath(annotation_name).parent

    def read(self, on_progress: Callable[[float], None] = lambda f: None) -> list[ImportedVideo]:
        # the JSON is streamed (jsonstream), never loaded whole: it may be gigabytes
        if self.path.suffix.lower() == ".json":
            document = JsonDocument(lambda: open(self.path, "rb"), self.path.name)
            return self.read_labels(document, self.path.name, frame_files=None, on_progress=on_progress)
        with Archive(self.path) as archive:
            name = archive.find_json(self.annotation_file)
            root = self.images_root(name)
            prefix = f"{root}/{self.images_dir}/" if str(root) != "." else f"{self.images_dir}/"
            frame_files = {n[len(prefix):] for n in archive.files if n.startswith(prefix)}
            return self.read_labels(JsonDocument(lambda: archive.open(name), name), name,
                                    frame_files=frame_files or None, on_progress=on_progress)

    def read_labels(self, document: JsonDocument, source: str, *, frame_files: set[str] | None,
                    on_progress) -> list[ImportedVideo]:
        """Check and convert the JSON; `frame_files` are the frame paths under the images folder."""
        raise NotImplementedError
