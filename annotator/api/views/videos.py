"""Videos: upload, status, frames, and the tracks in them."""


from django.http import FileResponse, Http404, HttpResponseNotModified
from django.utils.http import http_date
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from annotator import media_store, selectors
from annotator.choices import ACTIVE_JOB_STATUSES
from annotator.api.pagination import paginated
from annotator.api.permissions import RoleRequired
from annotator.api.schema import error
from annotator.api.serializers import (
    JobSerializer,
    TrackCreateSerializer,
    TrackSerializer,
    VideoPropagateSerializer,
    VideoSerializer,
    VideoUploadSerializer,
)
from annotator.api.views.base import require, scoped, validated
from annotator.services import propagation as propagation_services
from annotator.services import tracks as track_services
from annotator.services import videos as video_services
from annotator.services.errors import ServiceError


@extend_schema_view(post=extend_schema(
    request={"multipart/form-data": VideoUploadSerializer},
    responses={201: VideoSerializer, 409: error("the project already has a video of that name")},
))
class ProjectVideosView(generics.ListCreateAPIView):
    serializer_class = VideoSerializer
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        return self.project().videos.all()

    def project(self):
        return scoped(self.request, selectors.projects_visible_to, self.kwargs["pk"])

    def create(self, request, *args, **kwargs):
        project = self.project()
        require(request, "upload", project)
        data = validated(VideoUploadSerializer, request.data)
        video = video_services.create_video(project=project, name=data.get("name", ""), upload=data["file"], by=request.user)
        return Response(VideoSerializer(video).data, status=status.HTTP_201_CREATED)


@extend_schema_view(destroy=extend_schema(responses={204: None, 409: error(
    "a propagation job is queued or running on the video; `job_id` names it")}))
class VideoViewSet(viewsets.GenericViewSet, generics.RetrieveDestroyAPIView):
    serializer_class = VideoSerializer
    permission_classes = [RoleRequired]
    capability = "manage"
    capabilities = {"tracks": "edit_tracks", "propagate": "edit_tracks"}

    def get_queryset(self):
        return selectors.videos_visible_to(self.request.user)

    def perform_destroy(self, instance):
        video_services.delete_video(video=instance)

    @extend_schema(methods=["GET"], responses=TrackSerializer(many=True))
    @extend_schema(methods=["POST"], request=TrackCreateSerializer,
                   responses={201: TrackSerializer, 409: error("no free object id; try again")})
    @action(detail=True, methods=["get", "post"])
    def tracks(self, request, pk=None):
        video = self.get_object()
        if request.method == "GET":
            return paginated(self, video.tracks.select_related("label"), TrackSerializer)
        data = validated(TrackCreateSerializer, request.data)
        label = video.project.labels.filter(pk=data["label"]).first()
        if label is None:
            raise ServiceError(f"label {data['label']} does not exist in this project")
        track = track_services.create_track(
            video=video, label=label, frame_index=data["frame"], bbox=data["box"], by=request.user
        )
        return Response(TrackSerializer(track).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=VideoPropagateSerializer,
                   responses={202: JobSerializer, 409: error("a propagation job already runs on one of the tracks")})
    @action(detail=True, methods=["post"])
    def propagate(self, request, pk=None):
        """Propagate several tracks of this video together (one batched forward pass per frame)."""
        video = self.get_object()
        data = validated(VideoPropagateSerializer, request.data)
        tracks = list(video.tracks.filter(pk__in=data["tracks"]))
        if len(tracks) != len(set(data["tracks"])):
            raise ServiceError("some tracks do not belong to this video")
        job = propagation_services.start_propagation(
            tracks=tracks, start_frame=data["frame"], direction=data["direction"], by=request.user,
            precision=data.get("precision"), checkpoint=data.get("checkpoint"), fusion=data.get("fusion"),
        )
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


    @extend_schema(parameters=[OpenApiParameter("active", bool, description="only queued and running jobs")],
                   responses=JobSerializer(many=True))
    @action(detail=True, methods=["get"])
    def jobs(self, request, pk=None):
        """The video's propagation jobs, newest first, paged; `?active=1` for queued and running ones only."""
        jobs = self.get_object().jobs.select_related("checkpoint").prefetch_related("tracks")
        if request.query_params.get("active") in ("1", "true"):
            jobs = jobs.filter(status__in=ACTIVE_JOB_STATUSES)
        return paginated(self, jobs, JobSerializer)


class FrameView(APIView):
    """One extracted frame as JPEG. Frames never change once extracted, so caches may keep them."""

    @extend_schema(responses={(200, "image/jpeg"): bytes})
    def get(self, request, pk: int, frame: int):
        video = scoped(request, selectors.videos_visible_to, pk)
        if not video.is_ready or not 0 <= frame < video.frame_count:
            raise Http404(f"frame {frame} does not exist")
        # Streamed through Django from a bucket too, not redirected to it: the permission check
        # above stays the only way in (docs/decisions.md, "Media in a bucket").
        store, key = media_store.get(), video.frame_key(frame)
        stat = store.stat(key)
        if stat is None:
            raise Http404(f"frame {frame} is missing from storage")
        etag = f'"{video.pk}-{frame}-{int(stat.mtime)}-{stat.size}"'
        if request.headers.get("If-None-Match") == etag:
            return HttpResponseNotModified(headers={"ETag": etag})
        try:
            body = store.open(key)
        except FileNotFoundError:
            raise Http404(f"frame {frame} is missing from storage") from None
        response = FileResponse(body, content_type="image/jpeg")
        response["Content-Length"] = stat.size
        response["Cache-Control"] = "private, max-age=86400, immutable"
        response["ETag"] = etag
        response["Last-Modified"] = http_date(stat.mtime)
        return response
