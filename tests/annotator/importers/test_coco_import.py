import json

import numpy as np
import pytest

from annotator import masks
from annotator.choices import Source
from annotator.models import FrameAnnotation, Track
from tests.annotator.labelled import export, import_archive, square, zip_bytes

pytestmark = pytest.mark.django_db


def coco(images, annotations, categories=({"id": 7, "name": "person"},), **extra) -> dict:
    return {"images": images, "annotations": annotations, "categories": list(categories), **extra}


def image(frame: int, *, video: str = "clip", size=(160, 120), image_id: int | None = None) -> dict:
    return {"id": image_id or frame + 1, "file_name": f"{video}/{frame:05d}.jpg", "width": size[0], "height": size[1]}


def test_foreign_coco_imports_polygons_and_rle_as_one_track_per_annotation(cast, ready_video):
    polygon = [[10, 10, 40, 10, 40, 30, 10, 30]]
    rle = masks.encode_mask(square(100, 50, 20))
    doc = coco([image(0), image(4)], [
        {"id": 1, "image_id": 1, "category_id": 7, "segmentation": polygon, "bbox": [10, 10, 30, 20], "iscrowd": 0},
        {"id": 2, "image_id": 5, "category_id": 7, "segmentation": rle, "iscrowd": 0},
    ])
    job = import_archive(cast.project, "coco", json.dumps(doc).encode(), "instances.json")
    assert job.status == "succeeded", job.error
    tracks = list(Track.objects.filter(video=ready_video).order_by("object_id"))
    assert [(t.object_id, t.label.name) for t in tracks] == [(1, "person"), (2, "person")]
    first = FrameAnnotation.objects.get(track=tracks[0])
    assert (first.frame_index, first.source, first.bbox) == (0, Source.MANUAL_MASK, [10.0, 10.0, 30.0, 20.0])
    assert masks.decode_mask(first.mask_rle)[15:25, 15:35].all() and first.area > 500
    second = FrameAnnotation.objects.get(track=tracks[1])
    assert second.frame_index == 4 and second.bbox == [100.0, 50.0, 20.0, 20.0] and second.area == 400
    assert np.array_equal(masks.decode_mask(second.mask_rle), square(100, 50, 20))
    assert job.summary["per_video"] == {"clip": {"tracks": [1, 2], "frames": 2}}


def test_annotations_without_a_segmentation_import_as_boxes(cast, ready_video):
    doc = coco([image(3, image_id=1)],
               [{"id": 1, "image_id": 1, "category_id": 7, "segmentation": [], "bbox": [5, 6, 7, 8]}])
    assert import_archive(cast.project, "coco", json.dumps(doc).encode(), "x.json").status == "succeeded"
    frame = FrameAnnotation.objects.get(track__video=ready_video)
    assert (frame.source, frame.bbox, frame.mask_rle, frame.rotated_box) == (
        Source.MANUAL_BOX, [5.0, 6.0, 7.0, 8.0], None, masks.box_corners([5, 6, 7, 8]))


@pytest.mark.parametrize("doc, message", [
    (coco([image(0)], [{"id": 1, "image_id": 1, "category_id": 3, "bbox": [1, 1, 5, 5]}],
          categories=[{"id": 3, "name": "dog"}, {"id": 4, "name": "cat"}]),
     "unknown categories: dog. The project's labels are: ball, person"),
    (coco([image(0)], [{"id": 1, "image_id": 1, "category_id": 9, "bbox": [1, 1, 5, 5]}]),
     "category ids the file does not define: 9"),
    (coco([image(0, size=(320, 240))], []), "is 320x240, but video 'clip' is 160x120"),
    (coco([image(0)], [{"id": 1, "image_id": 1, "category_id": 7,
                        "segmentation": masks.encode_mask(np.ones((240, 320), bool))}]),
     "annotation 1 (video 'clip', frame 0): the mask is 320x240, but video 'clip' is 160x120"),
    (coco([image(15)], []), "frame 15 is missing from video 'clip', which has 12 frames"),
    (coco([image(0, video="elsewhere")], []), "videos this project does not: elsewhere"),
    (coco([image(0)], [{"id": 1, "image_id": 1, "category_id": 7, "bbox": [150, 1, 20, 5]}]),
     "lies outside the 160x120 frame"),
    ({"images": []}, "has no 'annotations' list"),
    # a counts string cut short: pycocotools would fill the rest of the mask from stale memory
    (coco([image(0)], [{"id": 1, "image_id": 1, "category_id": 7, "segmentation": {
        "size": [120, 160], "counts": masks.encode_mask(square(100, 50, 20))["counts"][:3]}}]),
     "annotation 1 (video 'clip', frame 0): compressed RLE runs must be non-negative and sum to height*width"),
])
def test_bad_coco_files_fail_with_a_clear_message(cast, ready_video, doc, message):
    job = import_archive(cast.project, "coco", json.dumps(doc).encode(), "instances.json")
    assert job.status == "failed"
    assert message in job.error
    assert not Track.objects.filter(video=ready_video).exists()


def test_listed_images_missing_from_the_archive_fail_the_import(cast, ready_video):
    data = zip_bytes({"annotations/instances.json": coco([image(0), image(1)], []), "images/clip/00000.jpg": b"jpeg"})
    job = import_archive(cast.project, "coco", data)
    assert job.status == "failed" and "missing frames: clip/00001.jpg" in job.error


def test_importing_over_existing_object_ids_is_refused(cast, labelled):
    data = open(export(cast.project, "coco").filename, "rb").read()
    job = import_archive(cast.project, "coco", data)
    assert job.status == "failed"
    assert "video 'clip' already has tracks with object ids 1, 2, 3" in job.error
    assert Track.objects.filter(video=labelled).count() == 3


def test_a_bad_video_anywhere_means_nothing_is_imported(cast, ready_video, tmp_path):
    from tests.annotator.labelled import add_clip

    add_clip(cast.project, by=cast.carol, tmp_path=tmp_path, name="second")
    doc = coco([image(0), image(0, video="second", image_id=2)], [
        {"id": 1, "image_id": 1, "category_id": 7, "bbox": [1, 1, 5, 5]},
        {"id": 2, "image_id": 2, "category_id": 7, "bbox": [1, 1, 500, 5]},
    ])
    job = import_archive(cast.project, "coco", json.dumps(doc).encode(), "instances.json")
    assert job.status == "failed" and "annotation 2 (video 'second', frame 0)" in job.error
    assert not Track.objects.filter(video__project=cast.project).exists()


def test_one_refusal_names_every_bad_annotation(cast, ready_video):
    # a file fixed by hand should not reveal its problems one upload at a time
    doc = coco([image(0), image(1), image(15)], [
        {"id": 1, "image_id": 1, "category_id": 7, "bbox": [150, 1, 20, 5]},
        {"id": 2, "image_id": 2, "category_id": 7, "bbox": [1, 1, 5, 5]},
        {"id": 3, "image_id": 99, "category_id": 7, "bbox": [1, 1, 5, 5]},
    ])
    job = import_archive(cast.project, "coco", json.dumps(doc).encode(), "instances.json")
    assert job.status == "failed" and job.error.startswith("image 16 ('clip/00015.jpg'): frame 15 is missing")  # images first

    doc["images"].pop()
    job = import_archive(cast.project, "coco", json.dumps(doc).encode(), "instances.json")
    assert job.status == "failed"
    assert job.error.startswith("2 problems: annotation 1 (video 'clip', frame 0)")
    assert "lies outside the 160x120 frame" in job.error
    assert "annotation 3: its image_id is not one of the file's images" in job.error
    assert not Track.objects.filter(video=ready_video).exists()
