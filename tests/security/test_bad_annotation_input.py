"""Bad frames, boxes and masks on every endpoint that takes them: a clear 4xx, nothing stored.

Frame indices (docs/permissions.md, "Bad input"): a frame outside the video is a 400 naming the
valid range, in the body or in the URL alike. A URL frame that is not a non-negative integer
matches no route (404), and the frame image view answers 404 for any frame the video lacks.
tests/annotator/api/test_tracks.py covers the first cases (frame 12, a box outside the frame,
three malformed masks); this extends them to every endpoint and to hostile sizes.
"""

import time

import numpy as np
import pytest
from pycocotools import mask as coco_mask

from annotator import masks
from annotator.models import FrameAnnotation, PropagationJob, ReviewComment, Track
from annotator.services import review as review_services

pytestmark = pytest.mark.django_db

FRAMES = 12  # the ready_video fixture's clip: frames 0..11
OUTSIDE = "outside the video"
BAD_FRAMES = [(-1, None), (FRAMES, OUTSIDE), (10**12, OUTSIDE), ("abc", "integer"), (1.5, "integer"),
              (None, None), ([0], "integer")]


def state(track) -> tuple:
    """Everything a refused request must leave as it was."""
    track.refresh_from_db()
    return (Track.objects.count(), track.version, track.review_status,
            list(FrameAnnotation.objects.order_by("pk").values_list("pk", "frame_index", "bbox", "mask_rle")),
            ReviewComment.objects.count(), PropagationJob.objects.count())


def assert_refused(response, before, track, *, reason=None, status=400):
    assert response.status_code == status, (response.status_code, response.content)
    if reason:
        assert reason in str(response.json()), response.json()
    assert state(track) == before


def body_frame_requests(track, frame):
    """(method, url, body) of each endpoint that reads a frame index from its body."""
    label = track.label_id
    return {
        "track create": ("post", f"/api/videos/{track.video_id}/tracks/", {"label": label, "frame": frame,
                                                                            "box": [1, 1, 9, 9]}),
        "range first": ("post", f"/api/tracks/{track.pk}/annotations/delete-range/",
                        {"version": 1, "first": frame, "last": 0}),
        "range last": ("post", f"/api/tracks/{track.pk}/annotations/delete-range/",
                       {"version": 1, "first": 0, "last": frame}),
        "track propagate": ("post", f"/api/tracks/{track.pk}/propagate/", {"frame": frame}),
        "video propagate": ("post", f"/api/videos/{track.video_id}/propagate/", {"tracks": [track.pk], "frame": frame}),
        "comment": ("post", f"/api/tracks/{track.pk}/comments/", {"text": "look", "frame": frame}),
    }


BODY_ENDPOINTS = ["track create", "range first", "range last", "track propagate", "video propagate", "comment"]


@pytest.mark.parametrize("endpoint, frame, reason", [
    (endpoint, frame, reason) for endpoint in BODY_ENDPOINTS for frame, reason in BAD_FRAMES
    if not (endpoint == "comment" and frame is None)  # a comment without a frame is on the whole track
])
def test_a_bad_frame_in_the_body_is_refused(clients, track, endpoint, frame, reason):
    before = state(track)
    method, url, body = body_frame_requests(track, frame)[endpoint]
    response = getattr(clients.alice, method)(url, body, format="json")
    assert_refused(response, before, track, reason=reason)


@pytest.mark.parametrize("frame", [FRAMES, 10**12, -1, 10**30])
def test_a_rejection_pointing_outside_the_video_changes_nothing(clients, track, frame):
    track = review_services.submit_for_review(track=track, version=1)
    before = state(track)
    response = clients.bob.post(f"/api/tracks/{track.pk}/reject/", {"version": track.version, "comment": "x",
                                                                    "frame": frame}, format="json")
    assert_refused(response, before, track)
    assert track.review_status == "in_review"


@pytest.mark.parametrize("method", ["put", "delete"])
@pytest.mark.parametrize("frame, status", [(FRAMES, 400), (10**12, 400), ("99999999999999999999999", 400),
                                           ("-1", 404), ("abc", 404), ("1.5", 404), ("0x1", 404)])
def test_a_bad_frame_in_the_url_is_refused(clients, track, method, frame, status):
    before = state(track)
    url = f"/api/tracks/{track.pk}/annotations/{frame}/"
    if method == "put":
        response = clients.alice.put(url, {"version": 1, "box": [1, 1, 9, 9]}, format="json")
    else:
        response = clients.alice.delete(url + "?version=1")
    assert_refused(response, before, track, status=status, reason=OUTSIDE if status == 400 else None)


