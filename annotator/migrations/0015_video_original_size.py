from django.db import migrations, models
from django.db.models import F


def same_as_stored(apps, schema_editor):
    # frames extracted before SIAMLABEL_FRAME_MAX_SIDE existed are stored at their own size
    apps.get_model("annotator", "Video").objects.update(original_width=F("width"), original_height=F("height"))


class Migration(migrations.Migration):

    dependencies = [
        ("annotator", "0014_finetune"),
    ]

    operations = [
        migrations.AddField(
            model_name="video",
            name="original_height",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="video",
            name="original_width",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(same_as_stored, migrations.RunPython.noop),
    ]
