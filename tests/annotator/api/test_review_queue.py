import pytest

from annotator.choices import Source
from annotator.models import FrameAnnotation
from annotator.services import review as review_services
from annotator.services.tracks import create_track
from tests import clips


def propagate_fake(track, frames: dict[int, tuple]) -> None:
    """Write propagated frames {frame: (score, area[, quality])} the way the worker would."""
    for frame, (score, area, *quality) in frames.items():
        FrameAnnotation.objects.create(track=track, frame_index=frame, source=Source.PROPAGATED, score=score, area=area,
                                       quality=quality[0] if quality else None, bbox=[1, 1, 5, 5], mask_rle=None)


def send_to_review(track):
    track.refresh_from_db()
    return review_services.submit_for_review(track=track, version=track.version)


def second_track(cast, video):
    return create_track(video=video, label=cast.project.labels.last(), frame_index=0, bbox=clips.square_box(0),
                        by=cast.alice)


@pytest.mark.django_db
def test_queue_lists_only_tracks_in_review(clients, cast, ready_video, track):
    draft = second_track(cast, ready_video)
    send_to_review(track)
    rows = clients.bob.get("/api/review/", {"project": cast.project.pk}).json()["results"]
    assert [r["id"] for r in rows] == [track.pk]
    assert draft.pk not in [r["id"] for r in rows]
    assert rows[0]["video_name"] == "clip" and rows[0]["review_status"] == "in_review"


@pytest.mark.django_db
def test_queue_puts_the_track_with_the_lowest_score_first(clients, cast, ready_video, track):
    other = second_track(cast, ready_video)
    propagate_fake(track, {1: (0.95, 900), 2: (0.93, 910), 3: (0.94, 905)})
    propagate_fake(other, {1: (0.97, 900), 2: (0.31, 880), 3: (0.96, 890)})
    send_to_review(track), send_to_review(other)
    rows = clients.bob.get("/api/review/").json()["results"]
    assert [r["id"] for r in rows] == [other.pk, track.pk]
    assert (rows[0]["worst_confidence"], rows[0]["worst_measure"], rows[0]["worst_frame"]) == (
        pytest.approx(0.31), "score", 2)
    assert rows[0]["risk"] == pytest.approx(0.69)


@pytest.mark.django_db
def test_queue_ranks_by_predicted_iou_where_the_model_has_a_quality_head(clients, cast, ready_video, track):
    # `track`'s scores all look fine, but its quality head predicts a poor mask on frame 2
    other = second_track(cast, ready_video)
    propagate_fake(track, {1: (0.99, 900, 0.9), 2: (0.98, 910, 0.35), 3: (0.99, 905, 0.85)})
    propagate_fake(other, {1: (0.62, 900), 2: (0.60, 905)})  # no quality head: its scores count
    send_to_review(track), send_to_review(other)
    rows = clients.bob.get("/api/review/").json()["results"]
    assert [r["id"] for r in rows] == [track.pk, other.pk]
    assert [(r["worst_confidence"], r["worst_measure"], r["worst_frame"]) for r in rows] == [
        (pytest.approx(0.35), "quality", 2), (pytest.approx(0.60), "score", 2)]
    assert [r["risk"] for r in rows] == [pytest.approx(0.65), pytest.approx(0.40)]


@pytest.mark.django_db
def test_frames_without_a_quality_fall_back_to_their_score(clients, cast, ready_video, track):
    # a re-propagation with official weights (no head) left one frame scored only by the tracker
    propagate_fake(track, {1: (0.2, 900, 0.95), 2: (0.5, 900), 3: (0.3, 900, 0.9)})
    send_to_review(track)
    row = clients.bob.get("/api/review/").json()["results"][0]
    assert (row["worst_confidence"], row["worst_measure"], row["worst_frame"]) == (pytest.approx(0.5), "score", 2)


@pytest.mark.django_db
def test_a_track_without_scores_has_no_worst_frame(clients, cast, ready_video, track):
    send_to_review(track)  # only the manual box: no score, no quality
    row = clients.bob.get("/api/review/").json()["results"][0]
    assert (row["worst_confidence"], row["worst_measure"], row["worst_frame"], row["risk"]) == (None, None, None, 0.0)


@pytest.mark.django_db
def test_a_sudden_change_of_mask_area_is_reported_with_its_frame(clients, cast, ready_video, track):
    other = second_track(cast, ready_video)
    propagate_fake(track, {1: (0.95, 900), 2: (0.95, 920), 3: (0.95, 200), 4: (0.95, 210)})
    propagate_fake(other, {1: (0.90, 900), 2: (0.90, 905)})
    send_to_review(track), send_to_review(other)
    rows = clients.bob.get("/api/review/", {"project": cast.project.pk}).json()["results"]
    assert rows[0]["id"] == track.pk
    assert rows[0]["area_jump_frame"] == 3
    assert rows[0]["area_jump"] == pytest.approx((920 - 200) / 920)


@pytest.mark.django_db
def test_a_lost_mask_counts_as_the_largest_jump(clients, cast, ready_video, track):
    propagate_fake(track, {1: (0.9, 900), 2: (0.9, 0)})
    send_to_review(track)
    row = clients.bob.get("/api/review/").json()["results"][0]
    assert (row["area_jump"], row["area_jump_frame"]) == (1.0, 2)


@pytest.mark.django_db
def test_manual_boxes_carry_no_area_and_are_not_jumps(clients, cast, ready_video, track):
    # frame 0 is the manual box (area 0); the first mask after it is not a jump from nothing
    propagate_fake(track, {1: (0.9, 900), 2: (0.9, 905)})
    send_to_review(track)
    row = clients.bob.get("/api/review/").json()["results"][0]
    assert row["area_jump"] == pytest.approx(5 / 905)
    assert row["frames"] == 3


@pytest.mark.django_db
def test_rejected_tracks_are_listed_for_annotators_with_their_open_comments(clients, cast, ready_video, track):
    track = send_to_review(track)
    review_services.reject_track(track=track, version=track.version, comment="mask leaks", frame_index=4, by=cast.bob)
    assert clients.alice.get("/api/review/").json()["results"] == []
    rows = clients.alice.get("/api/review/", {"status": "rejected"}).json()["results"]
    assert [(r["id"], r["unresolved_comments"]) for r in rows] == [(track.pk, 1)]


@pytest.mark.django_db
def test_unknown_status_is_refused(clients):
    assert clients.bob.get("/api/review/", {"status": "accepted"}).status_code == 400


@pytest.mark.django_db
def test_a_project_that_is_not_a_number_is_refused(clients):
    # "²" passes str.isdigit() but not int(): it used to be a 500
    for project in ("²", "abc"):
        assert clients.bob.get("/api/review/", {"project": project}).status_code == 400


@pytest.mark.django_db
def test_outsider_cannot_read_the_review_queue(clients, cast, ready_video, track):
    send_to_review(track)
    assert clients.mallory.get("/api/review/", {"project": cast.project.pk}).status_code == 404
    assert clients.mallory.get("/api/review/").json()["results"] == []


@pytest.mark.django_db
def test_review_queue_needs_a_login(cast):
    from rest_framework.test import APIClient

    assert APIClient().get("/api/review/").status_code in (401, 403)
