"""GET /api/review/: the review queue, tracks most likely to hold errors first."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from annotator import review_queue, selectors
from annotator.api.pagination import paginated
from annotator.api.schema import error
from annotator.api.views.base import scoped, validated
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
    worst_confidence = serializers.FloatField(
        allow_null=True, help_text="the track's lowest frame confidence: the mask's quality where the model gives "
                                   "one, else the tracker score")
    worst_measure = serializers.ChoiceField(choices=["quality", "score"], allow_null=True,
                                            help_text="which of the two worst_confidence is")
    worst_frame = serializers.IntegerField(allow_null=True, help_text="the frame of worst_confidence")
    area_jump = serializers.FloatField(help_text="largest |a_i - a_prev| / max(a_i, a_prev) between annotated frames")
    area_jump_frame = serializers.IntegerField(allow_null=True)
    unresolved_comments = serializers.IntegerField()
    risk = serializers.FloatField(help_text="max(1 - worst_confidence, area_jump); the queue is sorted by it, "
                                            "highest first")


class ReviewQuerySerializer(serializers.Serializer):
    project = serializers.IntegerField(required=False, help_text="only this project's tracks")
    status = serializers.ChoiceField(
        choices=[ReviewStatus.IN_REVIEW, ReviewStatus.REJECTED], default=ReviewStatus.IN_REVIEW,
        help_text="in_review (default) for reviewers; rejected for annotators to fix",
    )


class ReviewQueueView(generics.GenericAPIView):
    @extend_schema(
        parameters=[ReviewQuerySerializer],
        responses={200: ReviewRowSerializer(many=True), 404: error("no such project among yours")},
    )
    def get(self, request):
        query = validated(ReviewQuerySerializer, request.query_params)
        project_id = query.get("project")
        if project_id is not None:
            project_id = scoped(request, selectors.projects_visible_to, project_id).pk
        rows = review_queue.tracks_for_review(request.user, project_id=project_id, status=query["status"])
        return paginated(self, rows, ReviewRowSerializer)
