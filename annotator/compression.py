"""Gzip the API's JSON answers, and nothing else (docs/api.md, "Compression").

BREACH reads a secret out of a compressed response that also echoes text the attacker chose, by
watching its size. So compression is limited to bodies that hold no secret: /api/ JSON, which
carries labels, masks and ids; never the HTML pages (they embed the CSRF token) and never
/api/auth/token/ (its body is the token). Session and CSRF cookies travel in headers, which gzip
does not touch.
"""

from django.middleware.gzip import GZipMiddleware

API_PREFIX = "/api/"
NEVER = ("/api/auth/",)  # bodies that are secrets


class ApiJsonGZipMiddleware(GZipMiddleware):
    def process_response(self, request, response):
        path = request.path
        if (not path.startswith(API_PREFIX) or path.startswith(NEVER)
                or not response.get("Content-Type", "").startswith("application/json")):
            return response
        return super().process_response(request, response)
