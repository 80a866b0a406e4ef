"""/api/auth/token/: POST trades a username and password for a token; DELETE revokes it."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from annotator.services import accounts as account_services


class AuthTokenView(ObtainAuthToken):
    """Return the caller's API token for a username and password (the same one until revoked)."""

    def get_permissions(self):
        # POST checks the password itself; DELETE acts on the token (or session) it comes with.
        return [IsAuthenticated() if self.request.method == "DELETE" else AllowAny()]

    @extend_schema(request=None, responses={204: OpenApiResponse(description="the token is revoked")})
    def delete(self, request):
        """Revoke the caller's token: it gets 401 from now on; POST again for a new one."""
        account_services.revoke_token(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
