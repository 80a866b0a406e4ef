"""COCO instances into tracks: our own exports, and COCO files of video frames from elsewhere.

An image belongs to the video `videos[video_id].name` (else the folder of its `file_name`) and
is frame `frame_index` (else `frame_id`, else the number ending its file name). Annotations with
the same `attributes.track_id` (or `instance_id`) in a video form one track; without one, each
annotation is a track of its own. An empty segmentation, or a polygon with
`attributes.source == "manual_box"` (how we export a box without a mask), imports as a box.
A mask's stored box is `attributes.tracker_bbox` (our exports: `bbox` is then the mask's tight
box), else `bbox`, else the mask's tight box. A video's `outside` list (our exports) names each
track's outside frames. docs/formats.md has the details.
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
from annotator.importers.jsonstream import JsonDocument, Survey
from annotator.importers.problems import Problems

ANNOTATION_FILE = "annotations/instances.json"
IMAGES_DIR = "images"
MANUAL_BOX = "manual_box"


def _list(survey: Survey, key: str, where: str) -> None:
    if not survey.array(key):
        raise ArchiveError(f"{where} has no '{key}' list: is it a COCO instances file?")


class CocoImporter(JsonLabelsImporter):
    format = "coco"
    annotation_file = ANNOTATION_FILE
    images_dir = IMAGES_DIR

    def images_root(self, annotation_name: str) -> PurePosixPath:
        # images sit next to the annotations folder: <root>/annotations/x.json, <root>/images/
        parent = PurePosixPath(annotation_name).parent
        return parent.parent if parent.name == "annotations" else parent

    def read_labels(self, document: JsonDocument, source: str, *, frame_files: set[str] | None,
                    on_progress) -> list[ImportedVideo]:
        # first pass: everything but the annotations, which the second pass streams
        survey = document.survey(keep=("images", "categories", "videos"), count="annotations", peek="category_id")
        if not survey.is_object:
            raise ArchiveError(f"{source} must hold a JSON object")
        for key in ("images", "annotations", "categories"):
            _list(survey, key, source)
        images = survey.kept["images"]
        categories = {c.get("id"): c.get("name") for c in survey.kept["categories"] if isinstance(c, dict)}
        videos = survey.kept.get("videos") if survey.array("videos") else []
        video_names = {v.get("id"): v.get("name") for v in videos if isinstance(v, dict)}

        frames = self._frames(images, video_names, source)  # image id -> (video, frame index)
        if frame_files is not None:
            missing = [img["file_name"] for img in images if img.get("file_name") not in frame_files]
            if missing:
                raise ArchiveError(f"the archive's {IMAGES_DIR}/ folder is missing frames: {listing(missing)}")

        # every category_id was noted by the first pass: unknown labels fail before any mask is decoded
        check_categories(survey.peeked, categories, self.target)
        total = survey.lengths["annotations"]

        collector, problems = TrackCollector(self.target), Problems()
        for n, annotation in enumerate(document.items("annotations"), start=1):
            with problems.item():
                self._annotation(annotation, n, frames, categories, collector)
            if n % 500 == 0:
                on_progress(n / total)
        problems.raise_if_any()
        self._outside(videos, categories, collector)
        on_progress(1.0)
        return collector.videos()

    def _annotation(self, annotation, n: int, frames: dict, categories: dict, collector: TrackCollector) -> None:
        where = f"annotation {annotation.get('id', n) if isinstance(annotation, dict) else n}"
        if not isinstance(annotation, dict) or annotation.get("image_id") not in frames:
            raise ArchiveError(f"{where}: its image_id is not one of the file's images")
        video, frame_index = frames[annotation["image_id"]]
        where = f"{where} (video '{video.name}', frame {frame_index})"
        attributes = annotation.get("attributes") if isinstance(annotation.get("attributes"), dict) else {}
        track = collector.track(
            video, object_id=attributes.get("track_id", annotation.get("instance_id")),
            label=category_of(annotation, categories, where), where=where,
        )
        collector.add(track, self._frame(annotation, attributes, video, frame_index, where), where)

    def _frames(self, images: list, video_names: dict, source: str) -> dict:
        """Return {image id: (target video, frame index)}; check videos, sizes and frame numbers."""
        located, problems = {}, Problems()
        for image in images:
            with problems.item():
                name, index = self._locate(image, video_names, source)
                located[image["id"]] = (name, index, image)
        problems.raise_if_any()
        videos = self.target.resolve_videos(name for name, _, _ in located.values())
        frames = {}
        for image_id, (name, index, image) in located.items():
            with problems.item():
                video: TargetVideo = videos[name]
                where = f"image {image_id} ('{image.get('file_name', '')}')"
                if "width" in image or "height" in image:
                    video.check_size(image.get("width"), image.get("height"), where)
                frames[image_id] = (video, video.check_frame(index, where))
        problems.raise_if_any()
        return frames

    @staticmethod
    def _locate(image, video_names: dict, source: str) -> tuple[str, int]:
        """Return (video name, frame index) of one `images` entry."""
        if not isinstance(image, dict) or "id" not in image:
            raise ArchiveError(f"{source}: every image needs an id")
        file_name = str(image.get("file_name", ""))
        name = video_names.get(image.get("video_id")) or PurePosixPath(file_name).parent.name
        if not name:
            raise ArchiveError(
                f"image {image['id']} ('{file_name}') names no video: give it a video_id from a 'videos' "
                "list, or a file_name '<video>/<frame>.jpg'"
            )
        index = image.get("frame_index", image.get("frame_id"))
        if index is None:
            index = frame_number(file_name)
        if not isinstance(index, int) or isinstance(index, bool):
            raise ArchiveError(f"image {image['id']} ('{file_name}') has no frame_index and no frame number")
        return name, index

    def _outside(self, videos: list, categories: dict, collector: TrackCollector) -> None:
        """Add the outside frames that videos[].outside lists to their tracks."""
        for entry in videos:
            if not isinstance(entry, dict) or not entry.get("outside"):
                continue
            where = f"video {entry.get('id')} ('{entry.get('name')}') outside"
            if not isinstance(entry["outside"], list) or not all(isinstance(t, dict) for t in entry["outside"]):
                raise ArchiveError(f"{where}: must be a list of {{track_id, category_id, frames}}")
            name = entry.get("name")
            video = self.target.resolve_videos([name])[name]
            for item in entry["outside"]:
                label = category_of(item, categories, where)
                self.target.check_labels([label])
                track = collector.track(video, object_id=item.get("track_id"), label=label, where=where)
                for frame in outside_frames(item.get("frames"), video, where):
                    collector.add(track, frame, f"{where}, frame {frame.frame_index}")

    @staticmethod
    def _frame(annotation: dict, attributes: dict, video: TargetVideo, frame_index: int, where: str):
        segmentation = annotation.get("segmentation")
        rotated_box = attributes.get("rotated_box")
        # our exports say box_only; older ones marked box-only frames with source manual_box and
        # the box as a polygon, and a manual box that also has a mask (the tracker's) as RLE
        if "box_only" in attributes:
            box_only = attributes["box_only"] is True
        else:
            box_only = attributes.get("source") == MANUAL_BOX and not isinstance(segmentation, dict)
        if box_only or not segmentation:
            if annotation.get("bbox") is None:
                raise ArchiveError(f"{where}: an annotation needs a segmentation or a bbox")
            return box_frame(frame_index, annotation["bbox"], video, where, rotated_box=rotated_box)
        mask = mask_of_segmentation(segmentation, video, where)
        tracker_bbox = attributes.get("tracker_bbox")
        bbox = tracker_bbox if tracker_bbox is not None else annotation.get("bbox")
        return mask_frame(frame_index, mask, video, where, bbox=bbox, rotated_box=rotated_box)
