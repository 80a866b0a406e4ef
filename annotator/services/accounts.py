"""API tokens: issuing, expiry and revocation.

    token = issue_token(user=user)     # the user's token; a new one once the old has expired
    revoke_token(user=request.user)    # the old key gets 401 from now on
"""

from datetime import datetime

from django.conf import settings
from django.utils import timezone
from rest_framework.authtoken.models import Token


def token_expires_at(token: Token) -> datetime:
    """Return when the token stops working (SIAMLABEL_TOKEN_LIFETIME after it was issued)."""
    return token.created + settings.SIAMLABEL_TOKEN_LIFETIME


def token_has_expired(token: Token) -> bool:
    return token_expires_at(token) <= timezone.now()


def issue_token(*, user) -> Token:
    """Return the user's token, the same one until it expires or is revoked; then a new key."""
    # The key is Token's primary key: an expired token is replaced, never renewed in place.
    Token.objects.filter(user=user, created__lte=timezone.now() - settings.SIAMLABEL_TOKEN_LIFETIME).delete()
    return Token.objects.get_or_create(user=user)[0]


def revoke_token(*, user) -> bool:
    """Delete the user's API token; return whether there was one. Other users' tokens stay."""
    deleted, _ = Token.objects.filter(user=user).delete()
    return deleted > 0
