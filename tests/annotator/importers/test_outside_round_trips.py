"""Outside frames survive export -> import -> export in every format, apart from unannotated frames.

Object 3 of the labelled clip has boxes on frames 2 and 5 and is marked outside on 7-9: frames
3-4 (never annotated) and 7-9 (outside) are both empty in the standard fields, and only the
SiamLabel additions (docs/formats.md, "Outside frames") tell them apart. Object 4 is outside
on every frame it has.
"""

import io

import numpy as np
import pytest
from PIL import Image

from annotator.choices import Source
from annotator.models import FrameAnnotation, Track
from tests.annotator.labelled import export, import_archive, project_with_clip, read_json

pytestmark = pytest.mark.django_db

OUTSIDE = {(2, 8), (3, 7), (3, 8), (3, 9), (4, 0), (4, 1)}


@pytest.fixture
def with_outside(cast, labelled):
    ball = cast.project.labels.get(name="ball")
    fourth = Track.objects.create(video=labelled, label=ball, object_id=4)
    FrameAnnotation.objects.filter(track__video=labelled, track__object_id=2, frame_index=8).delete()
    FrameAnnotation.objects.bulk_create(
        FrameAnnotation(track=Track.objects.get(video=labelled, object_id=obj) if obj != 4 else fourth,
                        frame_index=frame, source=Source.OUTSIDE)
        for obj, frame in sorted(OUTSIDE)
    )
    return labelled


def round_trip(cast, tmp_path, format):
    fresh = project_with_clip(name="R", by=cast.carol, tmp_path=tmp_path)
    first = export(cast.project, format)
    job = import_archive(fresh, format, open(first.filename, "rb").read())
    assert job.status == "succeeded", job.error
    outside = set(FrameAnnotation.objects.filter(track__video__project=fresh, source=Source.OUTSIDE)
                  .values_list("track__object_id", "frame_index"))
    unannotated = not FrameAnnotation.objects.filter(track__video__project=fresh, track__object_id=3,
                                                     frame_index__in=[3, 4]).exists()
    return first, export(fresh, format), outside, unannotated, job


def test_youtube_vis_writes_outside_frames_as_null_and_reads_them_back(cast, with_outside, tmp_path):
    first, second, outside, unannotated, job = round_trip(cast, tmp_path, "youtube-vis")
    tracks = {a["track_id"]: a for a in read_json(first, "instances.json")["annotations"]}
    assert tracks[3]["outside_frames"] == [[7, 9]] and tracks[4]["outside_frames"] == [[0, 1]]
    assert "outside_frames" not in tracks[1]
    for key in ("segmentations", "bboxes", "areas", "tracker_bboxes", "rotated_boxes"):
        assert tracks[3][key][7:10] == [None] * 3 and tracks[3][key][3:5] == [None] * 2
    assert tracks[4]["category_id"] == 2 and tracks[4]["bboxes"] == [None] * 12
    assert outside == OUTSIDE and unannotated
    assert job.summary["outside"] == len(OUTSIDE) and job.summary["boxes"] == 2
    a, b = (read_json(z, "instances.json") for z in (first, second))
    assert a["annotations"] == b["annotations"]


def test_coco_writes_no_annotation_on_outside_frames_and_lists_them_per_video(cast, with_outside, tmp_path):
    first, second, outside, unannotated, _ = round_trip(cast, tmp_path, "coco")
    document = read_json(first, "annotations/instances.json")
    frames = {(a["attributes"]["track_id"], a["image_id"] - 1) for a in document["annotations"]}
    assert not frames & OUTSIDE
    assert document["videos"][0]["outside"] == [
        {"track_id": 2, "category_id": 2, "frames": [[8, 8]]},
        {"track_id": 3, "category_id": 1, "frames": [[7, 9]]},
        {"track_id": 4, "category_id": 2, "frames": [[0, 1]]},
    ]
    assert outside == OUTSIDE and unannotated
    again = read_json(second, "annotations/instances.json")
    assert again["videos"] == document["videos"] and len(again["annotations"]) == len(document["annotations"])


def test_davis_writes_outside_frames_as_background_and_a_list_beside_them(cast, with_outside, tmp_path):
    first, second, outside, unannotated, _ = round_trip(cast, tmp_path, "davis")
    ids = np.array(Image.open(io.BytesIO(first.read("Annotations/clip/00008.png"))))
    assert 2 not in ids  # object 2 is outside on frame 8
    assert read_json(first, "siamlabel_outside.json") == {"clip": {"2": [[8, 8]], "3": [[7, 9]], "4": [[0, 1]]}}
    assert read_json(first, "davis_semantics.json")["clip"]["4"] == "ball"
    # DAVIS keeps masks only: object 3's boxes are not exported, its outside frames are
    assert outside == OUTSIDE
    for name in ("siamlabel_outside.json", "davis_semantics.json"):
        assert read_json(first, name) == read_json(second, name)


def test_an_export_without_outside_frames_has_no_outside_additions(cast, labelled):
    assert "outside" not in read_json(export(cast.project, "coco"), "annotations/instances.json")["videos"][0]
    assert "siamlabel_outside.json" not in export(cast.project, "davis").namelist()


@pytest.mark.parametrize("runs", [[[9, 7]], [[0, 12]], "7-9", [[1.5, 2]]])
def test_bad_outside_runs_are_refused_with_a_clear_error(cast, labelled, tmp_path, runs):
    from tests.annotator.labelled import zip_bytes

    document = read_json(export(cast.project, "youtube-vis"), "instances.json")
    document["annotations"][0]["outside_frames"] = runs
    fresh = project_with_clip(name="R", by=cast.carol, tmp_path=tmp_path)
    job = import_archive(fresh, "youtube-vis", zip_bytes({"instances.json": document}))
    assert job.status == "failed" and "outside_frames" in job.error
