"""Tracks: annotations, manual edits, propagation, review and comments."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from annotator import selectors
from annotator.api.permissions import RoleRequired
from annotator.api.schema import error
from annotator.api.serializers import (
    AnnotationPutSerializer,
    AnnotationSavedSerializer,
    AnnotationSerializer,
    CommentSerializer,
    FrameRangeSerializer,
    FrameWindowSerializer,
    JobSerializer,
    PropagateSerializer,
    RejectSerializer,
    TrackSerializer,
    TrackUpdateSerializer,
    VersionSerializer,
)
from annotator.api.serializers_track_edits import MergedSerializer, MergeSerializer, SplitResultSerializer, SplitSerializer
from annotator.api.views.base import require, validated
from annotator.choices import ReviewStatus
from annotator.services import propagation as propagation_services
from annotator.services import review as review_services
from annotator.services import track_merge
from annotator.services import tracks as track_services
from annotator.services.errors import ServiceError

STALE = error("the track changed since you read it; `version` holds its current version")
RUNNING = error("a propagation job already runs on the track; `job_id` names it")
BUSY = error("the track changed since you read it (`version` holds its current version), or a propagation job "
             "is queued or running on it (`job_id` names it)")
OPTIONAL_VERSION = OpenApiParameter("version", int, description="The track version you last saw; stale: 409.")
FRAME = OpenApiParameter("frame", int, OpenApiParameter.PATH, description="0-based frame index")
VERSION = OpenApiParameter("version", int, required=True, description="The track version you last saw.")


class DeletedFramesSerializer(serializers.Serializer):
    deleted = serializers.IntegerField(help_text="How many annotations were deleted.")
    version = serializers.IntegerField(help_text="The track's version after the deletion.")
    review_status = serializers.ChoiceField(
        choices=ReviewStatus.choices, help_text="The track's status after the deletion: a reviewed track is a draft again.")


class OptionalVersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(required=False)


class TrackViewSet(viewsets.GenericViewSet, generics.RetrieveDestroyAPIView):
    serializer_class = TrackSerializer
    permission_classes = [RoleRequired]
    capability = "edit_tracks"
    capabilities = {"accept": "review", "reject": "review", "comments": "comment"}

    def get_queryset(self):
        return selectors.tracks_visible_to(self.request.user)

    @extend_schema(parameters=[OPTIONAL_VERSION], responses={204: None, 409: BUSY})
    def destroy(self, request, pk=None):
        track = self.get_object()
        version = validated(OptionalVersionSerializer, request.query_params).get("version")
        track_services.delete_track(track=track, version=version)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=MergeSerializer, responses={200: MergedSerializer, 409: BUSY})
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        """Move another track's frames into this one (this one's frame wins where both have one); delete it."""
        track = self.get_object()
        data = validated(MergeSerializer, request.data)
        other = track.video.tracks.filter(pk=data["other"]).first()
        if other is None:
            raise ServiceError(f"track {data['other']} is not a track of this video")
        merged = track_merge.merge_tracks(track=track, version=data["version"], other=other,
                                          other_version=data["other_version"], by=request.user)
        return Response(MergedSerializer(merged).data)

    @extend_schema(request=SplitSerializer, responses={201: SplitResultSerializer, 409: BUSY})
    @action(detail=True, methods=["post"])
    def split(self, request, pk=None):
        """Move this track's frames from `frame` on to a new track with the same label."""
        data = validated(SplitSerializer, request.data)
        track, new = track_merge.split_track(track=self.get_object(), version=data["version"],
                                             frame_index=data["frame"], by=request.user)
        return Response(SplitResultSerializer({"track": track, "new_track": new}).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=TrackUpdateSerializer, responses={200: TrackSerializer, 409: STALE})
    def partial_update(self, request, pk=None):
        track = self.get_object()
        data = validated(TrackUpdateSerializer, request.data)
        label = None
        if "label" in data:
            label = track.video.project.labels.filter(pk=data["label"]).first()
            if label is None:
                raise ServiceError(f"label {data['label']} does not exist in this project")
        track = track_services.update_track(track=track, version=data["version"], label=label, by=request.user)
        return Response(TrackSerializer(track).data)

    @extend_schema(parameters=[OpenApiParameter("from", int), OpenApiParameter("to", int)],
                   responses=AnnotationSerializer(many=True))
    @action(detail=True, methods=["get"])
    def annotations(self, request, pk=None):
        track = self.get_object()
        window = validated(FrameWindowSerializer, request.query_params)
        queryset = selectors.annotations_of(track).filter(
            frame_index__gte=window["from"], frame_index__lte=window["to"]
        )
        return Response(AnnotationSerializer(queryset, many=True).data)

    @extend_schema(methods=["PUT"], parameters=[FRAME], request=AnnotationPutSerializer,
                   responses={200: AnnotationSavedSerializer, 409: STALE})
    @extend_schema(methods=["DELETE"], parameters=[FRAME, VERSION], request=None, responses={204: None, 409: STALE})
    @action(detail=True, methods=["put", "delete"], url_path=r"annotations/(?P<frame>\d+)")
    def frame_annotation(self, request, pk=None, frame=None):
        track = self.get_object()
        if request.method == "DELETE":
            data = validated(VersionSerializer, request.data or request.query_params)
            track_services.delete_frames(track=track, version=data["version"], first=int(frame), last=int(frame),
                                         by=request.user)
            return Response(status=status.HTTP_204_NO_CONTENT)
        data = validated(AnnotationPutSerializer, request.data)
        annotation = track_services.set_frame_annotation(
            track=track, frame_index=int(frame), version=data["version"], bbox=data["box"], mask_rle=data["mask"],
            by=request.user,
        )
        track.refresh_from_db(fields=["version", "review_status"])
        annotation.track = track
        return Response(AnnotationSavedSerializer(annotation).data)

    @extend_schema(request=FrameRangeSerializer, responses={200: DeletedFramesSerializer, 409: STALE})
    @action(detail=True, methods=["post"], url_path="annotations/delete-range")
    def delete_range(self, request, pk=None):
        track = self.get_object()
        data = validated(FrameRangeSerializer, request.data)
        deleted = track_services.delete_frames(track=track, version=data["version"], first=data["first"],
                                               last=data["last"], by=request.user)
        track.refresh_from_db(fields=["version", "review_status"])
        return Response({"deleted": deleted, "version": track.version, "review_status": track.review_status})

    @extend_schema(request=PropagateSerializer, responses={202: JobSerializer, 409: RUNNING})
    @action(detail=True, methods=["post"])
    def propagate(self, request, pk=None):
        track = self.get_object()
        data = validated(PropagateSerializer, request.data)
        job = propagation_services.start_propagation(
            tracks=[track], start_frame=data["frame"], direction=data["direction"], by=request.user,
            precision=data.get("precision"), checkpoint=data.get("checkpoint"),
        )
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=VersionSerializer, responses={200: TrackSerializer, 409: STALE})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        data = validated(VersionSerializer, request.data)
        return Response(TrackSerializer(review_services.submit_for_review(
            track=self.get_object(), version=data["version"], by=request.user)).data)

    @extend_schema(request=VersionSerializer, responses={200: TrackSerializer, 409: STALE})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        data = validated(VersionSerializer, request.data)
        return Response(TrackSerializer(review_services.accept_track(
            track=self.get_object(), version=data["version"], by=request.user)).data)

    @extend_schema(request=RejectSerializer, responses={200: TrackSerializer, 409: STALE})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        data = validated(RejectSerializer, request.data)
        track = review_services.reject_track(
            track=self.get_object(), version=data["version"], comment=data["comment"], frame_index=data["frame"],
            by=request.user,
        )
        return Response(TrackSerializer(track).data)

    @extend_schema(methods=["GET"], responses=CommentSerializer(many=True))
    @extend_schema(methods=["POST"], request=CommentSerializer, responses={201: CommentSerializer})
    @action(detail=True, methods=["get", "post"])
    def comments(self, request, pk=None):
        track = self.get_object()
        if request.method == "GET":
            return Response(CommentSerializer(track.comments.select_related("author"), many=True).data)
        data = validated(CommentSerializer, request.data)
        comment = review_services.add_comment(
            track=track, text=data["text"], frame_index=data.get("frame_index"), by=request.user
        )
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)


class CommentViewSet(viewsets.GenericViewSet, generics.RetrieveUpdateAPIView):
    serializer_class = CommentSerializer

    def get_queryset(self):
        return selectors.comments_visible_to(self.request.user)

    def update(self, request, *args, **kwargs):
        comment = self.get_object()
        require(request, "comment", comment)
        resolved = validated(CommentSerializer, request.data, partial=True).get("resolved", comment.resolved)
        return Response(CommentSerializer(review_services.resolve_comment(comment=comment, resolved=resolved)).data)
