"""Token authentication whose tokens expire (SIAMLABEL_TOKEN_LIFETIME_HOURS after they were issued)."""

from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from annotator.services import accounts as account_services


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's TokenAuthentication, refusing (401) a token older than its lifetime."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if account_services.token_has_expired(token):
            raise AuthenticationFailed("token expired; POST /api/auth/token/ for a new one")
        return user, token
