"""The OpenAPI schema's error responses, declared once for every operation.

Every error the API returns has one shape, `Error` (annotator/api/errors.py writes it). The
standard codes follow from what an operation is, so `AutoSchema` adds them to each operation
that does not declare them itself:

| code | added to | why |
|---|---|---|
| 400 | unsafe methods, operations with query parameters | invalid input, a broken rule |
| 401 | operations that need credentials | no or a bad token |
| 403 | unsafe methods that need credentials | the role in the project does not allow it |
| 404 | operations with path parameters | no such object among those the user may see |
| 404 | paged lists (a `page` query parameter) | a page past the end (docs/api.md, "Pagination") |
| 413 | operations that take a file upload | the file is over SIAMLABEL_MAX_UPLOAD_MB |
| 415 | operations with a request body | a body in a media type the operation does not read |
| 503 | every operation | the database is restarting: `maybe_saved` says whether to resend or re-read |

It also maps file fields to `format: binary` (drf-spectacular's default, a URI, is how a file is
returned, but here files are only ever uploaded).

Codes that depend on the business rules (409 for a stale version, a running job, a name taken)
are declared by the view with `error("why")`:

    @extend_schema(request=VersionSerializer, responses={200: TrackSerializer, 409: error("stale version")})
"""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import append_meta, build_basic_type, force_instance, is_serializer
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class ErrorSerializer(serializers.Serializer):
    """Every 4xx body: a message, and field errors for a 400.

    Some errors add keys (a 409 on a stale track its current `version`, a running job its
    `job_id`, an accept refused for open comments their `unresolved_comments`); the schema leaves
    additional properties open for them.
    """

    detail = serializers.CharField(help_text="What went wrong, in one sentence.")
    errors = serializers.JSONField(
        required=False, help_text="400 on invalid input: the messages per field ({field: [message, ...]})."
    )
    maybe_saved = serializers.BooleanField(
        required=False, help_text="503 only: false, nothing was saved (resend); true, the change may have been "
                                  "saved (read it again before resending)."
    )


def error(description: str) -> OpenApiResponse:
    """Return an error response in the API's shape, for a code a view adds to the standard ones."""
    return OpenApiResponse(ErrorSerializer, description=description)


STANDARD_ERRORS = {
    "400": "The input is invalid or breaks a rule: `detail` says why, `errors` holds the field errors.",
    "401": "No credentials, or a token that is not valid: send `Authorization: Token <key>`.",
    "403": "Your role in this project does not allow this.",
    "404": "No such object among those you may see.",
    "413": "The file is over the upload limit (SIAMLABEL_MAX_UPLOAD_MB).",
    "415": "The body's media type is not one this operation reads (or the body cannot be parsed as it).",
    "503": "The database is unavailable for a moment (a restart). `maybe_saved: false`: nothing was saved; send "
           "the request again after `Retry-After`. `maybe_saved: true` (the database went away during the commit, "
           "or after an upload was stored): the change may have landed; read it again before resending.",
}


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's AutoSchema, plus the standard error responses and binary uploads."""

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses = operation.setdefault("responses", {})
        for code in self._error_codes(operation):
            if code not in responses:
                responses[code] = self._get_response_for_code(error(STANDARD_ERRORS[code]), code)
        return operation

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        if isinstance(field, serializers.FileField):
            return append_meta(build_basic_type(OpenApiTypes.BINARY), self._get_serializer_field_meta(field, direction))
        return super()._map_serializer_field(field, direction, bypass_extensions)

    def _error_codes(self, operation: dict) -> list[str]:
        locations = {p["in"] for p in operation.get("parameters", [])}
        security = operation.get("security", [])
        needs_credentials = bool(security) and {} not in security
        codes = []
        if self.method in UNSAFE_METHODS or "query" in locations:
            codes.append("400")
        if needs_credentials:
            codes.append("401")
            if self.method in UNSAFE_METHODS:
                codes.append("403")
        paged = any(p["in"] == "query" and p["name"] == "page" for p in operation.get("parameters", []))
        if "path" in locations or paged:
            codes.append("404")
        if "requestBody" in operation:  # (asking a body-less APIView for its serializer logs an error)
            codes.append("415")
            if self._takes_file():
                codes.append("413")
        codes.append("503")
        return codes

    def _takes_file(self) -> bool:
        request = self.get_request_serializer()
        candidates = request.values() if isinstance(request, dict) else [request]
        return any(
            is_serializer(candidate) and any(isinstance(f, serializers.FileField) for f in candidate.fields.values())
            for candidate in map(force_instance, candidates)
        )
