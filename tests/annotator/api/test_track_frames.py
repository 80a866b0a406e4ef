"""A track's frames read in ranges (`?from=&to=`, bounded, with a next link) and as a light summary."""

from datetime import timedelta

import pytest
from django.utils import timezone

from annotator.api import frame_ranges
from annotator.choices import Source
from annotator.models import FrameAnnotation

pytestmark = pytest.mark.django_db


def add_frames(track, frames, **fields):
    FrameAnnotation.objects.bulk_create([
        FrameAnnotation(track=track, frame_index=f, source=Source.PROPAGATED, bbox=[1, 1, 4, 4], score=0.9,
                        area=16, mask_rle={"size": [8, 8], "counts": "0"}, **fields) for f in frames])


def test_a_range_answers_only_its_frames_in_order(clients, track):
    add_frames(track, range(1, 40))
    rows = clients.alice.get(f"/api/tracks/{track.pk}/annotations/?from=10&to=14").json()
    assert [a["frame"] for a in rows] == [10, 11, 12, 13, 14]
    assert rows[0]["mask"] == {"size": [8, 8], "counts": "0"}


def test_a_range_past_the_cap_links_to_the_rest(clients, track, monkeypatch):
    monkeypatch.setattr(frame_ranges, "MAX_ANNOTATIONS", 10)
    add_frames(track, range(1, 40))
    response = clients.alice.get(f"/api/tracks/{track.pk}/annotations/?from=5&to=30")
    assert [a["frame"] for a in response.json()] == list(range(5, 15))
    url = response["Link"].split(";")[0].strip("<>")
    assert 'rel="next"' in response["Link"] and "from=15" in url and "to=30" in url
    seen = [a["frame"] for a in response.json()]
    while "Link" in response:
        response = clients.alice.get(response["Link"].split(";")[0].strip("<>"))
        seen += [a["frame"] for a in response.json()]
    assert seen == list(range(5, 31))


def test_a_range_within_the_cap_has_no_link(clients, track):
    response = clients.alice.get(f"/api/tracks/{track.pk}/annotations/")
    assert [a["frame"] for a in response.json()] == [0] and "Link" not in response


@pytest.mark.parametrize("query", ["from=-1", "to=abc", "from=99999999999"])
def test_a_bad_range_is_a_400(clients, track, query):
    response = clients.alice.get(f"/api/tracks/{track.pk}/annotations/?{query}")
    assert response.status_code == 400, response.json()


def test_the_summary_lists_every_frame_without_geometry(clients, track):
    add_frames(track, [3, 5], quality=0.4)
    body = clients.bob.get(f"/api/tracks/{track.pk}/summary/").json()
    assert body["frame"] == [0, 3, 5]
    assert body["source"] == ["manual_box", "propagated", "propagated"]
    assert body["quality"] == [None, pytest.approx(0.4), pytest.approx(0.4)]
    assert body["score"][1:] == [pytest.approx(0.9)] * 2 and body["area"][1:] == [16, 16]
    assert "mask" not in body and "bbox" not in body


def test_a_summary_can_cover_a_range_only(clients, track):
    add_frames(track, range(1, 30))
    assert clients.alice.get(f"/api/tracks/{track.pk}/summary/?from=7&to=9").json()["frame"] == [7, 8, 9]


def test_an_empty_track_has_an_empty_summary(clients, track):
    FrameAnnotation.objects.filter(track=track).delete()
    body = clients.alice.get(f"/api/tracks/{track.pk}/summary/").json()
    assert {k: v for k, v in body.items() if k != "cursor"} == {
        "frame": [], "source": [], "score": [], "quality": [], "area": []}


def test_outsider_cannot_read_a_summary(clients, track):
    assert clients.mallory.get(f"/api/tracks/{track.pk}/summary/").status_code == 404


def age(track, hours=1):
    """Make the track's frames look written an hour ago."""
    FrameAnnotation.objects.filter(track=track).update(updated_at=timezone.now() - timedelta(hours=hours))


def test_changed_since_the_summary_answers_only_frames_written_after_it(clients, track):
    add_frames(track, range(1, 30))
    age(track)
    cursor = clients.alice.get(f"/api/tracks/{track.pk}/summary/").json()["cursor"]
    saved = clients.alice.put(f"/api/tracks/{track.pk}/annotations/5/", {"version": 1, "box": [2, 2, 9, 9]},
                              format="json")
    assert saved.status_code == 200, saved.json()
    delta = clients.alice.get(f"/api/tracks/{track.pk}/annotations/", {"changed_since": cursor}).json()
    assert [(a["frame"], a["source"]) for a in delta] == [(5, "manual_box")]
    ranged = clients.alice.get(f"/api/tracks/{track.pk}/annotations/", {"changed_since": cursor, "from": 6}).json()
    assert ranged == []


def test_frames_merged_in_are_changes_of_the_track_they_join(clients, cast, track):
    from annotator.services.tracks import create_track

    other = create_track(video=track.video, label=track.label, frame_index=8, bbox=[5, 5, 20, 20], by=cast.alice)
    age(track)
    age(other)
    cursor = clients.alice.get(f"/api/tracks/{track.pk}/summary/").json()["cursor"]
    merged = clients.alice.post(f"/api/tracks/{track.pk}/merge/", {"version": 1, "other": other.pk,
                                                                   "other_version": 1}, format="json")
    assert merged.status_code == 200, merged.json()
    delta = clients.alice.get(f"/api/tracks/{track.pk}/annotations/", {"changed_since": cursor}).json()
    assert [a["frame"] for a in delta] == [8]


def test_a_bad_cursor_is_a_400(clients, track):
    response = clients.alice.get(f"/api/tracks/{track.pk}/annotations/", {"changed_since": "yesterday"})
    assert response.status_code == 400 and response.json()["detail"].startswith("changed_since:")
