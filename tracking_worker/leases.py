"""Keep a job's lease alive from a side thread while a worker is busy on it, however slow each step is.

    with renewing(lambda: Job.objects.filter(pk=7).update(heartbeat_at=timezone.now()), what="job 7"):
        ...   # long work; the orphan scans leave the job alone while its heartbeat is fresh
"""

import logging
import threading
from contextlib import contextmanager

from django.conf import settings
from django.db import connection

log = logging.getLogger(__name__)


@contextmanager
def renewing(renew, *, what: str):
    """Call `renew()` every half heartbeat (SIAMLABEL_HEARTBEAT_SECONDS / 2) until the block ends."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(settings.SIAMLABEL_HEARTBEAT_SECONDS / 2):
            try:
                renew()
            except Exception:  # the database may be briefly away; the next renewal tries again
                log.exception("could not renew the lease of %s", what)
            finally:
                connection.close()  # this thread's own connection

    thread = threading.Thread(target=loop, daemon=True, name=f"lease {what}")
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
