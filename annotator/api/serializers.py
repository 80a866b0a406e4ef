"""HTTP shapes. No business logic here: views validate with these, then call a service."""

from functools import cached_property

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from annotator import builtin_weights, selectors
from annotator.choices import Direction, Precision, ReviewStatus, Role
from annotator.models import (
    FrameAnnotation,
    Label,
    Membership,
    ModelCheckpoint,
    Project,
    PropagationJob,
    ReviewComment,
    Track,
    Video,
)


class ModelSummarySerializer(serializers.ModelSerializer):
    """Which weights: name, variant, and whether they are the ones this repository ships."""

    builtin = serializers.SerializerMethodField(help_text="the repository's own weights (weights/starter.pth, "
                                                          "weights/mobile.pth), not the official SiamMask ones")

    class Meta:
        model = ModelCheckpoint
        fields = ["id", "name", "variant", "builtin"]
        read_only_fields = fields

    def get_builtin(self, checkpoint) -> bool:
        return builtin_weights.is_builtin(checkpoint)


class CheckpointSerializer(ModelSummarySerializer):
    """A registered checkpoint, with what was measured for it."""

    jf = serializers.FloatField(read_only=True, allow_null=True,
                                help_text='J&F recorded in metrics ("J&F", else the mean of "J" and "F"); null if none')

    class Meta(ModelSummarySerializer.Meta):
        fields = ["id", "name", "variant", "builtin", "config", "sha256", "is_default", "jf", "metrics", "created_at"]
        read_only_fields = fields


class ProjectSerializer(serializers.ModelSerializer):
    role = serializers.SerializerMethodField()
    labels = serializers.ListField(child=serializers.CharField(max_length=100), write_only=True, required=False)
    default_model = serializers.SerializerMethodField(help_text="the weights new propagation jobs start with")
    default_checkpoint = serializers.PrimaryKeyRelatedField(
        queryset=ModelCheckpoint.objects.all(), allow_null=True, required=False,
        help_text="the project's own choice of weights (GET /api/checkpoints/); null: the server's default",
    )

    class Meta:
        model = Project
        fields = ["id", "name", "description", "created_at", "role", "labels", "default_model", "default_checkpoint",
                  "auto_repropagate", "finetune_every_accepted"]

    def get_role(self, project) -> str | None:
        if hasattr(project, "user_role"):  # read with selectors.projects_with_role_visible_to: no query here
            return project.user_role
        return selectors.role_in(self.context["request"].user, project.pk)

    @extend_schema_field(ModelSummarySerializer(allow_null=True))
    def get_default_model(self, project) -> dict | None:
        if project.default_checkpoint_id:
            return ModelSummarySerializer(project.default_checkpoint).data
        return self._default_model

    @cached_property
    def _default_model(self) -> dict | None:
        # one query per response: a list reuses this (child) serializer for every project
        checkpoint = selectors.default_checkpoint()  # the server's; a project's own choice wins above
        return ModelSummarySerializer(checkpoint).data if checkpoint else None


class LabelSerializer(serializers.ModelSerializer):
    class Meta:
        model = Label
        fields = ["id", "name", "colour"]


class MembershipSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username")
    role = serializers.ChoiceField(choices=Role.choices)

    class Meta:
        model = Membership
        fields = ["id", "username", "role", "created_at"]
        read_only_fields = ["created_at"]


class VideoSerializer(serializers.ModelSerializer):
    class Meta:
        model = Video
        # width/height: the stored frames, the frame of every coordinate in this API; original_*:
        # the uploaded frames' size, larger when SIAMLABEL_FRAME_MAX_SIDE shrank them (exports use it)
        fields = ["id", "project", "name", "status", "error", "width", "height", "original_width",
                  "original_height", "fps", "frame_count", "extraction_progress", "source_size", "created_at"]
        read_only_fields = fields


class VideoUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    name = serializers.CharField(max_length=255, required=False, allow_blank=True)


class BoxField(serializers.ListField):
    child = serializers.FloatField()

    def __init__(self, **kwargs):
        super().__init__(min_length=4, max_length=4, **kwargs)


class TrackSerializer(serializers.ModelSerializer):
    label_name = serializers.CharField(source="label.name", read_only=True)
    colour = serializers.CharField(source="label.colour", read_only=True)

    class Meta:
        model = Track
        fields = ["id", "video", "label", "label_name", "colour", "object_id", "review_status", "version",
                  "created_at", "updated_at"]
        read_only_fields = fields


class TrackCreateSerializer(serializers.Serializer):
    label = serializers.IntegerField()
    frame = serializers.IntegerField(min_value=0)
    box = BoxField(help_text="[x, y, w, h] in pixels")


class TrackUpdateSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    label = serializers.IntegerField(required=False)


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="The track version you last saw (optimistic locking).")


class RejectSerializer(VersionSerializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    frame = serializers.IntegerField(required=False, allow_null=True, default=None)


class RleSerializer(serializers.Serializer):
    size = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=2, max_length=2)
    counts = serializers.JSONField(help_text="compressed COCO RLE string, or a list of run lengths")


class AnnotationSerializer(serializers.ModelSerializer):
    frame = serializers.IntegerField(source="frame_index")
    mask = serializers.JSONField(source="mask_rle", allow_null=True)

    class Meta:
        model = FrameAnnotation
        fields = ["frame", "source", "score", "quality", "bbox", "rotated_box", "mask", "area", "job", "run",
                  "updated_at"]
        read_only_fields = fields


class AnnotationSavedSerializer(AnnotationSerializer):
    """The answer to a manual edit: the annotation, the track's version to send next time, its status."""

    version = serializers.IntegerField(source="track.version", read_only=True)
    review_status = serializers.ChoiceField(
        source="track.review_status", choices=ReviewStatus.choices, read_only=True,
        help_text="The track's status after the edit: a track in review or accepted is a draft again.",
    )

    class Meta(AnnotationSerializer.Meta):
        fields = AnnotationSerializer.Meta.fields + ["version", "review_status"]
        read_only_fields = fields


class AnnotationPutSerializer(VersionSerializer):
    box = BoxField(required=False, allow_null=True, default=None)
    mask = RleSerializer(required=False, allow_null=True, default=None)


class FrameWindowSerializer(serializers.Serializer):
    """`?from=&to=` of a track's annotation list: inclusive frame indices (`from` is a keyword)."""

    def get_fields(self):
        frame = {"min_value": 0, "max_value": 2**31 - 1, "required": False}
        return {"from": serializers.IntegerField(default=0, **frame),
                "to": serializers.IntegerField(default=2**31 - 1, **frame)}


class FrameRangeSerializer(VersionSerializer):
    first = serializers.IntegerField(min_value=0)
    last = serializers.IntegerField(min_value=0)


class PropagateSerializer(serializers.Serializer):
    frame = serializers.IntegerField(min_value=0)
    direction = serializers.ChoiceField(choices=Direction.choices, default=Direction.FORWARD)
    precision = serializers.ChoiceField(
        choices=Precision.choices, required=False,
        help_text="exact (float32, the official numerics) or fast (bfloat16/float16 trunk, docs/tracker.md); "
                  "default: the server's SIAMLABEL_DEFAULT_PRECISION",
    )
    checkpoint = serializers.PrimaryKeyRelatedField(
        queryset=ModelCheckpoint.objects.all(), required=False, allow_null=True,
        help_text="the weights to run (GET /api/checkpoints/); default: the project's default model",
    )
    fusion = serializers.BooleanField(
        required=False, allow_null=True, default=None,
        help_text="where a run ends before a manual frame, also run back from that frame and keep per frame the "
                  "result with the higher predicted quality (docs/propagation.md); default: the server's "
                  "SIAMLABEL_DEFAULT_FUSION (true)",
    )


