"""HTTP shapes of exports and imports. No logic: views validate with these, then call a service."""

from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from annotator.choices import JobStatus, ReviewStatus
from annotator.models import CocoMasks, ExportJob, ImportJob, TransferFormat


# Swagger UI pre-fills the body from the first example; without one it invented `"videos": [0]`,
# a video no project has, so "Try it out" answered 400.
@extend_schema_serializer(examples=[
    # every track: a status filter that keeps no track is a 400 (nothing to export)
    OpenApiExample("COCO of every ready video, every track", request_only=True,
                   value={"format": "coco", "videos": [], "review_status": [], "include_frames": False}),
])
class ExportCreateSerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=TransferFormat.choices)
    videos = serializers.ListField(child=serializers.IntegerField(), required=False, default=list,
                                   help_text="Video ids; empty or absent: every ready video of the project.")
    review_status = serializers.ListField(child=serializers.ChoiceField(choices=ReviewStatus.choices), required=False,
                                          default=list, help_text="Only tracks in these statuses; empty: all.")
    include_frames = serializers.BooleanField(required=False, allow_null=True, default=None,
                                              help_text="Put the frames in the zip; default: DAVIS yes, others no.")
    coco_masks = serializers.ChoiceField(choices=CocoMasks.choices, required=False, default=CocoMasks.RLE,
                                         help_text="COCO only: masks as compressed RLE (exact, the default) or as "
                                                   "polygons (for readers that take only polygons; holes come "
                                                   "back filled).")


class ExportSerializer(serializers.ModelSerializer):
    videos = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ExportJob
        fields = ["id", "project", "format", "videos", "review_status", "include_frames", "coco_masks", "status",
                  "progress",
                  "error", "download_url", "created_at", "finished_at"]
        read_only_fields = fields

    def get_download_url(self, job) -> str | None:
        if job.status != JobStatus.SUCCEEDED:
            return None
        url = reverse("export-download", args=[job.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class ImportCreateSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A zip (any format) or a JSON file (COCO, YouTube-VIS).")
    format = serializers.ChoiceField(choices=TransferFormat.choices)


class ImportSerializer(serializers.ModelSerializer):
    class Meta:
        model = ImportJob
        fields = ["id", "project", "format", "status", "progress", "error", "summary", "created_at", "finished_at"]
        read_only_fields = fields
