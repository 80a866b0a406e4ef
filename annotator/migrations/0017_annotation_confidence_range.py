import math

from django.db import migrations, models


def repair_confidences(apps, schema_editor):
    """Bring stored scores and qualities into [0, 1] so that the constraints below hold.

    Rows written before the tracker refused non-finite output may hold NaN (PostgreSQL; SQLite stores
    NaN as NULL). NaN becomes 0.0, the lowest confidence, so the review queue still puts such a frame
    first; NaN is above every number in PostgreSQL, hence it is repaired before the clamping.
    """
    rows = apps.get_model("annotator", "FrameAnnotation").objects
    for field in ("score", "quality"):
        rows.filter(**{field: math.nan}).update(**{field: 0.0})
        rows.filter(**{f"{field}__gt": 1}).update(**{field: 1.0})
        rows.filter(**{f"{field}__lt": 0}).update(**{field: 0.0})


class Migration(migrations.Migration):
    # PostgreSQL cannot ALTER a table whose rows this transaction updated (deferred foreign-key checks
    # pending): the repair commits on its own first.
    atomic = False

    dependencies = [
        ("annotator", "0016_finetune_stored_state"),
    ]

    operations = [
        migrations.AlterField(
            model_name="frameannotation",
            name="quality",
            field=models.FloatField(
                blank=True, null=True,
                help_text="The model's confidence that the mask is right (TrackResult.quality); null for models without one."),
        ),
        migrations.RunPython(repair_confidences, migrations.RunPython.noop, atomic=True, elidable=True),
        *(migrations.AddConstraint(
            model_name="frameannotation",
            constraint=models.CheckConstraint(
                condition=models.Q((f"{field}__isnull", True), models.Q((f"{field}__gte", 0), (f"{field}__lte", 1)),
                                   _connector="OR"),
                name=f"annotation_{field}_in_unit_range",
            ),
        ) for field in ("score", "quality")),
    ]
