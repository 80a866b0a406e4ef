"""Shared view plumbing: scoped lookups and role checks."""

from django.shortcuts import get_object_or_404
from rest_framework.exceptions import PermissionDenied

from annotator import selectors
from annotator.api.permissions import project_id_of


def scoped(request, queryset_of, pk):
    """Return the object `pk` among those the user may see; 404 for everything else."""
    return get_object_or_404(queryset_of(request.user), pk=pk)


def require(request, capability: str, obj) -> None:
    """Raise 403 unless the user's role in the object's project has `capability`."""
    if not selectors.can(request.user, capability, project_id_of(obj)):
        raise PermissionDenied(f"your role in this project does not allow this ({capability.replace('_', ' ')})")


def validated(serializer_class, data, **kwargs) -> dict:
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
