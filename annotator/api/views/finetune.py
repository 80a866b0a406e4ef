"""A project's model and its fine-tunes: members read, managers switch models, start and cancel fine-tunes."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.viewsets import GenericViewSet

from annotator import selectors
from annotator.api.permissions import RoleRequired
from annotator.api.schema import error
from annotator.api.serializers_finetune import (
    FineTuneCreateSerializer,
    FineTuneRunSerializer,
    ProjectModelChoiceSerializer,
    ProjectModelSerializer,
)
from annotator.api.views.base import require, scoped, validated
from annotator.services import finetune as finetune_services


def project_model(project) -> dict:
    """Return the body of GET /api/projects/{id}/model/."""
    checkpoint, source = finetune_services.current_model(project)
    reason = finetune_services.finetune_refusal(project)
    return ProjectModelSerializer({
        "checkpoint": checkpoint, "source": source, "lineage": finetune_services.lineage_of(checkpoint),
        "last_finetune": finetune_services.last_finetune(project),
        "finetune_every_accepted": project.finetune_every_accepted,
        "accepted_since_last": finetune_services.accepted_since_last(project),
        "can_finetune": not reason, "cannot_finetune_reason": reason,
    }).data


class ProjectModelView(APIView):
    """GET: the model the project uses, its lineage and the last fine-tune. POST: switch it (managers)."""

    def project(self):
        return scoped(self.request, selectors.projects_visible_to, self.kwargs["pk"])

    @extend_schema(responses={200: ProjectModelSerializer})
    def get(self, request, pk):
        return Response(project_model(self.project()))

    @extend_schema(request=ProjectModelChoiceSerializer, responses={200: ProjectModelSerializer})
    def post(self, request, pk):
        project = self.project()
        require(request, "manage", project)
        data = validated(ProjectModelChoiceSerializer, request.data)
        return Response(project_model(finetune_services.set_project_model(project=project,
                                                                          checkpoint=data["checkpoint"])))


@extend_schema_view(post=extend_schema(request=FineTuneCreateSerializer, responses={
    201: FineTuneRunSerializer, 409: error("a fine-tune of the project is queued or running; `finetune_id` names it"),
}))
class ProjectFineTunesView(generics.ListCreateAPIView):
    """GET: the project's fine-tunes, newest first. POST: start one (managers); 400 says why it cannot."""

    serializer_class = FineTuneRunSerializer

    def project(self):
        return scoped(self.request, selectors.projects_visible_to, self.kwargs["pk"])

    def get_queryset(self):
        return selectors.finetunes_visible_to(self.request.user).filter(project=self.project())

    def create(self, request, *args, **kwargs):
        project = self.project()
        require(request, "manage", project)
        data = validated(FineTuneCreateSerializer, request.data)
        run = finetune_services.start_finetune(project=project, by=request.user, steps=data.get("steps"))
        return Response(FineTuneRunSerializer(run).data, status=status.HTTP_201_CREATED)


class FineTuneViewSet(GenericViewSet, generics.RetrieveAPIView):
    """A fine-tune's status, progress, evaluation and decision; cancel (managers)."""

    serializer_class = FineTuneRunSerializer
    permission_classes = [RoleRequired]
    capability = "manage"

    def get_queryset(self):
        return selectors.finetunes_visible_to(self.request.user)

    @extend_schema(request=None, responses=FineTuneRunSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return Response(FineTuneRunSerializer(finetune_services.cancel_finetune(run=self.get_object())).data)
