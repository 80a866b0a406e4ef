"""Scores and qualities are probabilities: the database refuses NaN, infinities and values outside [0, 1]
(migration 0017), and the migration repairs rows written before it."""

import math

import pytest
from django.db import IntegrityError, transaction

from annotator.models import FrameAnnotation
from tests.annotator.migrating import migrate, migrate_to_latest

BEFORE = [("annotator", "0016_finetune_stored_state")]
AFTER = [("annotator", "0017_annotation_confidence_range")]


def propagated(track, frame_index, **confidences) -> FrameAnnotation:
    return FrameAnnotation(track=track, frame_index=frame_index, source="propagated", bbox=[1, 1, 2, 2], area=4,
                           **confidences)


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["score", "quality"])
@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, 1.0000001, -0.5])
def test_the_database_refuses_a_confidence_outside_0_1(track, field, value):
    with pytest.raises(IntegrityError, match=f"annotation_{field}_in_unit_range"), transaction.atomic():
        propagated(track, 3, **{field: value}).save()
    assert not FrameAnnotation.objects.filter(track=track, frame_index=3).exists()


@pytest.mark.django_db
def test_the_bounds_and_null_are_kept(track):
    FrameAnnotation.objects.bulk_create([propagated(track, 1, score=0.0, quality=1.0),
                                         propagated(track, 2, score=1.0, quality=None)])
    rows = FrameAnnotation.objects.filter(track=track, frame_index__gt=0).order_by("frame_index")
    assert list(rows.values_list("score", "quality")) == [(0.0, 1.0), (1.0, None)]


@pytest.mark.django_db(transaction=True)
def test_the_migration_repairs_nan_and_out_of_range_rows(track):
    old_apps = migrate(BEFORE)
    try:
        old = old_apps.get_model("annotator", "FrameAnnotation")
        rows = {1: (math.nan, 0.7), 2: (0.9, math.nan), 3: (1.5, -0.25), 4: (0.25, None), 5: (math.inf, 0.5)}
        for index, (score, quality) in rows.items():
            old.objects.create(track_id=track.pk, frame_index=index, source="propagated", score=score, quality=quality,
                               area=4, bbox=[1, 1, 2, 2])
        new_apps = migrate(AFTER)
        new = new_apps.get_model("annotator", "FrameAnnotation").objects.filter(track_id=track.pk, frame_index__gt=0)
        # NaN becomes 0.0, the lowest confidence, so the review queue still shows such a frame first
        assert dict((i, (s, q)) for i, s, q in new.values_list("frame_index", "score", "quality")) == {
            1: (0.0, 0.7), 2: (0.9, 0.0), 3: (1.0, 0.0), 4: (0.25, None), 5: (1.0, 0.5)}
    finally:
        migrate_to_latest()
