import numpy as np
import pytest

from annotator import masks
from tests import clips


@pytest.mark.django_db
def test_creating_a_track_stores_the_manual_box(clients, cast, ready_video):
    label = cast.project.labels.first()
    response = clients.alice.post(f"/api/videos/{ready_video.pk}/tracks/",
                                  {"label": label.pk, "frame": 2, "box": [10, 20, 30, 40]}, format="json")
    assert response.status_code == 201, response.json()
    track = response.json()
    assert (track["object_id"], track["version"], track["review_status"]) == (1, 1, "draft")
    annotations = clients.bob.get(f"/api/tracks/{track['id']}/annotations/").json()
    assert [(a["frame"], a["source"], a["bbox"]) for a in annotations] == [(2, "manual_box", [10.0, 20.0, 30.0, 40.0])]
    assert annotations[0]["rotated_box"] == [[10.0, 20.0], [40.0, 20.0], [40.0, 60.0], [10.0, 60.0]]


@pytest.mark.django_db
def test_object_ids_count_up_per_video(clients, cast, ready_video):
    label = cast.project.labels.first()
    ids = [clients.alice.post(f"/api/videos/{ready_video.pk}/tracks/", {"label": label.pk, "frame": 0,
                                                                         "box": [1, 1, 5, 5]}, format="json").json()["object_id"]
           for _ in range(3)]
    assert ids == [1, 2, 3]


@pytest.mark.django_db
@pytest.mark.parametrize("box, reason", [([150, 10, 30, 30], "outside"), ([-1, 0, 10, 10], "outside"),
                                         ([0, 0, 0, 10], "at least 1"), ([1, 2, 3], "4 elements")])
def test_boxes_outside_the_frame_are_refused(clients, cast, ready_video, box, reason):
    label = cast.project.labels.first()
    response = clients.alice.post(f"/api/videos/{ready_video.pk}/tracks/", {"label": label.pk, "frame": 0, "box": box},
                                  format="json")
    assert response.status_code == 400
    assert reason in str(response.json())


@pytest.mark.django_db
def test_frame_outside_the_video_is_refused(clients, cast, ready_video):
    label = cast.project.labels.first()
    response = clients.alice.post(f"/api/videos/{ready_video.pk}/tracks/", {"label": label.pk, "frame": 12,
                                                                             "box": [1, 1, 5, 5]}, format="json")
    assert response.status_code == 400
    assert "outside the video" in response.json()["detail"]


@pytest.mark.django_db
def test_label_of_another_project_is_refused(clients, cast, ready_video):
    foreign = cast.other.labels.first()
    response = clients.alice.post(f"/api/videos/{ready_video.pk}/tracks/", {"label": foreign.pk, "frame": 0,
                                                                             "box": [1, 1, 5, 5]}, format="json")
    assert response.status_code == 400


@pytest.mark.django_db
def test_putting_a_mask_stores_rle_and_derived_boxes(clients, track, ready_video):
    mask = np.zeros((120, 160), bool)
    mask[30:60, 40:100] = True
    response = clients.alice.put(f"/api/tracks/{track.pk}/annotations/5/",
                                 {"version": 1, "mask": masks.encode_mask(mask)}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["source"], body["bbox"], body["area"], body["version"]) == ("manual_mask", [40.0, 30.0, 60.0, 30.0], 1800, 2)
    stored = {a["frame"]: a for a in clients.alice.get(f"/api/tracks/{track.pk}/annotations/").json()}
    assert np.array_equal(masks.decode_mask(stored[5]["mask"]), mask)


@pytest.mark.django_db
def test_uncompressed_rle_is_accepted(clients, track):
    mask = np.zeros((120, 160), bool)
    mask[0:10, 0:10] = True
    counts = [0]
    flat = mask.flatten(order="F")
    current = False
    for value in flat:
        if value == current:
            counts[-1] += 1
        else:
            counts.append(1)
            current = value
    response = clients.alice.put(f"/api/tracks/{track.pk}/annotations/1/",
                                 {"version": 1, "mask": {"size": [120, 160], "counts": counts}}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["area"] == 100


@pytest.mark.django_db
def test_stale_version_gets_409_and_keeps_the_first_edit(clients, track):
    first = clients.alice.put(f"/api/tracks/{track.pk}/annotations/1/", {"version": 1, "box": [1, 1, 10, 10]},
                              format="json")
    assert first.status_code == 200
    stale = clients.carol.put(f"/api/tracks/{track.pk}/annotations/1/", {"version": 1, "box": [5, 5, 10, 10]},
                              format="json")
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    stored = {a["frame"]: a for a in clients.alice.get(f"/api/tracks/{track.pk}/annotations/").json()}
    assert stored[1]["bbox"] == [1.0, 1.0, 10.0, 10.0]


@pytest.mark.django_db
@pytest.mark.parametrize("mask, reason", [
    ({"size": [10, 10], "counts": [100]}, "is 10x10"),
    ({"size": [120, 160], "counts": "!!!garbage"}, "RLE"),
    ({"size": [120, 160], "counts": [5]}, "summing"),
    ({"counts": "abc"}, "size"),
])
def test_bad_masks_are_refused(clients, track, mask, reason):
    response = clients.alice.put(f"/api/tracks/{track.pk}/annotations/1/", {"version": 1, "mask": mask}, format="json")
    assert response.status_code == 400
    assert reason in str(response.json())


@pytest.mark.django_db
def test_deleting_a_range_of_frames(clients, track):
    for frame in (3, 4, 5):
        version = clients.alice.get(f"/api/tracks/{track.pk}/").json()["version"]
        clients.alice.put(f"/api/tracks/{track.pk}/annotations/{frame}/", {"version": version, "box": clips.square_box(frame)},
                          format="json")
    version = clients.alice.get(f"/api/tracks/{track.pk}/").json()["version"]
    response = clients.alice.post(f"/api/tracks/{track.pk}/annotations/delete-range/",
                                  {"version": version, "first": 3, "last": 4}, format="json")
    assert response.json()["deleted"] == 2
    frames = [a["frame"] for a in clients.alice.get(f"/api/tracks/{track.pk}/annotations/").json()]
    assert frames == [0, 5]


@pytest.mark.django_db
def test_review_flow_submit_accept(clients, track):
    assert clients.alice.post(f"/api/tracks/{track.pk}/submit/", {"version": 1}, format="json").json()["review_status"] == "in_review"
    assert clients.alice.post(f"/api/tracks/{track.pk}/accept/", {"version": 2}, format="json").status_code == 403
    response = clients.bob.post(f"/api/tracks/{track.pk}/accept/", {"version": 2}, format="json")
    assert response.json()["review_status"] == "accepted"


@pytest.mark.django_db
def test_rejection_leaves_a_comment_for_the_annotator(clients, track):
    clients.alice.post(f"/api/tracks/{track.pk}/submit/", {"version": 1}, format="json")
    response = clients.bob.post(f"/api/tracks/{track.pk}/reject/", {"version": 2, "comment": "mask leaks", "frame": 4},
                                format="json")
    assert response.json()["review_status"] == "rejected"
    comments = clients.alice.get(f"/api/tracks/{track.pk}/comments/").json()["results"]
    assert [(c["frame"], c["text"], c["author"]) for c in comments] == [(4, "mask leaks", "bob")]
