"""POST /api/tracks/{id}/annotations/{frame}/refine/: GrabCut with scribbles, answered and never saved."""

import numpy as np
import pytest

from annotator import masks
from annotator.models import FrameAnnotation, Track
from annotator.services.tracks import set_frame_annotation
from tests import clips

pytestmark = pytest.mark.django_db

# The square of frame 0 (tests/clips.py) is at x 20..50, y 40..70: a stroke inside, one outside.
STROKES = {"strokes": [{"foreground": True, "radius": 3, "points": [[30, 50], [40, 60]]},
                       {"foreground": False, "radius": 3, "points": [[70, 45], [70, 65]]}]}


def url(track, frame=0) -> str:
    return f"/api/tracks/{track.pk}/annotations/{frame}/refine/"


def square_mask(frame=0) -> np.ndarray:
    return masks.box_mask(clips.square_box(frame), 120, 160)


def test_an_annotator_gets_the_refined_mask_and_nothing_is_saved(clients, track):
    # a drifted box: 12 px right of the square, so half of it is background
    drifted = set_frame_annotation(track=track, frame_index=0, version=track.version, bbox=[32, 40, 30, 30])
    version = Track.objects.get(pk=track.pk).version
    response = clients.alice.post(url(track), STROKES, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    refined = masks.decode_mask(body["mask"])
    truth = square_mask()
    before = masks.box_mask(drifted.bbox, 120, 160)
    iou = lambda a: (a & truth).sum() / (a | truth).sum()  # noqa: E731
    assert iou(refined) > 0.85 > iou(before)
    assert body["area"] == int(refined.sum()) and len(body["window"]) == 4
    assert Track.objects.get(pk=track.pk).version == version  # not saved: the browser PUTs it
    assert FrameAnnotation.objects.get(track=track, frame_index=0).mask_rle is None


def test_a_stored_mask_is_refined_too(clients, track):
    # masks decoded from RLE are Fortran-ordered: GrabCut must still take them
    drifted = masks.box_mask([32, 40, 30, 30], 120, 160)
    set_frame_annotation(track=track, frame_index=0, version=track.version, mask_rle=masks.encode_mask(drifted))
    response = clients.alice.post(url(track), STROKES, format="json")
    assert response.status_code == 200, response.content
    refined = masks.decode_mask(response.json()["mask"])
    assert refined[55, 25] and not refined[55, 58]  # the square's left strip in, the drifted right strip out


def test_a_reviewer_may_not_refine_and_an_outsider_does_not_see_the_track(clients, track):
    assert clients.bob.post(url(track), STROKES, format="json").status_code == 403
    assert clients.mallory.post(url(track), STROKES, format="json").status_code == 404


@pytest.mark.parametrize("body, reason", [
    ({"strokes": []}, "strokes"),
    ({}, "strokes"),
    ({"strokes": [{"foreground": True, "radius": 3, "points": []}]}, "points"),
    ({"strokes": [{"foreground": True, "radius": 3, "points": [[30, 50], [400, 50]]}]}, "outside the 160x120 frame"),
    ({"strokes": [{"foreground": True, "radius": 0, "points": [[30, 50]]}]}, "radius"),
    ({"strokes": [{"foreground": True, "radius": 3, "points": [[30]]}]}, "points"),
])
def test_bad_strokes_are_a_400_with_a_reason(clients, track, body, reason):
    response = clients.alice.post(url(track), body, format="json")
    assert response.status_code == 400
    assert reason in response.content.decode()


def test_a_frame_outside_the_video_is_a_400(clients, track):
    response = clients.alice.post(url(track, frame=99), STROKES, format="json")
    assert response.status_code == 400
    assert "outside the video" in response.json()["detail"]
