"""API tokens: revoking the caller's (DRF's ObtainAuthToken issues them).

    revoke_token(user=request.user)    # the old key gets 401 from now on
"""

from rest_framework.authtoken.models import Token


def revoke_token(*, user) -> bool:
    """Delete the user's API token; return whether there was one. Other users' tokens stay."""
    deleted, _ = Token.objects.filter(user=user).delete()
    return deleted > 0
