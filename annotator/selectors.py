"""Reads, always scoped by the user's memberships: what a user cannot see does not exist (404)."""

from datetime import datetime

from django.db.models import CharField, Count, Min, OuterRef, QuerySet, Subquery, Value

from annotator.choices import Role
from annotator.models import (
    ExportJob,
    FineTuneRun,
    ImportJob,
    FrameAnnotation,
    Label,
    Membership,
    ModelCheckpoint,
    OutboxMessage,
    Project,
    PropagationJob,
    ReviewComment,
    Track,
    Video,
    WorkerHeartbeat,
)

# What each role may do besides reading. Managers may do everything.
CAPABILITIES = {
    "edit_tracks": {Role.ANNOTATOR, Role.MANAGER},
    "upload": {Role.ANNOTATOR, Role.MANAGER},
    "review": {Role.REVIEWER, Role.MANAGER},
    "comment": {Role.ANNOTATOR, Role.REVIEWER, Role.MANAGER},
    "manage": {Role.MANAGER},
}


def projects_visible_to(user) -> QuerySet[Project]:
    if not user.is_authenticated:
        # Nobody's project; the schema generator also asks with an anonymous user to learn the models.
        return Project.objects.none()
    if user.is_superuser:
        return Project.objects.all()
    return Project.objects.filter(memberships__user=user)


def projects_with_role_visible_to(user) -> QuerySet[Project]:
    """Return the projects the user may see, each with `user_role`: what role_in() answers, in the same query."""
    projects = projects_visible_to(user)
    if not user.is_authenticated:
        return projects
    if user.is_superuser:
        return projects.annotate(user_role=Value(Role.MANAGER.value, output_field=CharField()))
    role = Membership.objects.filter(project=OuterRef("pk"), user=user).values("role")[:1]
    return projects.annotate(user_role=Subquery(role))


def role_in(user, project_id: int) -> str | None:
    """Return the user's role in a project (superusers act as managers), or None."""
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return Role.MANAGER
    return Membership.objects.filter(user=user, project_id=project_id).values_list("role", flat=True).first()


def can(user, capability: str, project_id: int) -> bool:
    return role_in(user, project_id) in CAPABILITIES[capability]


def labels_visible_to(user) -> QuerySet[Label]:
    return Label.objects.filter(project__in=projects_visible_to(user))


def memberships_visible_to(user) -> QuerySet[Membership]:
    return Membership.objects.filter(project__in=projects_visible_to(user)).select_related("user")


def videos_visible_to(user) -> QuerySet[Video]:
    return Video.objects.filter(project__in=projects_visible_to(user))


def tracks_visible_to(user) -> QuerySet[Track]:
    return Track.objects.filter(video__project__in=projects_visible_to(user)).select_related("video", "label")


def annotations_of(track: Track) -> QuerySet[FrameAnnotation]:
    return track.annotations.order_by("frame_index")


def annotation_summary_of(track: Track) -> QuerySet:
    """Return (frame_index, source, score, quality, area) of each of the track's frames, in frame order: no geometry."""
    return annotations_of(track).values_list("frame_index", "source", "score", "quality", "area")


def jobs_visible_to(user) -> QuerySet[PropagationJob]:
    return (
        PropagationJob.objects.filter(video__project__in=projects_visible_to(user))
        .select_related("checkpoint")
        .prefetch_related("tracks")
    )


def default_checkpoint(project: Project | None = None) -> ModelCheckpoint | None:
    """Return the checkpoint new propagation jobs start with: the project's choice, else the server's."""
    if project is not None and project.default_checkpoint_id:
        return project.default_checkpoint
    return ModelCheckpoint.objects.filter(is_default=True).first()


def checkpoints_listed() -> QuerySet[ModelCheckpoint]:
    """Return every registered checkpoint (server-wide: any signed-in user may see them), default first."""
    return ModelCheckpoint.objects.all()


def comments_visible_to(user) -> QuerySet[ReviewComment]:
    return ReviewComment.objects.filter(track__video__project__in=projects_visible_to(user)).select_related("author")


def exports_visible_to(user) -> QuerySet[ExportJob]:
    return ExportJob.objects.filter(project__in=projects_visible_to(user)).prefetch_related("videos")


def imports_visible_to(user) -> QuerySet[ImportJob]:
    return ImportJob.objects.filter(project__in=projects_visible_to(user))


def finetunes_visible_to(user) -> QuerySet[FineTuneRun]:
    return FineTuneRun.objects.filter(project__in=projects_visible_to(user)).select_related(
        "parent_checkpoint", "checkpoint")


def exports_of(project: Project) -> QuerySet[ExportJob]:
    return project.exports.prefetch_related("videos")


def imports_of(project: Project) -> QuerySet[ImportJob]:
    return project.imports.all()


def active_job_for(track: Track) -> PropagationJob | None:
    return PropagationJob.objects.filter(job_tracks__track=track, job_tracks__active=True).first()


def workers_seen_since(since: datetime) -> QuerySet[WorkerHeartbeat]:
    """Return the workers whose last heartbeat is at or after `since` (server-wide, so not scoped)."""
    return WorkerHeartbeat.objects.filter(last_seen__gte=since)


def outbox_backlog() -> dict:
    """Return {"waiting": n, "oldest": created_at or None} of the task messages not yet sent."""
    return OutboxMessage.objects.aggregate(waiting=Count("pk"), oldest=Min("created_at"))
