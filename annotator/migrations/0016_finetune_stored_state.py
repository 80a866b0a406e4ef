from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("annotator", "0015_video_original_size"),
    ]

    operations = [
        migrations.AlterField(
            model_name="finetunerun",
            name="run_dir",
            field=models.CharField(blank=True, help_text="The run's data and local training state on the last worker's host.",
                                   max_length=500),
        ),
        migrations.AddField(
            model_name="finetunerun",
            name="state_step",
            field=models.PositiveIntegerField(
                blank=True, null=True,
                help_text="Steps done in the resumable training state stored in the media store (null: none yet)."),
        ),
        migrations.AddField(
            model_name="finetunerun",
            name="state_sha256",
            field=models.CharField(blank=True, help_text="The stored state's file sha256.", max_length=64),
        ),
    ]
