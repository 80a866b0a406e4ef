"""Outside frames: marking a range "object not visible", clearing it, and how planning treats it."""

import pytest

from annotator.choices import ReviewStatus, Source, TrackChange
from annotator.models import FrameAnnotation, Track, TrackEvent
from annotator.segments import stale_segments, track_segments

pytestmark = pytest.mark.django_db


def frames_of(track) -> dict[int, str]:
    return dict(FrameAnnotation.objects.filter(track=track).values_list("frame_index", "source"))


def mark(client, track, first, last, version=None, method="post"):
    version = Track.objects.get(pk=track.pk).version if version is None else version
    call = client.post if method == "post" else client.delete
    return call(f"/api/tracks/{track.pk}/outside/", {"version": version, "first": first, "last": last}, format="json")


def test_marking_a_range_outside_replaces_what_the_track_had_there(clients, track):
    clients.alice.put(f"/api/tracks/{track.pk}/annotations/5/", {"version": 1, "box": [5, 5, 20, 20]}, format="json")
    response = mark(clients.alice, track, 4, 6)
    assert response.status_code == 200, response.json()
    assert response.json() == {"frames": 3, "version": 3, "review_status": ReviewStatus.DRAFT}
    assert frames_of(track) == {0: Source.MANUAL_BOX, 4: Source.OUTSIDE, 5: Source.OUTSIDE, 6: Source.OUTSIDE}
    assert not FrameAnnotation.objects.filter(source=Source.OUTSIDE).exclude(bbox=None, mask_rle=None).exists()
    listed = clients.bob.get(f"/api/tracks/{track.pk}/annotations/?from=0&to=11").json()
    assert [(a["frame"], a["source"], a["bbox"], a["mask"]) for a in listed][1] == (4, "outside", None, None)


def test_clearing_removes_only_outside_marks(clients, track):
    mark(clients.alice, track, 1, 3)
    clients.alice.put(f"/api/tracks/{track.pk}/annotations/2/", {"version": 2, "box": [5, 5, 20, 20]}, format="json")
    response = mark(clients.alice, track, 0, 11, method="delete")
    assert response.status_code == 200 and response.json()["frames"] == 2
    assert frames_of(track) == {0: Source.MANUAL_BOX, 2: Source.MANUAL_BOX}


def test_a_stale_version_is_a_conflict_and_changes_nothing(clients, track):
    response = mark(clients.alice, track, 2, 3, version=track.version + 1)
    assert response.status_code == 409 and response.json()["current_version"] == track.version
    assert frames_of(track) == {0: Source.MANUAL_BOX}


@pytest.mark.parametrize("body", [{"first": 5, "last": 2}, {"first": 0, "last": 12}, {"first": -1, "last": 2},
                                  {"first": 1}])
def test_a_bad_range_is_a_400_with_a_reason(clients, track, body):
    response = clients.alice.post(f"/api/tracks/{track.pk}/outside/", {"version": 1, **body}, format="json")
    assert response.status_code == 400 and response.json()
    assert frames_of(track) == {0: Source.MANUAL_BOX}


def test_reviewers_and_outsiders_cannot_mark_frames_outside(clients, track):
    assert mark(clients.bob, track, 1, 2).status_code == 403
    assert mark(clients.mallory, track, 1, 2).status_code == 404
    assert frames_of(track) == {0: Source.MANUAL_BOX}


def test_marking_an_accepted_track_outside_reopens_it_with_a_history_entry(clients, track):
    version = clients.alice.post(f"/api/tracks/{track.pk}/submit/", {"version": 1}, format="json").json()["version"]
    version = clients.bob.post(f"/api/tracks/{track.pk}/accept/", {"version": version}, format="json").json()["version"]
    response = mark(clients.alice, track, 7, 9, version=version)
    assert response.json()["review_status"] == ReviewStatus.DRAFT
    event = TrackEvent.objects.filter(track=track).last()
    assert (event.change, event.from_status, event.detail, event.by) == (
        TrackChange.MARKED_OUTSIDE, ReviewStatus.ACCEPTED, "frames 7 to 9", track.created_by)


def test_propagation_cannot_start_from_an_outside_frame(clients, track):
    mark(clients.alice, track, 3, 3)
    response = clients.alice.post(f"/api/tracks/{track.pk}/propagate/", {"frame": 3}, format="json")
    assert response.status_code == 400 and "outside frame" in response.json()["detail"]


def test_outside_frames_bound_segments_like_the_clip_edges():
    spans = lambda segments: [(s.anchor, s.step, s.first, s.last) for s in segments]  # noqa: E731
    # anchor 10, outside 20-21, anchor 30: 10 fills 11-19; 30 fills 22-29 backward; after 30 to the end
    outside = frozenset({20, 21})
    assert spans(track_segments(1, 1, [10, 30], 40, backward=True, outside=outside)) == [
        (10, -1, 0, 9), (10, 1, 11, 19), (30, -1, 22, 29), (30, 1, 31, 39)]
    assert spans(track_segments(1, 1, [10, 30], 40, backward=False, outside=outside)) == [
        (10, 1, 11, 19), (30, 1, 31, 39)]
    # nothing starts after an outside frame with no anchor later
    assert spans(track_segments(1, 1, [10], 40, backward=True, outside=frozenset({25}))) == [
        (10, -1, 0, 9), (10, 1, 11, 24)]


def test_batch_planning_stops_at_outside_frames(clients, track, ready_video):
    mark(clients.alice, track, 6, 11)
    assert [(s.anchor, s.step, s.first, s.last) for s in stale_segments(ready_video.tracks.all(), backward=True)] == [
        (0, 1, 1, 5)]
