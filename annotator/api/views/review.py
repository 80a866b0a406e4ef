"""GET /api/review/: the review queue, tracks most likely to hold errors first."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from annotator import review_queue, selectors
from annotator.api.views.base import scoped
from annotator.choices import ReviewStatus


class ReviewRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="track.pk")
    video = serializers.IntegerField(source="track.video_id")
    video_name = serializers.CharField(source="track.video.name")
    project = serializers.IntegerField(source="track.video.project_id")
    label = serializers.IntegerField(source="track.label_id")
    label_name = serializers.CharField(source="track.label.name")
    colour = serializers.CharField(source="track.label.colour")
    object_id = serializers.IntegerField(source="track.object_id")
    review_status = serializers.CharField(source="track.review_status")
    version = serializers.IntegerField(source="track.version")
    updated_at = serializers.DateTimeField(source="track.updated_at")
    frames = serializers.IntegerField()
    worst_score = serializers.FloatField(allow_null=True)
    worst_frame = serializers.IntegerField(allow_null=True)
    area_jump = serializers.FloatField(help_text="largest |a_i - a_prev| / max(a_i, a_prev) between annotated frames")
    area_jump_frame = serializers.IntegerField(allow_null=True)
    unresolved_comments = serializers.IntegerField()
    risk = serializers.FloatField(help_text="max(1 - worst_score, area_jump); the queue is sorted by it, highest first")


class ReviewQueueView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("project", int, description="only this project's tracks"),
            OpenApiParameter("status", str, enum=[ReviewStatus.IN_REVIEW, ReviewStatus.REJECTED],
                             description="in_review (default) for reviewers; rejected for annotators to fix"),
        ],
        responses=ReviewRowSerializer(many=True),
    )
    def get(self, request):
        project_id = request.query_params.get("project")
        if project_id is not None:
            if not project_id.isdigit():
                raise serializers.ValidationError({"project": "must be a project id"})
            project_id = scoped(request, selectors.projects_visible_to, int(project_id)).pk
        status = request.query_params.get("status", ReviewStatus.IN_REVIEW)
        if status not in (ReviewStatus.IN_REVIEW, ReviewStatus.REJECTED):
            raise serializers.ValidationError({"status": "must be in_review or rejected"})
        rows = review_queue.tracks_for_review(request.user, project_id=project_id, status=status)
        return Response(ReviewRowSerializer(rows, many=True).data)
