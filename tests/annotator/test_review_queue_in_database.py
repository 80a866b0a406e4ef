"""The review queue computed in the database gives exactly the rows of the old Python loop (the oracle)."""

import random

import pytest

from annotator.choices import ReviewStatus, Source, VideoStatus
from annotator.models import FrameAnnotation, ReviewComment, Track, Video
from annotator.review_queue import tracks_for_review
from tests.annotator.review_queue_oracle import tracks_for_review_in_python

SOURCES = [Source.PROPAGATED] * 4 + [Source.MANUAL_MASK, Source.MANUAL_BOX, Source.OUTSIDE]
STATUSES = [ReviewStatus.IN_REVIEW] * 3 + [ReviewStatus.REJECTED, ReviewStatus.DRAFT]
# few distinct values, so that worst confidences and area jumps tie often
FEW_SCORES = [None, 0.2, 0.5, 0.5, 0.7, 0.9, 1 / 3, 0.0, 1.0]
FEW_AREAS = [0, 0, 100, 200, 300, 900, 2**31 - 1]


def frame(track, index, source, *, score=None, quality=None, area=0) -> FrameAnnotation:
    outside = source == Source.OUTSIDE
    return FrameAnnotation(track=track, frame_index=index, source=source, score=score, quality=quality, area=area,
                           bbox=None if outside else [1, 1, 5, 5])


def random_frames(rng: random.Random, track: Track) -> list[FrameAnnotation]:
    frames = []
    for index in sorted(rng.sample(range(200), rng.choice([0, 1, 2, 5, 20, 40]))):
        many = rng.random() < 0.5
        score = rng.random() if many else rng.choice(FEW_SCORES)
        quality = rng.choice([None, None, rng.random(), rng.choice(FEW_SCORES)])
        area = rng.randrange(5000) if many else rng.choice(FEW_AREAS)  # box and outside frames get one too:
        frames.append(frame(track, index, rng.choice(SOURCES), score=score, quality=quality, area=area))  # unread
    rng.shuffle(frames)  # rows stored out of frame order
    return frames


def crafted_frames(track: Track, case: str) -> list[FrameAnnotation]:
    """Frames for the ties and corners the random ones may miss."""
    p, box, out = Source.PROPAGATED, Source.MANUAL_BOX, Source.OUTSIDE
    return {
        # equal worst confidence on frames 3 (a quality) and 7 (a score): frame 3 wins
        "worst tie": [frame(track, 1, p, score=0.9, area=10), frame(track, 3, p, score=0.9, quality=0.2, area=10),
                      frame(track, 7, p, score=0.2, area=10)],
        # equal jumps 0.5 on frames 2, 3 and 6 (the box between is skipped): frame 2 wins
        "jump tie": [frame(track, 1, p, area=100), frame(track, 2, p, area=200), frame(track, 3, p, area=100),
                     frame(track, 4, box, area=0), frame(track, 6, p, area=200)],
        "zero areas": [frame(track, i, p, score=0.5, area=0) for i in range(4)],
        # a box and an outside frame between two equal masks: no jump, and they do not reset the area
        "maskless between": [frame(track, 0, p, area=100), frame(track, 1, box, score=0.1, area=555),
                             frame(track, 2, out), frame(track, 3, p, area=100)],
        "maskless only": [frame(track, 0, box, area=50), frame(track, 1, out), frame(track, 4, box, area=0)],
        "no frames": [],
        # a 0.0 quality beats 0.3 and ties with the 0.0 score on frame 5: frame 2 wins
        "zero worst": [frame(track, 1, p, score=0.3, area=10), frame(track, 2, p, score=0.9, quality=0.0, area=10),
                       frame(track, 5, p, score=0.0, area=10)],
    }[case]


@pytest.mark.django_db
def test_queue_in_the_database_equals_the_python_loop_on_random_tracks(cast):
    rng = random.Random(20261201)
    video = Video.objects.create(project=cast.project, name="random", source_file="none", status=VideoStatus.READY,
                                 width=64, height=48, fps=25, frame_count=200)
    labels = list(cast.project.labels.all())
    cases = ["worst tie", "jump tie", "zero areas", "maskless between", "maskless only", "no frames", "zero worst"]
    frames = []
    for object_id in range(1, 61):
        status = ReviewStatus.IN_REVIEW if object_id <= len(cases) else rng.choice(STATUSES)
        track = Track.objects.create(video=video, label=rng.choice(labels), object_id=object_id, review_status=status)
        frames += crafted_frames(track, cases[object_id - 1]) if object_id <= len(cases) else random_frames(rng, track)
        for _ in range(rng.choice([0, 0, 1, 3])):
            ReviewComment.objects.create(track=track, text="look", resolved=rng.random() < 0.5)
    FrameAnnotation.objects.bulk_create(frames)

    for user in (cast.bob, cast.carol, cast.mallory):
        for status in (ReviewStatus.IN_REVIEW, ReviewStatus.REJECTED):
            for project_id in (None, cast.project.pk):
                expected = tracks_for_review_in_python(user, project_id=project_id, status=status)
                assert tracks_for_review(user, project_id=project_id, status=status) == expected
    rows = {r.track.object_id: r for r in tracks_for_review(cast.bob)}
    assert (rows[1].worst_frame, rows[1].worst_measure) == (3, "quality")
    assert (rows[2].area_jump, rows[2].area_jump_frame) == (0.5, 2)
    assert [(rows[n].area_jump, rows[n].area_jump_frame) for n in (3, 4, 5, 6)] == [(0.0, None)] * 4
    assert (rows[6].frames, rows[6].worst_confidence, rows[6].risk) == (0, None, 0.0)
    zero = rows[7]
    assert (zero.worst_frame, zero.worst_confidence, zero.worst_measure, zero.risk) == (2, 0.0, "quality", 1.0)
    # the random tracks reach every branch: worst frames of both measures, jumps, comments
    assert {r.worst_measure for r in rows.values()} == {"quality", "score", None}
    assert sum(r.area_jump_frame is not None for r in rows.values()) > 10
    assert any(r.unresolved_comments for r in rows.values())
