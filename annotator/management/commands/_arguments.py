"""Lookups shared by the management commands (not a command itself: the name starts with _)."""

from django.contrib.auth import get_user_model
from django.core.management import CommandError

from annotator.models import Project


def project_or_error(project_id: int) -> Project:
    project = Project.objects.filter(pk=project_id).first()
    if project is None:
        raise CommandError(f"no project with id {project_id}")
    return project


def user_or_error(username: str | None):
    """Return the user named `username`, None when no name is given; CommandError if unknown."""
    if not username:
        return None
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"no user named '{username}'")
    return user
