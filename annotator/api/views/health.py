"""GET /api/health: database, broker, workers seen recently, default checkpoint."""

from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from annotator.models import ModelCheckpoint, OutboxMessage, WorkerHeartbeat
from tracking_worker.celery_app import app as celery_app

WORKER_FRESH_SECONDS = 60


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception as exc:
        return f"error: {exc}"


def check_broker() -> str:
    try:
        with celery_app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return "ok"
    except Exception as exc:
        return f"error: {exc}"


class HealthView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(responses={200: dict, 503: OpenApiResponse(dict, description="the database or the broker is down")})
    def get(self, request):
        database = check_database()
        broker = check_broker()
        workers, checkpoint, outbox = [], None, None
        if database == "ok":
            since = timezone.now() - timedelta(seconds=WORKER_FRESH_SECONDS)
            workers = [
                {"hostname": w.hostname, "queues": w.queues.split(","), "device": w.device,
                 "checkpoint_sha256": w.checkpoint_sha256, "last_seen": w.last_seen}
                for w in WorkerHeartbeat.objects.filter(last_seen__gte=since)
            ]
            default = ModelCheckpoint.objects.filter(is_default=True).first()
            checkpoint = default and {"name": default.name, "sha256": default.sha256, "variant": default.variant}
            oldest = OutboxMessage.objects.order_by("created_at").first()
            # Messages waiting for the broker (it was away); workers send them when it is back.
            outbox = {"waiting": OutboxMessage.objects.count(), "oldest": oldest and oldest.created_at}
        healthy = database == "ok" and broker == "ok"
        body = {"status": "ok" if healthy else "degraded", "database": database, "broker": broker,
                "workers": workers, "default_checkpoint": checkpoint, "outbox": outbox}
        return Response(body, status=200 if healthy else 503)


@extend_schema(exclude=True)
class HealthAliasView(HealthView):
    """/api/health/ answers like /api/health; the schema lists the operation once."""
