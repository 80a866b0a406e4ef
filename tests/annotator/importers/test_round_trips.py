"""Export -> import into a fresh project with a same-named clip -> export gives the same labels."""

import io

import numpy as np
import pytest
from PIL import Image

from annotator.choices import ReviewStatus, Source
from annotator.models import FrameAnnotation, Track
from tests.annotator.labelled import FRAMES, export, import_archive, project_with_clip, read_json

pytestmark = pytest.mark.django_db


@pytest.fixture
def fresh(cast, tmp_path):
    """Project R, managed by carol, with the same clip named "clip" and the same labels."""
    return project_with_clip(name="R", by=cast.carol, tmp_path=tmp_path)


def round_trip(cast, fresh, format: str, **options):
    first = export(cast.project, format, **options)
    data = open(first.filename, "rb").read()
    job = import_archive(fresh, format, data)
    assert job.status == "succeeded", job.error
    return first, export(fresh, format, **options), job


def without(d: dict, *keys) -> dict:
    return {k: v for k, v in d.items() if k not in keys}


def test_coco_round_trip_keeps_masks_boxes_and_ids(cast, labelled, fresh):
    first, second, job = round_trip(cast, fresh, "coco")
    a, b = (read_json(z, "annotations/instances.json") for z in (first, second))
    assert a["categories"] == b["categories"] and a["videos"] == b["videos"] and a["images"] == b["images"]
    assert len(a["annotations"]) == len(b["annotations"]) == 19
    for x, y in zip(a["annotations"], b["annotations"], strict=True):
        # imported frames are manual anchors: sources become manual_*, scores are not kept
        assert without(x, "attributes") == without(y, "attributes")
        assert without(x["attributes"], "source", "score") == without(y["attributes"], "source", "score")
        expected_source = "manual_box" if x["attributes"]["source"] == "manual_box" else "manual_mask"
        assert y["attributes"]["source"] == expected_source
        assert y["attributes"]["score"] is None
    assert job.summary | {"per_video": None} == {"videos": 1, "tracks": 3, "frames": 19, "masks": 17, "boxes": 2,
                                                  "outside": 0, "per_video": None}


def test_youtube_vis_round_trip_keeps_masks_boxes_and_ids(cast, labelled, fresh):
    first, second, _ = round_trip(cast, fresh, "youtube-vis")
    a, b = (read_json(z, "instances.json") for z in (first, second))
    assert without(a, "info") == without(b, "info")


def test_davis_round_trip_keeps_masks_and_object_ids(cast, labelled, fresh):
    first, second, _ = round_trip(cast, fresh, "davis")
    assert first.namelist() == second.namelist()
    for name in first.namelist():
        if name.endswith(".png"):
            a, b = (np.array(Image.open(io.BytesIO(z.read(name)))) for z in (first, second))
            assert np.array_equal(a, b), name
    assert read_json(first, "davis_semantics.json") == read_json(second, "davis_semantics.json")


def test_imported_tracks_are_drafts_with_manual_frames(cast, labelled, fresh):
    round_trip(cast, fresh, "coco")
    tracks = Track.objects.filter(video__project=fresh).order_by("object_id")
    assert [(t.object_id, t.label.name, t.review_status, t.version) for t in tracks] == [
        (1, "person", ReviewStatus.DRAFT, 1), (2, "ball", ReviewStatus.DRAFT, 1), (3, "person", ReviewStatus.DRAFT, 1)]
    sources = FrameAnnotation.objects.filter(track__video__project=fresh).values_list("track__object_id", "source")
    assert set(sources) == {(1, Source.MANUAL_MASK), (2, Source.MANUAL_MASK), (3, Source.MANUAL_BOX)}
    assert FrameAnnotation.objects.filter(track__video__project=fresh, track__object_id=1).count() == FRAMES - 1


def test_a_manual_box_with_a_mask_keeps_its_mask(cast, labelled, fresh):
    from annotator import masks
    from tests.annotator.labelled import square

    keyframe = FrameAnnotation.objects.get(track__object_id=3, frame_index=2)
    keyframe.mask_rle = masks.encode_mask(square(60, 70, 25))  # the tracker's mask for a box keyframe
    keyframe.save(update_fields=["mask_rle"])
    first, second, _ = round_trip(cast, fresh, "coco")
    a, b = (read_json(z, "annotations/instances.json")["annotations"] for z in (first, second))
    [x] = [ann for ann in a if ann["attributes"]["track_id"] == 3 and ann["image_id"] == 3]
    [y] = [ann for ann in b if ann["attributes"]["track_id"] == 3 and ann["image_id"] == 3]
    assert x["attributes"]["source"] == "manual_box" and x["segmentation"] == keyframe.mask_rle
    assert x["bbox"] == [float(v) for v in keyframe.bbox]  # the drawn box, not the mask's tight box
    # imported, the mask is a hand-made one: the stored box survives, the format's box is the mask's
    assert (y["segmentation"], y["attributes"]["tracker_bbox"], y["attributes"]["source"]) == (
        x["segmentation"], x["attributes"]["tracker_bbox"], "manual_mask")
    assert y["bbox"] == masks.rle_bbox(keyframe.mask_rle)


@pytest.mark.parametrize("format", ["coco", "youtube-vis"])
def test_tracker_boxes_past_the_frame_edge_survive(cast, labelled, fresh, format):
    FrameAnnotation.objects.filter(track__object_id=1, frame_index=0).update(bbox=[-3.5, 15.0, 30.0, 30.0])
    first, second, _ = round_trip(cast, fresh, format)
    for archive in (first, second):
        if format == "coco":
            ann = read_json(archive, "annotations/instances.json")["annotations"][0]
            box, tracker_box = ann["bbox"], ann["attributes"]["tracker_bbox"]
        else:
            ann = read_json(archive, "instances.json")["annotations"][0]
            box, tracker_box = ann["bboxes"][0], ann["tracker_bboxes"][0]
        assert box == [10.0, 20.0, 20.0, 20.0] and tracker_box == [-3.5, 15.0, 30.0, 30.0]


def test_videos_with_unsafe_names_round_trip_through_their_folder_name(cast, tmp_path):
    from tests.annotator.labelled import add_clip, label_video

    label_video(add_clip(cast.project, by=cast.carol, tmp_path=tmp_path, name="../up and/away"))
    other = project_with_clip(name="R", by=cast.carol, tmp_path=tmp_path, video_name="../up and/away")
    first, second, job = round_trip(cast, other, "davis")
    assert "Annotations/video.._up_and_away/00000.png" in first.namelist()
    assert first.namelist() == second.namelist()
    assert list(job.summary["per_video"]) == ["../up and/away"]
