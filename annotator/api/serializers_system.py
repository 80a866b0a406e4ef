"""HTTP shapes of the API's own endpoints: issued tokens and /api/health. No logic here."""

from rest_framework import serializers

HEALTH_STATES = ["ok", "degraded"]


class IssuedTokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send it as `Authorization: Token <token>`.")
    expires = serializers.DateTimeField(help_text="When it stops working (SIAMLABEL_TOKEN_LIFETIME_HOURS after it "
                                                  "was issued); then POST again for a new one.")


class HealthWorkerSerializer(serializers.Serializer):
    hostname = serializers.CharField()
    queues = serializers.ListField(child=serializers.CharField())
    device = serializers.CharField()
    checkpoint_sha256 = serializers.CharField()
    last_seen = serializers.DateTimeField()


class HealthCheckpointSerializer(serializers.Serializer):
    name = serializers.CharField()
    sha256 = serializers.CharField()
    variant = serializers.CharField()


class HealthOutboxSerializer(serializers.Serializer):
    waiting = serializers.IntegerField(help_text="task messages not yet sent to the broker")
    oldest = serializers.DateTimeField(allow_null=True)


class HealthDetailsSerializer(serializers.Serializer):
    errors = serializers.DictField(child=serializers.CharField(),
                                   help_text="why each degraded component (database, broker) failed")
    workers = HealthWorkerSerializer(many=True, help_text="workers with a heartbeat in the last minute")
    default_checkpoint = HealthCheckpointSerializer(allow_null=True)
    outbox = HealthOutboxSerializer(allow_null=True, help_text="null while the database is down")


class HealthSerializer(serializers.Serializer):
    status = serializers.ChoiceField(HEALTH_STATES, help_text="ok when the database and the broker are")
    database = serializers.ChoiceField(HEALTH_STATES)
    broker = serializers.ChoiceField(HEALTH_STATES)
    workers = serializers.ChoiceField(HEALTH_STATES, help_text="ok when a live worker serves each queue "
                                                               "(gpu, default)")
    details = HealthDetailsSerializer(required=False, help_text="staff users only")


class StorageUsageSerializer(serializers.Serializer):
    used_bytes = serializers.IntegerField(help_text="everything under MEDIA_ROOT (all projects): uploads, frames, "
                                                    "exports, imports")
    quota_bytes = serializers.IntegerField(help_text="SIAMLABEL_STORAGE_QUOTA_MB; 0: no quota")
    free_bytes = serializers.IntegerField(help_text="free space on the media disk")
    reserve_bytes = serializers.IntegerField(help_text="SIAMLABEL_DISK_RESERVE_MB: kept free, never filled by frames")
