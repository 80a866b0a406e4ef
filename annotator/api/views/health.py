"""GET /api/health: ok/degraded for the database, the broker and the workers; details for staff."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from annotator import selectors
from annotator.api.serializers_system import HealthSerializer
from config.celery import DEFAULT_QUEUE, GPU_QUEUE
from config.celery import app as celery_app

log = logging.getLogger(__name__)
WORKER_FRESH_SECONDS = 60


def check_database() -> str | None:
    """Return why the database cannot be queried, or None when it can."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return None
    except Exception as exc:
        return str(exc) or type(exc).__name__


def check_broker() -> str | None:
    """Return why the broker cannot be reached, or None when it can."""
    try:
        with celery_app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return None
    except Exception as exc:
        return str(exc) or type(exc).__name__


class HealthView(APIView):
    """Anyone: ok/degraded per component. Staff users also get `details`: error messages (they name
    hosts, ports and database users), worker host names and queues, the checkpoint, the outbox."""

    permission_classes = [AllowAny]  # authenticated all the same: staff callers get the details

    @extend_schema(responses={200: HealthSerializer,
                              503: OpenApiResponse(HealthSerializer, description="the database or the broker is down")})
    def get(self, request):
        errors = {name: error for name, error in (("database", check_database()), ("broker", check_broker())) if error}
        for name, error in errors.items():
            log.warning("health: %s degraded: %s", name, error)
        workers, checkpoint, outbox = [], None, None
        if "database" not in errors:
            since = timezone.now() - timedelta(seconds=WORKER_FRESH_SECONDS)
            workers = [
                {"hostname": w.hostname, "queues": w.queues.split(","), "device": w.device,
                 "checkpoint_sha256": w.checkpoint_sha256, "last_seen": w.last_seen}
                for w in selectors.workers_seen_since(since)
            ]
            default = selectors.default_checkpoint()
            checkpoint = default and {"name": default.name, "sha256": default.sha256, "variant": default.variant}
            # Messages waiting for the broker (it was away); workers send them when it is back.
            outbox = selectors.outbox_backlog()
        served = {queue for worker in workers for queue in worker["queues"]}
        body = {"status": state(not errors), "database": state("database" not in errors),
                "broker": state("broker" not in errors), "workers": state({GPU_QUEUE, DEFAULT_QUEUE} <= served)}
        if request.user.is_staff:
            body["details"] = {"errors": errors, "workers": workers, "default_checkpoint": checkpoint,
                               "outbox": outbox}
        return Response(HealthSerializer(body).data, status=200 if not errors else 503)


def state(ok: bool) -> str:
    return "ok" if ok else "degraded"


@extend_schema(exclude=True)
class HealthAliasView(HealthView):
    """/api/health/ answers like /api/health; the schema lists the operation once."""
