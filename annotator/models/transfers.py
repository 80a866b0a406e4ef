from django.conf import settings
from django.db import models

from annotator.choices import JobStatus


class TransferFormat(models.TextChoices):
    COCO = "coco", "COCO instances"
    YOUTUBE_VIS = "youtube-vis", "YouTube-VIS"
    DAVIS = "davis", "DAVIS"


class CocoMasks(models.TextChoices):
    RLE = "rle", "compressed RLE (exact)"
    POLYGON = "polygon", "polygons (holes filled)"


class TransferJob(models.Model):
    """What export and import jobs share: their run on a `default` worker and who asked for it."""

    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.FloatField(default=0.0)
    attempts = models.PositiveIntegerField(default=0, help_text="Times a worker started it.")
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]


class ExportJob(TransferJob):
    """An export of a project (or some of its videos) to a zip, run on the `default` queue."""

    project = models.ForeignKey("annotator.Project", on_delete=models.CASCADE, related_name="exports")
    format = models.CharField(max_length=16, choices=TransferFormat.choices)
    videos = models.ManyToManyField("annotator.Video", blank=True, related_name="+")
    review_status = models.JSONField(default=list, blank=True, help_text="Only tracks in these statuses; empty = all.")
    include_frames = models.BooleanField(default=False)
    coco_masks = models.CharField(max_length=8, choices=CocoMasks.choices, default=CocoMasks.RLE,
                                  help_text="How COCO exports write masks: compressed RLE (exact) or polygons "
                                            "(for readers that take only polygons; holes come back filled).")
    file = models.CharField(max_length=500, blank=True, help_text="The zip, relative to MEDIA_ROOT.")

    def __str__(self):
        return f"Export {self.pk} ({self.format}, {self.status})"


class ImportJob(TransferJob):
    """An import of labels (COCO, YouTube-VIS, DAVIS zip) into a project."""

    project = models.ForeignKey("annotator.Project", on_delete=models.CASCADE, related_name="imports")
    format = models.CharField(max_length=16, choices=TransferFormat.choices)
    file = models.CharField(max_length=500, help_text="The uploaded archive, relative to MEDIA_ROOT.")
    summary = models.JSONField(default=dict, blank=True, help_text="Videos, tracks and frames created.")

    def __str__(self):
        return f"Import {self.pk} ({self.format}, {self.status})"
