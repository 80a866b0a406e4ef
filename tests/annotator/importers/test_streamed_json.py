"""COCO and YouTube-VIS files are streamed: any key order, syntax errors that say where, flat memory."""

import json
import time
import tracemalloc

import numpy as np
import pytest
from django.core.files import File

from annotator import masks
from annotator.choices import VideoStatus
from annotator.importers import jsonstream
from annotator.models import FrameAnnotation, Track, Video
from annotator.services import transfers
from tests.annotator.importers import large_coco
from tests.annotator.labelled import import_archive, square, zip_bytes

pytestmark = pytest.mark.django_db

RLE = masks.encode_mask(square(100, 50, 20))


def test_the_c_parser_is_used():
    assert jsonstream.BACKEND == "yajl2_c"


def test_coco_annotations_may_come_before_their_images(cast, ready_video):
    text = json.dumps({
        "annotations": [{"id": 1, "image_id": 9, "category_id": 7, "segmentation": RLE,
                         "attributes": {"track_id": 4}}],
        "categories": [{"id": 7, "name": "person"}],
        "images": [{"id": 9, "file_name": "clip/00003.jpg", "width": 160, "height": 120}],
    })
    assert text.index('"annotations"') < text.index('"images"')
    job = import_archive(cast.project, "coco", text.encode(), "instances.json")
    assert job.status == "succeeded", job.error
    frame = FrameAnnotation.objects.get(track__video=ready_video, track__object_id=4)
    assert frame.frame_index == 3 and np.array_equal(masks.decode_mask(frame.mask_rle), square(100, 50, 20))


def test_youtube_vis_annotations_may_come_before_their_videos(cast, ready_video):
    text = json.dumps({
        "annotations": [{"id": 1, "video_id": 2, "category_id": 1, "track_id": 5,
                         "segmentations": [None, RLE], "bboxes": [None, None]}],
        "categories": [{"id": 1, "name": "ball"}],
        "videos": [{"id": 2, "name": "clip", "file_names": ["clip/00000.jpg", "clip/00006.jpg"]}],
    })
    job = import_archive(cast.project, "youtube-vis", text.encode(), "instances.json")
    assert job.status == "succeeded", job.error
    frame = FrameAnnotation.objects.get(track__video=ready_video, track__object_id=5)
    assert (frame.frame_index, frame.track.label.name) == (6, "ball")


@pytest.mark.parametrize("text, message", [
    ('{"images": [], "categories": [], "annotations": [{"id": 1}, {"id": 2,, }]}',
     "instances.json is not valid JSON: it breaks in annotations[1].id: parse error: invalid object key"),
    ('{"images": [], "categories": [], "annotations": [{"id": 1, "segmentation": {"size": [120 160]',
     "it breaks in annotations[0].segmentation.size.item: parse error: after array element, I expect ',' or ']', "
     'here: gmentation": {"size": [120 160 <HERE> ]'),
    ('{"images": [], "categories": [], "annotations": [{"id": 1}',
     "it breaks in annotations[0]: parse error: premature EOF (the file ends too early)"),
    ('{"images": [], "categories": [], "annotations": []} and more',
     "it breaks after the top-level object: parse error: trailing garbage"),
])
def test_malformed_json_fails_naming_where_it_breaks(cast, ready_video, text, message):
    for data, name in ((text.encode(), "instances.json"), (zip_bytes({"annotations/instances.json": text}), "l.zip")):
        job = import_archive(cast.project, "coco", data, name)
        assert job.status == "failed"
        assert message in job.error
    assert not Track.objects.exists()


def test_an_annotation_without_a_category_fails_with_a_message(cast, ready_video):
    doc = {"images": [{"id": 1, "file_name": "clip/00000.jpg"}], "categories": [{"id": 7, "name": "person"}],
           "annotations": [{"id": 3, "image_id": 1, "bbox": [1, 1, 5, 5]}]}
    job = import_archive(cast.project, "coco", json.dumps(doc).encode(), "instances.json")
    assert job.status == "failed" and "annotation 3 (video 'clip', frame 0): category id None" in job.error


def test_a_64_mb_coco_import_keeps_the_python_heap_flat(cast, tmp_path):
    Video.objects.create(project=cast.project, name=large_coco.VIDEO, source_file="", width=640, height=480,
                         frame_count=40, status=VideoStatus.READY)
    big = large_coco.write_large_coco(tmp_path / "instances.json", size_mb=64)
    with open(big.path, "rb") as f:
        job = transfers.start_import(project=cast.project, format="coco", upload=File(f, "instances.json"),
                                     by=None, enqueue=False)
    tracemalloc.start()
    started = time.monotonic()
    try:
        job = transfers.run_import(job.pk)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    seconds = time.monotonic() - started
    assert job.status == "succeeded", job.error
    assert job.summary["frames"] == big.annotations == FrameAnnotation.objects.filter(track__video__name="big").count()
    stored = FrameAnnotation.objects.get(track__video__name="big", track__object_id=1, frame_index=0)
    assert stored.mask_rle == large_coco.fine_masks(8, 640, 480)[1]  # the mask of track 1 on frame 0, kept exactly
    print(f"\n{big.size_bytes / 1e6:.1f} MB, {big.annotations} annotations: heap peak {peak / 2**20:.1f} MiB, "
          f"{seconds:.1f} s")
    # Loading the file whole (json.load, before the streaming) peaked at 200 MiB here: the bytes
    # read, the decoded text and the parsed document, about 3x the file. Streamed, the peak is one
    # bulk insert (transfers.BULK_MASK_CHARS, ~4 MB of RLE held a few times over as rows, JSON and
    # query parameters) plus one decoded mask: 13 MiB measured. 48 MiB leaves room for other
    # versions of Django and psycopg, and still fails if the file, the document or all the masks
    # (64 MB of RLE) were held at once.
    assert peak < 48 * 2**20, f"heap peak {peak / 2**20:.0f} MiB for a {big.size_bytes / 2**20:.0f} MiB file"
