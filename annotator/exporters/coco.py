"""COCO instances: one image per frame, one annotation per track per frame (docs/formats.md).

    annotations/instances.json        info, licenses, categories, videos, images, annotations
    images/<video>/00000.jpg ...      the frames, when include_frames

Masks are compressed COCO RLE (`iscrowd` 0); `bbox` is the mask's tight box (on a manual box
frame: the drawn box, the annotator's label) and `area` the mask's pixel count, while `attributes.tracker_bbox` and `attributes.rotated_box` carry
the boxes SiamLabel stores (the tracker's may cross the frame's edge). A frame with a manual box and no mask gets the box
as a four-corner polygon, so every annotation decodes with pycocotools; its
`attributes.box_only` is true, which is how importers tell it is only a box (files from before
that attribute: a polygon with `attributes.source` "manual_box"). With `coco_masks="polygon"`,
masks are written as polygons on pixel corners instead (annotator.masks.mask_polygons: exact
but for holes, which come back filled), for readers that take only polygons.
Outside frames (object not visible) get no annotation; a video whose tracks have some lists them
in the SiamLabel addition `videos[].outside`: [{track_id, category_id, frames: [[first, last], ...]}].
"""

from __future__ import annotations

from collections.abc import Callable

from annotator import masks
from annotator.exporters.base import AnnotationRow, Exporter, VideoExport, frame_file, frame_ranges

ANNOTATION_FILE = "annotations/instances.json"
IMAGES_DIR = "images"


def box_polygon(bbox_xywh) -> list[list[float]]:
    """Return a box as a COCO polygon segmentation: one ring, clockwise from the top-left."""
    x, y, w, h = bbox_xywh
    return [[x, y, x + w, y, x + w, y + h, x, y + h]]


class CocoExporter(Exporter):
    format = "coco"

    def __init__(self, archive, **kwargs):
        super().__init__(archive, **kwargs)
        self.videos = archive.spool()
        self.images = archive.spool()
        self.annotations = archive.spool()
        self._next_image_id = 1

    def add_video(self, video: VideoExport, on_frames: Callable[[int], None] = lambda n: None) -> None:
        first_image_id = self._next_image_id
        self._next_image_id += video.frame_count
        entry = {
            "id": video.number, "name": video.name, "width": video.width, "height": video.height,
            "length": video.frame_count, "fps": video.fps,
        }
        for i in range(video.frame_count):
            self.images.append({
                "id": first_image_id + i, "file_name": f"{video.folder}/{frame_file(i, '.jpg')}",
                "width": video.width, "height": video.height, "video_id": video.number, "frame_index": i,
            })
        outside: dict[tuple[int, int], list[int]] = {}  # (track, category) -> its outside frames
        for row in video.rows(by="frame"):
            if row.outside:
                outside.setdefault((row.object_id, row.category_id), []).append(row.frame_index)
            else:
                self.annotations.append(self.annotation(row, image_id=first_image_id + row.frame_index))
        if outside:
            entry["outside"] = [{"track_id": track_id, "category_id": category_id, "frames": frame_ranges(frames)}
                                for (track_id, category_id), frames in sorted(outside.items())]
        self.videos.append(entry)
        if self.include_frames:
            self.add_frames(video, IMAGES_DIR)
        on_frames(video.frame_count)

    def annotation(self, row: AnnotationRow, *, image_id: int) -> dict:
        if row.mask_rle is None:
            segmentation, area = box_polygon(row.bbox), row.bbox[2] * row.bbox[3]
        elif self.coco_masks == "polygon":
            h, w = row.mask_rle["size"]
            segmentation = masks.mask_polygons(masks.decode_mask(row.mask_rle))
            area = masks.polygons_area(segmentation, h, w)  # holes filled: what a reader decodes
        else:
            segmentation, area = row.mask_rle, row.area
        return {
            "id": self.annotations.count + 1, "image_id": image_id, "category_id": row.category_id,
            "segmentation": segmentation, "area": float(area), "bbox": row.bbox, "iscrowd": 0,
            "attributes": {
                "track_id": row.object_id, "tracker_bbox": row.tracker_bbox, "rotated_box": row.rotated_box,
                "score": row.score, "source": row.source, "box_only": row.mask_rle is None,
            },
        }

    def finish(self) -> None:
        self.archive.add_json(ANNOTATION_FILE, {
            **self.coco_header(),
            "videos": self.videos,
            "images": self.images,
            "annotations": self.annotations,
        })

