"""Projects, labels and members."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from annotator import selectors
from annotator.api.permissions import RoleRequired
from annotator.api.schema import error
from annotator.api.serializers import LabelSerializer, MembershipSerializer, ProjectSerializer
from annotator.api.serializers_system import StorageUsageSerializer
from annotator.api.throttles import MemberAddThrottle
from annotator.api.views.base import require, scoped, validated
from annotator.services import checkpoints as checkpoint_services
from annotator.services import disk
from annotator.services import projects as project_services


@extend_schema_view(destroy=extend_schema(responses={204: None, 409: error(
    "a propagation job is queued or running in the project; `job_id` names it")}))
class ProjectViewSet(viewsets.ModelViewSet):
    serializer_class = ProjectSerializer
    permission_classes = [RoleRequired]
    capability = "manage"

    def get_queryset(self):
        # each project's `user_role` comes in the same query: ProjectSerializer.role asks no more per project
        return (selectors.projects_with_role_visible_to(self.request.user).distinct()
                .select_related("default_checkpoint"))

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = project_services.create_project(
            name=data["name"], description=data.get("description", ""), labels=data.get("labels", []),
            by=self.request.user,
        )
        if data.get("default_checkpoint"):
            checkpoint_services.set_project_checkpoint(project=serializer.instance,
                                                       checkpoint=data["default_checkpoint"])
        if data.get("auto_repropagate") is False or data.get("finetune_every_accepted"):
            project_services.update_project(project=serializer.instance, auto_repropagate=data.get("auto_repropagate"),
                                            finetune_every_accepted=data.get("finetune_every_accepted"))

    def perform_update(self, serializer):
        data = serializer.validated_data
        if "labels" in data:
            where = f"/api/projects/{serializer.instance.pk}/labels/"
            raise serializers.ValidationError({"labels": f"labels are added at {where}"})
        project_services.update_project(project=serializer.instance, name=data.get("name"),
                                        description=data.get("description"),
                                        auto_repropagate=data.get("auto_repropagate"),
                                        finetune_every_accepted=data.get("finetune_every_accepted"))
        if "default_checkpoint" in data:
            checkpoint_services.set_project_checkpoint(project=serializer.instance,
                                                       checkpoint=data["default_checkpoint"])

    def perform_destroy(self, instance):
        project_services.delete_project(project=instance)


@extend_schema_view(post=extend_schema(responses={201: LabelSerializer, 409: error("the label name is taken")}))
class ProjectLabelsView(generics.ListCreateAPIView):
    serializer_class = LabelSerializer

    def get_queryset(self):
        return self.project().labels.all()

    def project(self):
        return scoped(self.request, selectors.projects_visible_to, self.kwargs["pk"])

    def create(self, request, *args, **kwargs):
        project = self.project()
        require(request, "manage", project)
        data = validated(LabelSerializer, request.data)
        label = project_services.create_label(project=project, name=data["name"], colour=data.get("colour"))
        return Response(LabelSerializer(label).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    update=extend_schema(responses={200: LabelSerializer, 409: error("the label name is taken")}),
    partial_update=extend_schema(responses={200: LabelSerializer, 409: error("the label name is taken")}),
    destroy=extend_schema(responses={204: None, 409: error("tracks use the label")}),
)
class LabelViewSet(viewsets.GenericViewSet, generics.RetrieveUpdateDestroyAPIView):
    serializer_class = LabelSerializer
    permission_classes = [RoleRequired]
    capability = "manage"

    def get_queryset(self):
        return selectors.labels_visible_to(self.request.user)

    def perform_update(self, serializer):
        data = serializer.validated_data
        project_services.update_label(label=serializer.instance, name=data.get("name"), colour=data.get("colour"))

    def perform_destroy(self, instance):
        project_services.delete_label(label=instance)


@extend_schema_view(post=extend_schema(responses={
    201: MembershipSerializer, 409: error("already a member"),
    429: error("too many members added (SIAMLABEL_THROTTLE_MEMBER_ADD); wait Retry-After seconds"),
}))
class ProjectMembersView(generics.ListCreateAPIView):
    serializer_class = MembershipSerializer

    def get_throttles(self):
        return [MemberAddThrottle()] if self.request.method == "POST" else []

    def get_queryset(self):
        return self.project().memberships.select_related("user")

    def project(self):
        return scoped(self.request, selectors.projects_visible_to, self.kwargs["pk"])

    def create(self, request, *args, **kwargs):
        project = self.project()
        # Before the username is read: to anyone but a manager, every name gets the same answer.
        require(request, "manage", project)
        data = validated(MembershipSerializer, request.data)
        membership = project_services.add_member(project=project, username=data["user"]["username"], role=data["role"])
        return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)


class MembershipViewSet(viewsets.GenericViewSet, generics.RetrieveUpdateDestroyAPIView):
    serializer_class = MembershipSerializer
    permission_classes = [RoleRequired]
    capability = "manage"

    def get_queryset(self):
        return selectors.memberships_visible_to(self.request.user)

    @extend_schema(request=MembershipSerializer)
    def update(self, request, *args, **kwargs):
        membership = self.get_object()
        role = validated(MembershipSerializer, request.data, partial=True).get("role", membership.role)
        return Response(MembershipSerializer(project_services.change_member_role(membership=membership, role=role)).data)

    def perform_destroy(self, instance):
        project_services.remove_member(membership=instance)


class ProjectStorageView(APIView):
    """The media disk's usage, quota and free space, for a project's managers (docs/operations.md, "Disk")."""

    @extend_schema(responses={200: StorageUsageSerializer, 403: error("only the project's managers see storage")})
    def get(self, request, pk):
        require(request, "manage", scoped(request, selectors.projects_visible_to, pk))
        return Response(StorageUsageSerializer(disk.storage_usage()).data)
