from django.db import migrations, models


class Migration(migrations.Migration):
    """Count how often each worker job was started, so a job whose worker keeps dying is given up."""

    dependencies = [
        ("annotator", "0006_checkpoint_mobile_variant"),
    ]

    operations = [
        migrations.AddField(
            model_name="exportjob",
            name="attempts",
            field=models.PositiveIntegerField(default=0, help_text="Times a worker started it."),
        ),
        migrations.AddField(
            model_name="importjob",
            name="attempts",
            field=models.PositiveIntegerField(default=0, help_text="Times a worker started it."),
        ),
        migrations.AddField(
            model_name="video",
            name="extraction_attempts",
            field=models.PositiveIntegerField(default=0, help_text="Times its frame extraction was started."),
        ),
    ]
