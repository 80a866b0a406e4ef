"""Rate limits on guessing: sign-in (per client IP and per username) and adding project members.

Rates are REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] (SIAMLABEL_THROTTLE_* in the environment);
counters live in the Django cache. Over a limit, DRF answers 429 with Retry-After; the login page,
a plain Django view, asks `sign_in_wait` and answers the same way.

    throttle_classes = [SignInIPThrottle, SignInUsernameThrottle]     # a DRF view
    wait = sign_in_wait(request)                                      # the login page's POST
"""

import hashlib
import logging
import math
from collections.abc import Mapping

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

log = logging.getLogger(__name__)


class RateThrottle(SimpleRateThrottle):
    """A scoped throttle whose rate is read when it is built (DRF's is fixed at import), and which
    lets requests through when the cache is unreachable: a cache restart must not lock everyone out."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except Exception:  # redis, file and memcached backends share no base class for their errors
            log.warning("throttle %s not applied: the cache is unreachable", self.scope, exc_info=True)
            return True


class SignInIPThrottle(RateThrottle):
    """Sign-in attempts per client address (REMOTE_ADDR, or X-Forwarded-For past NUM_PROXIES)."""

    scope = "sign_in_ip"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class SignInUsernameThrottle(RateThrottle):
    """Sign-in attempts per username, from any address: guessing one account's password from many."""

    scope = "sign_in_username"

    def get_cache_key(self, request, view):
        data = getattr(request, "data", None)
        data = request.POST if data is None else data  # a DRF request, or the login page's Django one
        username = data.get("username") if isinstance(data, Mapping) else None
        if not isinstance(username, str) or not username:
            return None  # nothing to guess against; the per-IP limit still counts it
        # Case-folded and hashed: one budget for Alice and alice, and any characters make a valid key.
        ident = hashlib.sha256(username.casefold().encode()).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": ident}


class MemberAddThrottle(RateThrottle):
    """Members added per signed-in user: anyone can create a project and manage it, and adding a
    member says whether a username exists, so the rate bounds how fast accounts can be probed."""

    scope = "member_add"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


def sign_in_wait(request) -> int | None:
    """Count a sign-in attempt made outside DRF; return the seconds to wait when it is over a limit."""
    waits = [throttle.wait() for throttle in (SignInIPThrottle(), SignInUsernameThrottle())
             if not throttle.allow_request(request, None)]
    return math.ceil(max(waits)) if waits else None
