"""Exports and imports of labels: start them (managers), follow them and download (members)."""

from django.http import FileResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from annotator import selectors
from annotator.api.schema import error
from annotator.api.serializers_transfers import (
    ExportCreateSerializer,
    ExportSerializer,
    ImportCreateSerializer,
    ImportSerializer,
)
from annotator.api.views.base import require, scoped, validated
from annotator.services import transfers as transfer_services


@extend_schema_view(post=extend_schema(request=ExportCreateSerializer, responses={202: ExportSerializer}))
class ProjectExportsView(generics.ListCreateAPIView):
    """GET: the project's exports, newest first. POST: start an export (managers)."""

    serializer_class = ExportSerializer

    def project(self):
        return scoped(self.request, selectors.projects_visible_to, self.kwargs["pk"])

    def get_queryset(self):
        return selectors.exports_of(self.project())

    def create(self, request, *args, **kwargs):
        project = self.project()
        require(request, "manage", project)
        data = validated(ExportCreateSerializer, request.data)
        job = transfer_services.start_export(
            project=project, format=data["format"], by=request.user, video_ids=data["videos"],
            review_status=data["review_status"], include_frames=data["include_frames"],
            coco_masks=data["coco_masks"],
        )
        return Response(ExportSerializer(job, context={"request": request}).data, status=status.HTTP_202_ACCEPTED)


class ExportView(generics.RetrieveAPIView):
    """An export's status, progress, error and, once it succeeded, its download_url."""

    serializer_class = ExportSerializer

    def get_queryset(self):
        return selectors.exports_visible_to(self.request.user)


class ExportDownloadView(APIView):
    """The export's zip, as an attachment."""

    @extend_schema(responses={(200, "application/zip"): OpenApiResponse(description="the zip"),
                              409: error("the export has not succeeded, or its file is gone")})
    def get(self, request, pk: int):
        job = scoped(request, selectors.exports_visible_to, pk)
        zip_file, filename = transfer_services.open_export(job=job)
        return FileResponse(zip_file, as_attachment=True, filename=filename, content_type="application/zip")


@extend_schema_view(post=extend_schema(request={"multipart/form-data": ImportCreateSerializer},
                                       responses={202: ImportSerializer}))
class ProjectImportsView(generics.ListCreateAPIView):
    """GET: the project's imports, newest first. POST: upload an archive to import (managers)."""

    serializer_class = ImportSerializer
    parser_classes = [MultiPartParser, FormParser]

    def project(self):
        return scoped(self.request, selectors.projects_visible_to, self.kwargs["pk"])

    def get_queryset(self):
        return selectors.imports_of(self.project())

    def create(self, request, *args, **kwargs):
        project = self.project()
        require(request, "manage", project)
        data = validated(ImportCreateSerializer, request.data)
        job = transfer_services.start_import(project=project, format=data["format"], upload=data["file"],
                                             by=request.user)
        return Response(ImportSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class ImportView(generics.RetrieveAPIView):
    """An import's status, progress, error and summary (videos, tracks, frames created)."""

    serializer_class = ImportSerializer

    def get_queryset(self):
        return selectors.imports_visible_to(self.request.user)
