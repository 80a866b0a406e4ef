"""Propagation jobs: status, live progress, cancel, revert."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from annotator import selectors
from annotator.api.permissions import RoleRequired
from annotator.api.schema import error
from annotator.api.serializers import JobSerializer
from annotator.services import propagation as propagation_services


class RevertedSerializer(serializers.Serializer):
    deleted = serializers.IntegerField(help_text="How many of the job's annotations were deleted.")


class JobViewSet(viewsets.GenericViewSet, generics.RetrieveAPIView):
    serializer_class = JobSerializer
    permission_classes = [RoleRequired]
    capability = "edit_tracks"

    def get_queryset(self):
        return selectors.jobs_visible_to(self.request.user)

    @extend_schema(request=None, responses=JobSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return Response(JobSerializer(propagation_services.cancel_job(job=self.get_object())).data)

    @extend_schema(request=None, responses={200: RevertedSerializer, 409: error("the job is still running")})
    @action(detail=True, methods=["post"])
    def revert(self, request, pk=None):
        return Response({"deleted": propagation_services.revert_job(job=self.get_object(), by=request.user)})
