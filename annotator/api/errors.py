"""Turn service errors into JSON 4xx responses: {"detail": message, ...extra}."""

from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from annotator.services.errors import ServiceError


def exception_handler(exc, context):
    if isinstance(exc, ServiceError):
        return Response({"detail": exc.message, **exc.extra}, status=exc.status_code)
    response = drf_exception_handler(exc, context)
    if response is not None and response.status_code == status.HTTP_400_BAD_REQUEST and "detail" not in response.data:
        # Field errors keep their structure, with a one-line summary for people and scripts.
        first_field, messages = next(iter(response.data.items())) if isinstance(response.data, dict) else ("", response.data)
        message = messages[0] if isinstance(messages, list) and messages else messages
        response.data = {"detail": f"{first_field}: {message}" if first_field else str(message), "errors": response.data}
    return response
