from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models

from annotator.choices import Role

hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Colour must look like #rrggbb.")


class Project(models.Model):
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    default_checkpoint = models.ForeignKey(
        "annotator.ModelCheckpoint", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="The weights this project's propagations start with; empty: the server's default.",
    )
    auto_repropagate = models.BooleanField(
        default=True, help_text="Re-propagate from a corrected propagated frame to the next manual frames.",
    )
    finetune_every_accepted = models.PositiveIntegerField(
        default=0, help_text="Start a fine-tune after this many newly accepted tracks; 0: never by itself.",
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.name


class Label(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="labels")
    name = models.CharField(max_length=100)
    colour = models.CharField(max_length=7, default="#e6194b", validators=[hex_colour])

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="label_unique_name_per_project")]

    def __str__(self):
        return self.name


class Membership(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="membership_unique_user_per_project"),
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="membership_valid_role"),
        ]

    def __str__(self):
        return f"{self.user} is {self.role} in {self.project}"
