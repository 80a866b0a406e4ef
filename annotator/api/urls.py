from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from annotator.api.views.auth import AuthTokenView
from annotator.api.views.checkpoints import CheckpointListView
from annotator.api.views.finetune import FineTuneViewSet, ProjectFineTunesView, ProjectModelView
from annotator.api.views.health import HealthAliasView, HealthView
from annotator.api.views.jobs import JobViewSet
from annotator.api.views.projects import (
    LabelViewSet,
    MembershipViewSet,
    ProjectLabelsView,
    ProjectMembersView,
    ProjectStorageView,
    ProjectViewSet,
)
from annotator.api.views.review import ReviewQueueView
from annotator.api.views.tracks import CommentViewSet, TrackViewSet
from annotator.api.views.transfers import (
    ExportDownloadView,
    ExportView,
    ImportView,
    ProjectExportsView,
    ProjectImportsView,
)
from annotator.api.views.videos import FrameView, ProjectVideosView, VideoViewSet

router = SimpleRouter()
router.register("projects", ProjectViewSet, basename="project")
router.register("labels", LabelViewSet, basename="label")
router.register("members", MembershipViewSet, basename="member")
router.register("videos", VideoViewSet, basename="video")
router.register("tracks", TrackViewSet, basename="track")
router.register("jobs", JobViewSet, basename="job")
router.register("comments", CommentViewSet, basename="comment")
router.register("finetunes", FineTuneViewSet, basename="finetune")

urlpatterns = [
    path("auth/token/", AuthTokenView.as_view(), name="auth-token"),
    path("health", HealthView.as_view(), name="health"),
    path("health/", HealthAliasView.as_view()),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
    path("projects/<int:pk>/labels/", ProjectLabelsView.as_view(), name="project-labels"),
    path("projects/<int:pk>/members/", ProjectMembersView.as_view(), name="project-members"),
    path("projects/<int:pk>/videos/", ProjectVideosView.as_view(), name="project-videos"),
    path("projects/<int:pk>/storage/", ProjectStorageView.as_view(), name="project-storage"),
    path("projects/<int:pk>/model/", ProjectModelView.as_view(), name="project-model"),
    path("projects/<int:pk>/finetunes/", ProjectFineTunesView.as_view(), name="project-finetunes"),
    path("review/", ReviewQueueView.as_view(), name="review-queue"),
    path("checkpoints/", CheckpointListView.as_view(), name="checkpoints"),
    path("videos/<int:pk>/frames/<int:frame>.jpg", FrameView.as_view(), name="video-frame"),
    path("projects/<int:pk>/exports/", ProjectExportsView.as_view(), name="project-exports"),
    path("projects/<int:pk>/imports/", ProjectImportsView.as_view(), name="project-imports"),
    path("exports/<int:pk>/", ExportView.as_view(), name="export-detail"),
    path("exports/<int:pk>/download", ExportDownloadView.as_view(), name="export-download"),
    path("imports/<int:pk>/", ImportView.as_view(), name="import-detail"),
    *router.urls,
]
