from django.db import models


class ModelCheckpoint(models.Model):
    """SiamMask weights known to the system; workers load the default one."""

    class Variant(models.TextChoices):
        SHARP = "sharp", "ResNet-50 with refine (official)"
        LIGHT = "light", "Light backbone (CPU starter)"
        MOBILE = "mobile", "MobileNetV2 with quality head (built-in default)"

    name = models.CharField(max_length=100, unique=True)
    file = models.CharField(max_length=500, help_text="Absolute path, or relative to SIAMLABEL_WEIGHTS_DIR.")
    sha256 = models.CharField(max_length=64)
    variant = models.CharField(max_length=16, choices=Variant.choices, default=Variant.SHARP)
    config = models.CharField(max_length=8, default="davis", help_text="Tracker config: davis or vot.")
    is_default = models.BooleanField(default=False)
    metrics = models.JSONField(default=dict, blank=True, help_text="Measured J/F, fps, training recipe.")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children",
        help_text="The checkpoint this one was fine-tuned from (services/finetune.py).",
    )
    project = models.ForeignKey(
        "annotator.Project", null=True, blank=True, on_delete=models.SET_NULL, related_name="checkpoints",
        help_text="The project whose accepted tracks it was fine-tuned on; empty for server-wide weights.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=models.Q(is_default=True), name="one_default_checkpoint")
        ]

    def __str__(self):
        return f"{self.name}{' (default)' if self.is_default else ''}"

    @property
    def jf(self) -> float | None:
        """The J&F recorded in `metrics` ("J&F", else the mean of "J" and "F"), or None."""
        m = self.metrics or {}
        if isinstance(m.get("J&F"), (int, float)):
            return float(m["J&F"])
        if isinstance(m.get("J"), (int, float)) and isinstance(m.get("F"), (int, float)):
            return (m["J"] + m["F"]) / 2
        return None


class WorkerHeartbeat(models.Model):
    """Each worker process reports here; /api/health lists the recently seen ones."""

    hostname = models.CharField(max_length=255, unique=True)
    queues = models.CharField(max_length=100)
    device = models.CharField(max_length=50, blank=True)
    checkpoint_sha256 = models.CharField(max_length=64, blank=True)
    started_at = models.DateTimeField()
    last_seen = models.DateTimeField()

    class Meta:
        ordering = ["hostname"]

    def __str__(self):
        return self.hostname
