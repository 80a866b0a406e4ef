"""Turn service errors into JSON 4xx responses: {"detail": message, ...extra}; a lost database into a 503."""

import logging

from django.db import InterfaceError, OperationalError
from django.http import JsonResponse
from django.views import defaults
from rest_framework import status
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from annotator.services.errors import ServiceError


log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 5


NOT_SAVED = "the database is unavailable for a moment; nothing was saved, try again"
MAYBE_SAVED = ("the database became unavailable while your change was being saved; it may have been saved: "
               "read it again before sending it again")


def database_unavailable(exc: Exception, *, maybe_saved: bool) -> JsonResponse:
    """The database restarting: a clear 503 that says whether the change may have been saved.

    A plain JsonResponse: the write-transaction middleware returns it outside DRF's views.
    """
    log.warning("database unavailable: %s", exc)
    return JsonResponse({"detail": MAYBE_SAVED if maybe_saved else NOT_SAVED, "maybe_saved": maybe_saved},
                        status=status.HTTP_503_SERVICE_UNAVAILABLE, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


def exception_handler(exc, context):
    if isinstance(exc, (OperationalError, InterfaceError)):
        # Inside a request's write transaction (annotator/request_transaction.py), or in a read,
        # nothing was saved; a write outside one (an upload) may have committed before the failure.
        request = context["request"]
        saved_nothing = request.method in SAFE_METHODS or getattr(request, "in_write_transaction", False)
        return database_unavailable(exc, maybe_saved=not saved_nothing)
    if isinstance(exc, ServiceError):
        return Response({"detail": exc.message, **exc.extra}, status=exc.status_code)
    response = drf_exception_handler(exc, context)
    if response is not None and response.status_code == status.HTTP_400_BAD_REQUEST and "detail" not in response.data:
        # Field errors keep their structure, with a one-line summary for people and scripts.
        field, message = _first_error(response.data)
        response.data = {"detail": f"{field}: {message}" if field else message, "errors": response.data}
    return response


def _first_error(errors, path: tuple = ()) -> tuple[str, str]:
    """Return the dotted field path and text of the first message in DRF's (nested) field errors."""
    if isinstance(errors, dict) and errors:
        key, value = next(iter(errors.items()))
        return _first_error(value, (*path, str(key)))
    if isinstance(errors, list) and errors:
        # A list field's errors hold an empty entry for each item that was valid.
        return _first_error(next((e for e in errors if e), errors[0]), path)
    return ".".join(path), str(errors)


def bad_request(request, exception):
    """Django's own 400 (a suspicious request, before any view): the API's JSON shape under /api/."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "bad request"}, status=status.HTTP_400_BAD_REQUEST)
    return defaults.bad_request(request, exception)


def not_found(request, exception):
    """A URL no route matches (an id that is not a number): the API's JSON shape under /api/."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "not found"}, status=status.HTTP_404_NOT_FOUND)
    return defaults.page_not_found(request, exception)
