"""Projects, their labels and their members."""

from django.contrib.auth import get_user_model
from django.db import transaction

from annotator import media_store
from annotator.choices import Role
from annotator.models import Label, Membership, Project, PropagationJob, Track
from annotator.services.errors import Conflict, ServiceError
from annotator.services.tracks import refuse_running_jobs

# Colours for new labels (Sasha Trubetskoy's "20 distinct colours", a published palette).
LABEL_PALETTE = ["#e6194b", "#3cb44b", "#ffe119", "#4363d8", "#f58231", "#911eb4", "#46f0f0", "#f032e6",
                 "#bcf60c", "#fabebe", "#008080", "#e6beff", "#9a6324", "#fffac8", "#800000", "#aaffc3"]


@transaction.atomic
def create_project(*, name: str, by, description: str = "", labels: list[str] = ()) -> Project:
    """Create a project with its creator as manager; a label named twice is created once."""
    project = Project.objects.create(name=name, description=description, created_by=by)
    Membership.objects.create(project=project, user=by, role=Role.MANAGER)
    for label_name in dict.fromkeys(labels):
        create_label(project=project, name=label_name)
    return project


def update_project(*, project: Project, name: str | None = None, description: str | None = None,
                   auto_repropagate: bool | None = None, finetune_every_accepted: int | None = None) -> Project:
    """Rename or re-describe a project, switch re-propagation after corrections (services/corrections.py),
    or set after how many newly accepted tracks a fine-tune starts by itself (services/finetune.py; 0: never).

    Labels change through create_label / update_label / delete_label.
    """
    return _save_changes(project, name=name, description=description, auto_repropagate=auto_repropagate,
                         finetune_every_accepted=finetune_every_accepted)


def delete_project(*, project: Project) -> None:
    """Delete a project and everything in it, and its files once the deletion commits.

    Refused (409) while a propagation job is queued or running in it, as for a video.
    """
    store = media_store.get()
    folders = [f"videos/{pk}" for pk in project.videos.values_list("pk", flat=True)]
    folders += [f"exports/{pk}" for pk in project.exports.values_list("pk", flat=True)]
    folders += [f"imports/{pk}" for pk in project.imports.values_list("pk", flat=True)]
    folders += [f"finetune/{pk}" for pk in project.finetunes.values_list("pk", flat=True)]  # stored training states
    with transaction.atomic():
        refuse_running_jobs(PropagationJob.objects.filter(video__project=project), f"project '{project.name}'")
        # Tracks first: they protect their labels, which the project's own deletion would take.
        Track.objects.filter(video__project=project).delete()
        project.delete()
        transaction.on_commit(lambda: [store.delete_prefix(f) for f in folders])


def create_label(*, project: Project, name: str, colour: str | None = None) -> Label:
    if project.labels.filter(name=name).exists():
        raise Conflict(f"label '{name}' already exists in this project")
    colour = colour or LABEL_PALETTE[project.labels.count() % len(LABEL_PALETTE)]
    return Label.objects.create(project=project, name=name, colour=colour)


def update_label(*, label: Label, name: str | None = None, colour: str | None = None) -> Label:
    if name is not None and label.project.labels.exclude(pk=label.pk).filter(name=name).exists():
        raise Conflict(f"label '{name}' already exists in this project")
    return _save_changes(label, name=name, colour=colour)


def delete_label(*, label: Label) -> None:
    if label.tracks.exists():
        raise Conflict(f"label '{label.name}' is used by tracks; relabel or delete them first")
    label.delete()


def add_member(*, project: Project, username: str, role: str) -> Membership:
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise ServiceError(f"no user named '{username}'")
    if project.memberships.filter(user=user).exists():
        raise Conflict(f"'{username}' is already a member of this project")
    return Membership.objects.create(project=project, user=user, role=role)


@transaction.atomic
def change_member_role(*, membership: Membership, role: str) -> Membership:
    if membership.role == Role.MANAGER and role != Role.MANAGER:
        _keep_a_manager(membership)
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def remove_member(*, membership: Membership) -> None:
    if membership.role == Role.MANAGER:
        _keep_a_manager(membership)
    membership.delete()


def _keep_a_manager(membership: Membership) -> None:
    others = Membership.objects.select_for_update().filter(project_id=membership.project_id, role=Role.MANAGER)
    if not others.exclude(pk=membership.pk).exists():
        raise ServiceError("a project needs at least one manager")


def _save_changes(obj, **values):
    """Set the given (not None) values and save only those fields."""
    fields = [field for field, value in values.items() if value is not None]
    for field in fields:
        setattr(obj, field, values[field])
    if fields:
        obj.save(update_fields=fields)
    return obj
