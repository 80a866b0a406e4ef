"""YouTube-VIS (2019/2021) into tracks: one track per annotation, one frame per listed file name.

A video is matched by its `name` (a SiamLabel addition) or else the folder of its file names.
Its k-th file name is frame k when the project's video has exactly as many frames as the list
(you uploaded the listed frames); otherwise the number in the file name is the frame index
(you uploaded every frame and the list, as in the 2019 training set, holds every fifth).
A null segmentation with a box imports as a box; with neither, the track has nothing there.
A mask's stored box is its `tracker_bboxes` entry (our exports), else its `bboxes` entry.
Frames in a track's `outside_frames` runs (our exports) import as outside frames.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from annotator.importers.archive import ArchiveError, listing
from annotator.importers.base import (
    ImportedVideo,
    JsonLabelsImporter,
    TargetVideo,
    TrackCollector,
    box_frame,
    category_of,
    check_categories,
    frame_number,
    mask_frame,
    mask_of_segmentation,
    outside_frames,
)
from annotator.importers.jsonstream import JsonDocument
from annotator.importers.problems import Problems

ANNOTATION_FILE = "instances.json"
IMAGES_DIR = "JPEGImages"
OPTIONAL_LISTS = ("areas", "tracker_bboxes", "rotated_boxes")  # absent: null on every frame


class YoutubeVisImporter(JsonLabelsImporter):
    format = "youtube-vis"
    annotation_file = ANNOTATION_FILE
    images_dir = IMAGES_DIR

    def read_labels(self, document: JsonDocument, source: str, *, frame_files: set[str] | None,
                    on_progress) -> list[ImportedVideo]:
        # first pass: everything but the annotations, which the second pass streams
        survey = document.survey(keep=("videos", "categories"), count="annotations", peek="category_id")
        if not survey.is_object or not all(survey.array(k) for k in ("videos", "annotations", "categories")):
            raise ArchiveError(f"{source} needs 'videos', 'annotations' and 'categories' lists: is it YouTube-VIS?")
        categories = {c.get("id"): c.get("name") for c in survey.kept["categories"] if isinstance(c, dict)}
        videos = self._videos(survey.kept["videos"], frame_files)  # id -> (target, frame indices)

        # every category_id was noted by the first pass: unknown labels fail before any mask is decoded
        check_categories(survey.peeked, categories, self.target)
        total = survey.lengths["annotations"]

        collector, problems = TrackCollector(self.target), Problems()
        for n, annotation in enumerate(document.items("annotations"), start=1):
            with problems.item():
                self._annotation(annotation, n, videos, categories, collector)
            on_progress(n / total)
        problems.raise_if_any()
        on_progress(1.0)
        return collector.videos()

    @staticmethod
    def _annotation(annotation, n: int, videos: dict, categories: dict, collector: TrackCollector) -> None:
        where = f"annotation {annotation.get('id', n) if isinstance(annotation, dict) else n}"
        if not isinstance(annotation, dict) or annotation.get("video_id") not in videos:
            raise ArchiveError(f"{where}: its video_id is not one of the file's videos")
        video, indices = videos[annotation["video_id"]]
        where = f"{where} (video '{video.name}')"
        lists = {}
        for key in ("segmentations", "bboxes", "areas", "tracker_bboxes", "rotated_boxes"):
            value = annotation.get(key)
            if value is None and key in OPTIONAL_LISTS:
                value = [None] * len(indices)
            if not isinstance(value, list) or len(value) != len(indices):
                raise ArchiveError(f"{where}: '{key}' must list one entry per frame ({len(indices)})")
            lists[key] = value
        track = collector.track(video, object_id=annotation.get("track_id"),
                                label=category_of(annotation, categories, where), where=where)
        for k, frame_index in enumerate(indices):
            at = f"{where}, frame {frame_index}"
            segmentation, bbox, rotated = lists["segmentations"][k], lists["bboxes"][k], lists["rotated_boxes"][k]
            if segmentation:
                mask = mask_of_segmentation(segmentation, video, at)
                stored = lists["tracker_bboxes"][k]
                frame = mask_frame(frame_index, mask, video, at, bbox=bbox if stored is None else stored,
                                   rotated_box=rotated)
            elif bbox is not None:
                frame = box_frame(frame_index, bbox, video, at, rotated_box=rotated)
            else:
                continue
            collector.add(track, frame, at)
        for frame in outside_frames(annotation.get("outside_frames", []), video, f"{where}, outside_frames"):
            collector.add(track, frame, f"{where}, outside frame {frame.frame_index}")

    def _videos(self, entries: list, frame_files: set[str] | None) -> dict:
        """Return {video id: (target video, frame index of each listed file)}."""
        listed, problems = {}, Problems()
        for entry in entries:
            with problems.item():
                name, file_names = self._listed(entry, frame_files)
                listed[entry.get("id")] = (name, file_names, entry)
        problems.raise_if_any()
        targets = self.target.resolve_videos(name for name, _, _ in listed.values())
        videos = {}
        for video_id, (name, file_names, entry) in listed.items():
            with problems.item():
                videos[video_id] = self._indices(targets[name], video_id, name, file_names, entry)
        problems.raise_if_any()
        return videos

    @staticmethod
    def _listed(entry, frame_files: set[str] | None) -> tuple[str, list[str]]:
        """Return (video name, file names) of one `videos` entry."""
        if not isinstance(entry, dict) or not isinstance(entry.get("file_names"), list) or not entry["file_names"]:
            raise ArchiveError("every video needs an id and a non-empty 'file_names' list")
        file_names = [str(f) for f in entry["file_names"]]
        where = f"video {entry.get('id')}"
        if entry.get("length", len(file_names)) != len(file_names):
            raise ArchiveError(f"{where} has length {entry['length']} but lists {len(file_names)} file names")
        if frame_files is not None:
            missing = [f for f in file_names if f not in frame_files]
            if missing:
                raise ArchiveError(f"{where}: the archive's {IMAGES_DIR}/ folder is missing frames: {listing(missing)}")
        name = entry.get("name") or PurePosixPath(file_names[0]).parent.name
        if not name:
            raise ArchiveError(f"{where} has no name and its file names have no folder")
        return name, file_names

    @staticmethod
    def _indices(video: TargetVideo, video_id, name: str, file_names: list[str], entry: dict) -> tuple:
        """Return (video, frame index of each listed file), checked against the project's video."""
        where = f"video {video_id} ('{name}')"
        if "width" in entry or "height" in entry:
            video.check_size(entry.get("width"), entry.get("height"), where)
        if len(file_names) == video.frame_count:
            indices = list(range(len(file_names)))
        else:
            indices = [frame_number(f) for f in file_names]
            if None in indices:
                raise ArchiveError(
                    f"{where} lists {len(file_names)} frames but the video has {video.frame_count}, and its "
                    "file names carry no frame numbers to match them by"
                )
            for f, i in zip(file_names, indices, strict=True):
                video.check_frame(i, f"{where}, file '{f}'")
        return video, indices
