"""HTTP shapes of fine-tunes and of a project's model. No logic: views call annotator/services/finetune.py."""

from rest_framework import serializers

from annotator.models import FineTuneRun, ModelCheckpoint

# Where a project's model comes from: its own choice, or the server's default checkpoint.
MODEL_SOURCES = ["project", "server_default"]


class CheckpointRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = ModelCheckpoint
        fields = ["id", "name"]
        read_only_fields = fields


class FineTuneRunSerializer(serializers.ModelSerializer):
    progress = serializers.FloatField(read_only=True, help_text="steps_done / steps_total; 1 once done")
    parent_checkpoint = CheckpointRefSerializer(read_only=True, allow_null=True, help_text="the model it started from")
    checkpoint = CheckpointRefSerializer(read_only=True, allow_null=True,
                                         help_text="the fine-tuned model, once written")
    train_videos = serializers.ListField(child=serializers.IntegerField(), read_only=True)
    heldout_videos = serializers.ListField(child=serializers.IntegerField(), read_only=True)
    evaluation = serializers.JSONField(
        read_only=True, help_text='{"old": {...}, "new": {...}}: J, F, JF, quality_auc, score_auc, n_sequences, '
                                  'n_frames, per_sequence on the held-out videos; {} until evaluated')

    class Meta:
        model = FineTuneRun
        fields = ["id", "project", "status", "steps_done", "steps_total", "loss", "seconds_left", "progress",
                  "cancel_requested", "decision", "reason", "evaluation", "parent_checkpoint", "checkpoint",
                  "train_videos", "heldout_videos", "frames", "error", "created_at", "started_at", "finished_at"]
        read_only_fields = fields


class FineTuneCreateSerializer(serializers.Serializer):
    steps = serializers.IntegerField(min_value=1, max_value=1_000_000, required=False, allow_null=True,
                                     help_text="Training steps; absent: the training code's default.")


class ProjectModelCheckpointSerializer(serializers.ModelSerializer):
    class Meta:
        model = ModelCheckpoint
        fields = ["id", "name", "variant", "created_at", "metrics"]
        read_only_fields = fields


class LineageEntrySerializer(serializers.Serializer):
    """One checkpoint of the chain; steps, frames, train_videos and evaluation are those of its fine-tune."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    created_at = serializers.DateTimeField()
    steps = serializers.IntegerField(allow_null=True)
    frames = serializers.IntegerField(allow_null=True)
    train_videos = serializers.ListField(child=serializers.IntegerField())
    evaluation = serializers.JSONField()

    def to_representation(self, checkpoint):
        lineage = (checkpoint.metrics or {}).get("lineage") or {}
        return super().to_representation({
            "id": checkpoint.pk, "name": checkpoint.name, "created_at": checkpoint.created_at,
            "steps": lineage.get("steps"), "frames": lineage.get("frames"),
            "train_videos": lineage.get("train_videos") or [],
            "evaluation": (checkpoint.metrics or {}).get("evaluation") or {},
        })


class ProjectModelSerializer(serializers.Serializer):
    """The model a project's propagations use, where it comes from, its lineage and the last fine-tune."""

    checkpoint = ProjectModelCheckpointSerializer(allow_null=True)
    source = serializers.ChoiceField(choices=MODEL_SOURCES,
                                     help_text="project: the project's own choice; server_default: the server's")
    lineage = LineageEntrySerializer(many=True, help_text="the checkpoint, then its parent, and so on")
    last_finetune = FineTuneRunSerializer(allow_null=True)
    finetune_every_accepted = serializers.IntegerField(help_text="0: fine-tunes start only by hand")
    accepted_since_last = serializers.IntegerField(help_text="tracks accepted since the last fine-tune started")
    can_finetune = serializers.BooleanField()
    cannot_finetune_reason = serializers.CharField(allow_blank=True)


class ProjectModelChoiceSerializer(serializers.Serializer):
    checkpoint = serializers.PrimaryKeyRelatedField(
        queryset=ModelCheckpoint.objects.all(), allow_null=True,
        help_text="any registered checkpoint (GET /api/checkpoints/), e.g. the current one's parent; "
                  "null: the server's default",
    )