class VideoPropagateSerializer(PropagateSerializer):
    tracks = serializers.ListField(child=serializers.IntegerField(), min_length=1)


class StopSerializer(serializers.Serializer):
    """Why and where one track's run ended before the end of its range (docs/propagation.md)."""

    reason = serializers.CharField(help_text='"target lost", "manual frame made during the job", or why a batch '
                                             "left the track out")
    frame = serializers.IntegerField(help_text="target lost: the first of the low frames, where to re-anchor; "
                                               "an edit: the manual frame the run ended before")
    measure = serializers.ChoiceField(choices=["area", "quality", "score"], required=False,
                                      help_text="target lost: what was low on `frame`: an empty mask (area), the "
                                                "mask's quality or, for a model without one, the score")
    value = serializers.FloatField(required=False, help_text="target lost: the measure on `frame`")
    threshold = serializers.FloatField(required=False, help_text="target lost: `value` was under this")
    score = serializers.FloatField(required=False, help_text="target lost: the tracker score on `frame`")
    quality = serializers.FloatField(required=False, allow_null=True,
                                     help_text="target lost: the mask's quality on `frame`; null for a model without "
                                               "one, and on an edit stop")


class JobSerializer(serializers.ModelSerializer):
    tracks = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    progress = serializers.FloatField(read_only=True, help_text="frames_done / frames_total; under 1 when the job "
                                                                "stopped early (see stop_reasons)")
    stop_reasons = serializers.DictField(
        child=serializers.DictField(child=StopSerializer()), read_only=True,
        help_text='per direction ("1" forward, "-1" backward), per track id: why its run stopped early',
    )
    seconds_left = serializers.FloatField(read_only=True, allow_null=True)
    waiting_for_track = serializers.BooleanField(
        source="waits_for_track", read_only=True,
        help_text="queued behind another job holding its track; it is sent to a worker when that job ends",
    )
    model = ModelSummarySerializer(source="checkpoint", read_only=True, allow_null=True,
                                   help_text="the weights the job runs with")

    class Meta:
        model = PropagationJob
        fields = ["id", "video", "tracks", "start_frame", "direction", "precision", "fusion", "status", "progress",
                  "frames_done",
                  "frames_total", "fps", "seconds_left", "waiting_for_track", "attempts", "error", "cancel_requested", "checkpoint",
                  "checkpoint_sha256", "model", "stop_reasons", "batch", "created_at", "started_at", "finished_at"]
        read_only_fields = fields
        extra_kwargs = {
            "frames_total": {"help_text": "frames the job plans to track: per direction its longest track's range, "
                                          "summed"},
            "frames_done": {"help_text": "frames the tracker has stepped through; stays under frames_total when all "
                                         "of a direction's tracks stopped early"},
        }


class CorrectionSavedSerializer(AnnotationSavedSerializer):
    """The answer to a manual edit, with the re-propagation it started (services/corrections.py)."""

    repropagation = JobSerializer(
        read_only=True, allow_null=True, default=None,
        help_text="the job re-propagating from this corrected frame to the next manual frames both ways; null when "
                  "the frame was manual before or the project's auto_repropagate is off; while another job holds "
                  "the track it stays queued and starts when that job ends",
    )

    class Meta(AnnotationSavedSerializer.Meta):
        fields = AnnotationSavedSerializer.Meta.fields + ["repropagation"]
        read_only_fields = fields


class CommentSerializer(serializers.ModelSerializer):
    frame = serializers.IntegerField(source="frame_index", required=False, allow_null=True)
    author = serializers.CharField(source="author.username", read_only=True, default=None)

    class Meta:
        model = ReviewComment
        fields = ["id", "track", "frame", "text", "author", "resolved", "created_at"]
        read_only_fields = ["id", "track", "author", "created_at"]
