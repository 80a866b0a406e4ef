"""YouTube-VIS (2019/2021 layout): one annotation per track with per-frame lists (docs/formats.md).

    instances.json                     info, licenses, categories, videos, annotations
    JPEGImages/<video>/00000.jpg ...   the frames, when include_frames

Each track's `segmentations`, `bboxes` and `areas` have one entry per frame of the video: null
where the track has nothing. A frame with a manual box and no mask has a null segmentation and
area but keeps its box. `bboxes` are the masks' tight boxes (the drawn box on a manual box frame) and `areas` the masks' pixel counts;
`track_id`, `tracker_bboxes` (the boxes SiamLabel stores, the tracker's estimate on propagated
frames) and `rotated_boxes` are SiamLabel additions. So is `outside_frames`, present on tracks
that have outside frames: [first, last] runs of the frames marked "object not visible", which are
null in every list like frames without annotation; it is what tells the two apart on import.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import groupby

from annotator.exporters.base import Exporter, VideoExport, frame_file, frame_ranges

ANNOTATION_FILE = "instances.json"
IMAGES_DIR = "JPEGImages"


class YoutubeVisExporter(Exporter):
    format = "youtube-vis"

    def __init__(self, archive, **kwargs):
        super().__init__(archive, **kwargs)
        self.videos = archive.spool()
        self.annotations = archive.spool()

    def add_video(self, video: VideoExport, on_frames: Callable[[int], None] = lambda n: None) -> None:
        n = video.frame_count
        self.videos.append({
            "id": video.number, "name": video.name, "width": video.width, "height": video.height, "length": n,
            "file_names": [f"{video.folder}/{frame_file(i, '.jpg')}" for i in range(n)],
        })
        for object_id, rows in groupby(video.rows(by="track"), key=lambda r: r.object_id):
            segmentations, bboxes, areas = [None] * n, [None] * n, [None] * n
            tracker_bboxes, rotated = [None] * n, [None] * n
            category_id, outside = None, []
            for row in rows:
                category_id = row.category_id
                if row.outside:
                    outside.append(row.frame_index)
                    continue
                bboxes[row.frame_index] = row.bbox
                tracker_bboxes[row.frame_index] = row.tracker_bbox
                rotated[row.frame_index] = row.rotated_box
                if row.mask_rle is not None:
                    segmentations[row.frame_index] = row.mask_rle
                    areas[row.frame_index] = float(row.area)
            annotation = {
                "id": self.annotations.count + 1, "video_id": video.number, "category_id": category_id,
                "iscrowd": 0, "width": video.width, "height": video.height, "length": n,
                "segmentations": segmentations, "bboxes": bboxes, "areas": areas,
                "track_id": object_id, "tracker_bboxes": tracker_bboxes, "rotated_boxes": rotated,
            }
            if outside:
                annotation["outside_frames"] = frame_ranges(outside)
            self.annotations.append(annotation)
        if self.include_frames:
            self.add_frames(video, IMAGES_DIR)
        on_frames(n)

    def finish(self) -> None:
        self.archive.add_json(ANNOTATION_FILE, {
            **self.coco_header(),
            "videos": self.videos,
            "annotations": self.annotations,
        })
