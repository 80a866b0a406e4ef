"""Tracks: annotations, manual edits, propagation, review and comments."""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from annotator import masks, selectors
from annotator.api import frame_ranges
from annotator.api.pagination import paginated
from annotator.api.permissions import RoleRequired
from annotator.api.schema import error
from annotator.api.serializers import (
    AnnotationPutSerializer,
    AnnotationSerializer,
    CommentSerializer,
    CorrectionSavedSerializer,
    FrameRangeSerializer,
    JobSerializer,
    PropagateSerializer,
    RejectSerializer,
    TrackSerializer,
    TrackUpdateSerializer,
    VersionSerializer,
)
from annotator.api.serializers_track_edits import (
    MergedSerializer,
    MergeSerializer,
    OutsideResultSerializer,
    RefinedSerializer,
    RefineSerializer,
    SplitResultSerializer,
    SplitSerializer,
)
from annotator.api.views.base import require, validated
from annotator.choices import ReviewStatus
from annotator.services import corrections as correction_services
from annotator.services import grabcut
from annotator.services import outside as outside_services
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
NOT_MODIFIED = OpenApiResponse(description="the frames are still those of the ETag sent in If-None-Match; no body")
FROM_TO = [OpenApiParameter("from", int, description="first frame (0-based, inclusive)"),
           OpenApiParameter("to", int, description="last frame (inclusive)")]


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

    @extend_schema(parameters=[*FROM_TO, frame_ranges.ChangedSinceSerializer],
                   responses={200: AnnotationSerializer(many=True), 304: NOT_MODIFIED})
    @action(detail=True, methods=["get"], pagination_class=None)  # bounded by frame range + Link, frame_ranges.py
    def annotations(self, request, pk=None):
        """Frames `from`..`to` (inclusive), in order; past 1000 rows, the rest via the `Link: rel="next"` header.

        Answers carry an ETag: send it back as If-None-Match to get a 304 while the frames are unchanged.
        """
        return frame_ranges.annotation_range_response(request, self.get_object())

    @extend_schema(parameters=FROM_TO, responses=frame_ranges.TrackSummarySerializer)
    @action(detail=True, methods=["get"])
    def summary(self, request, pk=None):
        """Every annotated frame's source, score, quality and area, without geometry: for the timeline."""
        return Response(frame_ranges.track_summary(request, self.get_object()))

    @extend_schema(methods=["PUT"], parameters=[FRAME], request=AnnotationPutSerializer,
                   responses={200: CorrectionSavedSerializer, 409: STALE})
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
        annotation, annotation.repropagation = correction_services.save_correction(
            track=track, frame_index=int(frame), version=data["version"], bbox=data["box"], mask_rle=data["mask"],
            by=request.user,
        )
        track.refresh_from_db(fields=["version", "review_status"])
        annotation.track = track
        return Response(CorrectionSavedSerializer(annotation).data)

    @extend_schema(parameters=[FRAME], request=RefineSerializer, responses={200: RefinedSerializer})
    @action(detail=True, methods=["post"], url_path=r"annotations/(?P<frame>\d+)/refine")
    def refine(self, request, pk=None, frame=None):
        """Refine the frame's mask with scribbles (GrabCut) and answer it without saving it."""
        track = self.get_object()
        data = validated(RefineSerializer, request.data)
        strokes = [grabcut.Stroke(foreground=s["foreground"], radius=s["radius"],
                                  points_xy=[tuple(p) for p in s["points"]]) for s in data["strokes"]]
        result = grabcut.refine_frame_mask(track=track, frame_index=int(frame), strokes=strokes)
        return Response({"mask": masks.encode_mask(result.mask), "area": int(result.mask.sum()),
                         "window": list(result.window_xywh)})

    @extend_schema(request=FrameRangeSerializer, responses={200: DeletedFramesSerializer, 409: STALE})
    @action(detail=True, methods=["post"], url_path="annotations/delete-range")
    def delete_range(self, request, pk=None):
        track = self.get_object()
        data = validated(FrameRangeSerializer, request.data)
        deleted = track_services.delete_frames(track=track, version=data["version"], first=data["first"],
                                               last=data["last"], by=request.user)
        track.refresh_from_db(fields=["version", "review_status"])
        return Response({"deleted": deleted, "version": track.version, "review_status": track.review_status})

    @extend_schema(methods=["POST"], request=FrameRangeSerializer, responses={200: OutsideResultSerializer, 409: STALE})
    @extend_schema(methods=["DELETE"], request=FrameRangeSerializer, responses={200: OutsideResultSerializer, 409: STALE})
    @action(detail=True, methods=["post", "delete"])
    def outside(self, request, pk=None):
        """Mark frames first..last as "object not visible" (POST), or clear those marks (DELETE)."""
        track = self.get_object()
        data = validated(FrameRangeSerializer, request.data or request.query_params)
        edit = outside_services.mark_outside if request.method == "POST" else outside_services.clear_outside
        frames = edit(track=track, version=data["version"], first=data["first"], last=data["last"], by=request.user)
        track.refresh_from_db(fields=["version", "review_status"])
        return Response({"frames": frames, "version": track.version, "review_status": track.review_status})

    @extend_schema(request=PropagateSerializer, responses={202: JobSerializer, 409: RUNNING})
    @action(detail=True, methods=["post"])
    def propagate(self, request, pk=None):
        track = self.get_object()
        data = validated(PropagateSerializer, request.data)
        job = propagation_services.start_propagation(
            tracks=[track], start_frame=data["frame"], direction=data["direction"], by=request.user,
            precision=data.get("precision"), checkpoint=data.get("checkpoint"), fusion=data.get("fusion"),
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
            return paginated(self, track.comments.select_related("author"), CommentSerializer)
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
