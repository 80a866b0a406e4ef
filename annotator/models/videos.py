from pathlib import Path

from django.conf import settings
from django.db import models

from annotator.choices import VideoStatus


class Video(models.Model):
    project = models.ForeignKey("annotator.Project", on_delete=models.CASCADE, related_name="videos")
    name = models.CharField(max_length=255)
    source_file = models.CharField(max_length=500, help_text="Path of the uploaded file, relative to MEDIA_ROOT.")
    source_size = models.BigIntegerField(default=0)
    status = models.CharField(max_length=16, choices=VideoStatus.choices, default=VideoStatus.UPLOADED)
    error = models.TextField(blank=True)
    # The stored frames' size: what the tracker, the workspace and every coordinate in the API use.
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    # The decoded frames' size, larger when SIAMLABEL_FRAME_MAX_SIDE shrank them; exports and imports use it.
    original_width = models.PositiveIntegerField(null=True, blank=True)
    original_height = models.PositiveIntegerField(null=True, blank=True)
    fps = models.FloatField(null=True, blank=True)
    frame_count = models.PositiveIntegerField(default=0)
    extraction_progress = models.FloatField(default=0.0)
    extraction_attempts = models.PositiveIntegerField(default=0, help_text="Times its frame extraction was started.")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="video_unique_name_per_project"),
            models.CheckConstraint(condition=models.Q(status__in=VideoStatus.values), name="video_valid_status"),
            models.CheckConstraint(
                condition=~models.Q(status=VideoStatus.READY) | models.Q(frame_count__gt=0),
                name="video_ready_has_frames",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def media_key(self) -> str:
        """The folder of everything stored for this video (annotator/media_store.py keys)."""
        return f"videos/{self.pk}"

    @property
    def frames_key(self) -> str:
        return f"{self.media_key}/frames"

    def frame_key(self, frame_index: int) -> str:
        return f"{self.frames_key}/{frame_index:05d}.jpg"

    @property
    def frames_dir(self) -> Path:
        """Where the frames are on local media (MEDIA_ROOT); code that may run on a bucket uses frames_key."""
        return Path(settings.MEDIA_ROOT) / "videos" / str(self.pk) / "frames"

    def frame_path(self, frame_index: int) -> Path:
        return self.frames_dir / f"{frame_index:05d}.jpg"

    @property
    def original_size(self) -> tuple[int | None, int | None]:
        """Return (width, height) of the frames as decoded; unset columns mean "as stored"."""
        return self.original_width or self.width, self.original_height or self.height

    @property
    def is_ready(self) -> bool:
        return self.status == VideoStatus.READY
