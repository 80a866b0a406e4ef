from django.conf import settings
from django.db import models

from annotator.choices import ReviewStatus, Source, TrackChange


# DAVIS palette PNGs: 0 is background, 255 is "void", so a video holds object ids 1..254.
MAX_OBJECT_ID = 254


class Track(models.Model):
    """One object in one video; `version` increases on every edit (optimistic locking)."""

    video = models.ForeignKey("annotator.Video", on_delete=models.CASCADE, related_name="tracks")
    label = models.ForeignKey("annotator.Label", on_delete=models.PROTECT, related_name="tracks")
    object_id = models.PositiveIntegerField(help_text="DAVIS object id: the pixel value in exported PNGs.")
    review_status = models.CharField(max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["video", "object_id"], name="track_unique_object_id_per_video"),
            models.CheckConstraint(condition=models.Q(object_id__gte=1, object_id__lte=254), name="track_object_id_range"),
            models.CheckConstraint(
                condition=models.Q(review_status__in=ReviewStatus.values), name="track_valid_review_status"
            ),
        ]

    def __str__(self):
        return f"{self.label} #{self.object_id} in {self.video}"


class FrameAnnotation(models.Model):
    """A track's mask and boxes on one frame. Mask is COCO RLE {size: [h, w], counts: str}.

    An `outside` row says the object is not visible on that frame: it has neither mask nor box.
    """

    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="annotations")
    frame_index = models.PositiveIntegerField()
    source = models.CharField(max_length=16, choices=Source.choices)
    mask_rle = models.JSONField(null=True, blank=True)
    bbox = models.JSONField(null=True, blank=True, help_text="[x, y, w, h] in pixels; null on outside frames")
    rotated_box = models.JSONField(null=True, blank=True, help_text="4x2 corners in pixels")
    score = models.FloatField(null=True, blank=True)
    quality = models.FloatField(
        null=True, blank=True, help_text="The model's confidence that the mask is right (TrackResult.quality); null for models without one."
    )
    area = models.PositiveIntegerField(default=0, help_text="Mask pixels, for review sorting and lost-target checks.")
    job = models.ForeignKey(
        "annotator.PropagationJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="annotations"
    )
    run = models.CharField(
        max_length=8, blank=True, default="",
        help_text="Propagated frames: the run of its job that wrote it, forward or backward (two-anchor fusion "
                  "keeps the better of both, docs/propagation.md); empty on manual frames.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["track_id", "frame_index"]
        constraints = [
            models.UniqueConstraint(fields=["track", "frame_index"], name="annotation_unique_track_frame"),
            models.CheckConstraint(condition=models.Q(source__in=Source.values), name="annotation_valid_source"),
            models.CheckConstraint(
                condition=(
                    models.Q(source=Source.OUTSIDE, bbox__isnull=True, mask_rle__isnull=True)
                    | (~models.Q(source=Source.OUTSIDE) & models.Q(bbox__isnull=False))
                ),
                name="annotation_outside_has_no_geometry",
            ),
            # Both are probabilities. In PostgreSQL NaN is above every number, so these also refuse
            # NaN and infinities: a broken model output never reaches the JSON the API renders.
            *(models.CheckConstraint(
                condition=models.Q(**{f"{field}__isnull": True}) | models.Q(**{f"{field}__gte": 0, f"{field}__lte": 1}),
                name=f"annotation_{field}_in_unit_range",
            ) for field in ("score", "quality")),
        ]

    def __str__(self):
        return f"{self.track} @ {self.frame_index} ({self.source})"

    @property
    def is_manual(self) -> bool:
        return self.source != Source.PROPAGATED


def confidence(quality: float | None, score: float | None) -> float | None:
    """Return a frame's confidence: the mask's quality where the model gives one, else the score."""
    return quality if quality is not None else score


class ReviewComment(models.Model):
    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="comments")
    frame_index = models.PositiveIntegerField(null=True, blank=True)
    text = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    resolved = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"Comment on {self.track} @ {self.frame_index}"


class TrackEvent(models.Model):
    """One entry of a track's history: a review decision, or a change that reopened a reviewed track.

    Written by annotator/services/history.py only. Edits to a draft are not logged here (the
    annotations themselves say what they are); what is logged is every change of review status,
    and every merge and split (which change which frames a track holds).
    """

    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="events")
    change = models.CharField(max_length=16, choices=TrackChange.choices)
    from_status = models.CharField(max_length=16, blank=True, help_text="Empty for a track created by an import.")
    to_status = models.CharField(max_length=16, choices=ReviewStatus.choices)
    detail = models.CharField(max_length=200, blank=True, help_text="Which frames, or which job.")
    job = models.ForeignKey(
        "annotator.PropagationJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(change__in=TrackChange.values), name="trackevent_valid_change"),
        ]

    def __str__(self):
        return f"{self.track}: {self.change} ({self.from_status or '-'} -> {self.to_status})"
