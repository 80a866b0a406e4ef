"""One transaction per API write, so a 503 tells the client truthfully whether anything was saved.

Services commit as they go; without this, a request could commit its change, lose the database
while building its answer, and answer 503 although the change had landed. Here every unsafe
`/api/` request with a JSON (or empty) body runs in one transaction that is committed only after
the response is built, and only when it is a success (2xx/3xx): an error answer rolls back
everything the request wrote. So:

- the database fails before the commit: 503, `maybe_saved: false`, nothing was saved; resend;
- the COMMIT itself fails: 503, `maybe_saved: true`; the server cannot know whether it landed,
  so the client must read the object again before resending.

Multipart requests (video and label uploads) are left out: their body can take minutes to
arrive, and a transaction would hold its locks (with SQLite, the database's write lock) all
that time. Their services write in one transaction at the end; a 503 to them says
`maybe_saved: true`. Reads save nothing: their 503 says `maybe_saved: false`.
"""

import sys

from django.db import InterfaceError, OperationalError, connection, transaction

from annotator.api.errors import database_unavailable

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
DATABASE_DOWN = (OperationalError, InterfaceError)


def wraps_in_transaction(request) -> bool:
    return (
        request.method in UNSAFE_METHODS
        and request.path.startswith("/api/")
        and not request.content_type.startswith("multipart/")
    )


class WriteTransactionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not wraps_in_transaction(request):
            return self.get_response(request)
        atomic = transaction.atomic()
        try:
            atomic.__enter__()  # connects: a database that is down fails here, before anything ran
        except DATABASE_DOWN as exc:
            return database_unavailable(exc, maybe_saved=False)
        request.in_write_transaction = True  # errors.exception_handler: a failure here saved nothing
        try:
            response = self.get_response(request)
        except BaseException:
            atomic.__exit__(*sys.exc_info())
            raise
        if response.status_code >= 400 and connection.in_atomic_block:
            transaction.set_rollback(True)
        try:
            atomic.__exit__(None, None, None)
        except DATABASE_DOWN as exc:
            # The COMMIT was sent, or not: only the database knows whether it landed.
            return database_unavailable(exc, maybe_saved=True)
        return response