@pytest.mark.parametrize("query, field", [("from=abc", "from"), ("to=-1", "to"), ("from=1e3", "from"),
                                          ("to=99999999999999999999", "to")])
def test_a_bad_annotation_window_is_a_400(clients, track, query, field):
    response = clients.alice.get(f"/api/tracks/{track.pk}/annotations/?{query}")
    assert response.status_code == 400
    assert field in response.json()["errors"]


BAD_BOXES = [
    ([0, 0, 0, 10], "at least 1 pixel"), ([0, 0, 10, 0], "at least 1 pixel"),
    ([10, 10, -5, 10], "at least 1 pixel"), ([10, 10, 10, -5], "at least 1 pixel"),
    ([10, 10, 0.5, 0.5], "at least 1 pixel"), (["nan", 0, 10, 10], None), (["inf", 0, 10, 10], None),
    ([1e308, 0, 1e308, 10], "outside"), ([1, 2, 3], "4 elements"), ([1, 2, 3, 4, 5], "4 elements"),
    (["a", 0, 10, 10], "number"), ("0,0,10,10", None), ({"x": 0}, None),
]


@pytest.mark.parametrize("box, reason", BAD_BOXES)
def test_a_bad_box_is_refused_on_track_create_and_on_a_frame(clients, track, box, reason):
    before = state(track)
    create = clients.alice.post(f"/api/videos/{track.video_id}/tracks/",
                                {"label": track.label_id, "frame": 0, "box": box}, format="json")
    assert_refused(create, before, track, reason=reason)
    put = clients.alice.put(f"/api/tracks/{track.pk}/annotations/3/", {"version": 1, "box": box}, format="json")
    assert_refused(put, before, track, reason=reason)


def full_mask() -> np.ndarray:
    mask = np.zeros((120, 160), bool)
    mask[10:20, 10:20] = True
    return mask


BAD_MASKS = [
    ({"size": [160, 120], "counts": [19200]}, "mask is 120x160, the video is 160x120"),  # width and height swapped
    ({"size": [120, 160], "counts": [100, 50]}, "summing to height*width"),
    ({"size": [120, 160], "counts": [19201]}, "summing to height*width"),
    ({"size": [120, 160], "counts": [19300, -100]}, "non-negative"),
    ({"size": [120, 160], "counts": [19199.5, 0.5]}, "non-negative integers"),
    ({"size": [120, 160], "counts": [19200]}, "empty"),
    ({"size": [120, 160], "counts": 12345}, "string"),
    ({"size": [0, 160], "counts": []}, "size"),
    ({"size": [120], "counts": "abc"}, "size"),
    # cut short: pycocotools would fill the rest with whatever memory held (another mask, another project's)
    ({"size": [120, 160], "counts": coco_mask.frPyObjects({"size": [120, 160], "counts": [100, 50]}, 120, 160)[
        "counts"].decode()}, "sum to height*width = 19200, not 150"),
    ({"size": [120, 160], "counts": "P"}, "ends inside a run"),
    ({"size": [120, 160], "counts": "0 "}, "valid compressed RLE"),
    ({"size": [2**20, 2**20], "counts": [2**40]}, "mask is 1048576x1048576"),  # decoding it would take 1 TB
    # runs that do not fill the declared size are refused before anything is decoded
    ({"size": [2**20, 2**20], "counts": masks.encode_mask(full_mask())["counts"]}, "= 1099511627776, not 19200"),
]


@pytest.mark.parametrize("mask, reason", BAD_MASKS)
def test_a_bad_mask_is_refused_before_it_is_decoded(clients, track, mask, reason):
    before = state(track)
    started = time.monotonic()
    response = clients.alice.put(f"/api/tracks/{track.pk}/annotations/3/", {"version": 1, "mask": mask}, format="json")
    assert time.monotonic() - started < 2, "a declared mask size must not be decoded before it is checked"
    assert_refused(response, before, track, reason=reason)


def test_a_good_mask_on_a_frame_outside_the_video_is_refused(clients, track):
    before = state(track)
    response = clients.alice.put(f"/api/tracks/{track.pk}/annotations/{FRAMES}/",
                                 {"version": 1, "mask": masks.encode_mask(full_mask())}, format="json")
    assert_refused(response, before, track, reason=OUTSIDE)
