"""The `quality` column: added by migration 0005 as nullable, so existing rows read as "no quality head"."""

import pytest

from annotator.models.tracks import confidence
from tests.annotator.migrating import migrate, migrate_to_latest

BEFORE = [("annotator", "0004_outbox")]
AFTER = [("annotator", "0005_frameannotation_quality")]


@pytest.mark.django_db(transaction=True)
def test_migration_keeps_existing_annotations_with_a_null_quality(cast, ready_video, track):
    old_apps = migrate(BEFORE)
    try:
        old = old_apps.get_model("annotator", "FrameAnnotation")
        old.objects.create(track_id=track.pk, frame_index=4, source="propagated", score=0.8, area=10, bbox=[1, 1, 2, 2])
        new_apps = migrate(AFTER)
        rows = new_apps.get_model("annotator", "FrameAnnotation").objects.filter(track_id=track.pk)
        assert dict(rows.values_list("frame_index", "quality")) == {0: None, 4: None}
    finally:
        migrate_to_latest()


@pytest.mark.parametrize(("quality", "score", "expected"), [(0.4, 0.9, 0.4), (None, 0.9, 0.9), (0.0, 0.9, 0.0),
                                                             (None, None, None)])
def test_confidence_is_the_quality_when_there_is_one_else_the_score(quality, score, expected):
    assert confidence(quality, score) == expected
