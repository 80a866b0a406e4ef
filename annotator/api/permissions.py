"""Who may do what. Reading needs membership (enforced by scoped querysets: outsiders get 404);
these classes check the role for actions that change things."""

from rest_framework.permissions import SAFE_METHODS, IsAuthenticated

from annotator import selectors
from annotator.models import Project


def project_id_of(obj) -> int:
    """Return the id of the project an object belongs to."""
    if isinstance(obj, Project):
        return obj.pk
    for path in ("project_id", "video.project_id", "track.video.project_id"):
        value = obj
        try:
            for part in path.split("."):
                value = getattr(value, part)
            return value
        except AttributeError:
            continue
    raise TypeError(f"cannot find the project of {obj!r}")


class RoleRequired(IsAuthenticated):
    """Allow safe methods to members; unsafe ones to roles with the view's `capability`.

    A view may give `capabilities = {"action_name": "capability"}` to vary it per action.
    """

    message = "your role in this project does not allow this action"

    def has_object_permission(self, request, view, obj):
        if request.method in SAFE_METHODS:
            return True
        capability = getattr(view, "capabilities", {}).get(view.action, view.capability)
        return selectors.can(request.user, capability, project_id_of(obj))
