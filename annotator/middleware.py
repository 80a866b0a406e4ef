"""Refuse a request whose declared body is larger than any upload may be, before reading it.

Django streams multipart files to disk with no size limit of its own; the upload services check
the file's size only once it is stored. This middleware answers 413 from the Content-Length
header alone, so a client announcing 50 GB costs neither disk nor time.
"""

from django.conf import settings
from django.http import JsonResponse

# Room for the multipart envelope around the file: boundaries, part headers, the other fields.
MULTIPART_SLACK_BYTES = 2**20


class RequestSizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0  # Django reads an unparsable length as an empty body, and so do we
        limit = settings.SIAMLABEL_MAX_UPLOAD_BYTES + MULTIPART_SLACK_BYTES
        if declared > limit:
            return JsonResponse(
                {"detail": f"the request body is {declared / 2**20:.1f} MB; "
                           f"the limit is {settings.SIAMLABEL_MAX_UPLOAD_BYTES // 2**20} MB"},
                status=413,
            )
        return self.get_response(request)
