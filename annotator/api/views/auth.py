"""/api/auth/token/: POST trades a username and password for a token; DELETE revokes it."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from annotator.api.schema import error
from annotator.api.serializers_system import IssuedTokenSerializer
from annotator.api.throttles import SignInIPThrottle, SignInUsernameThrottle
from annotator.services import accounts as account_services


class AuthTokenView(ObtainAuthToken):
    """Return the caller's API token for a username and password (the same one until it expires or is revoked)."""

    def get_permissions(self):
        # POST checks the password itself; DELETE acts on the token (or session) it comes with.
        return [IsAuthenticated() if self.request.method == "DELETE" else AllowAny()]

    def get_throttles(self):
        # Only password guesses are limited; revoking needs a valid token already.
        return [SignInIPThrottle(), SignInUsernameThrottle()] if self.request.method == "POST" else []

    @extend_schema(request=AuthTokenSerializer, responses={
        200: IssuedTokenSerializer,
        429: error("too many sign-in attempts from this address or for this username; wait Retry-After seconds"),
    })
    def post(self, request, *args, **kwargs):
        """Return the caller's token and when it expires; an expired one is replaced by a new key."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token = account_services.issue_token(user=serializer.validated_data["user"])
        return Response(IssuedTokenSerializer({"token": token.key,
                                               "expires": account_services.token_expires_at(token)}).data)

    @extend_schema(request=None, responses={204: OpenApiResponse(description="the token is revoked")})
    def delete(self, request):
        """Revoke the caller's token: it gets 401 from now on; POST again for a new one."""
        account_services.revoke_token(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
