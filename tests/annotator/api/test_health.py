import pytest
from django.utils import timezone

from annotator.models import WorkerHeartbeat
from tests.conftest import wait_for


@pytest.mark.django_db
def test_health_reports_database_broker_and_recent_workers(client):
    now = timezone.now()
    WorkerHeartbeat.objects.create(hostname="gpu@a", queues="gpu", device="cpu", started_at=now, last_seen=now)
    WorkerHeartbeat.objects.create(hostname="old@b", queues="gpu", started_at=now,
                                   last_seen=now - timezone.timedelta(hours=1))
    response = client.get("/api/health")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["database"], body["broker"]) == ("ok", "ok")
    assert [w["hostname"] for w in body["workers"]] == ["gpu@a"]
    assert body["default_checkpoint"] is None


@pytest.mark.django_db
def test_health_is_503_when_the_broker_is_unreachable(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # a real, closed port
    response = client.get("/api/health")
    assert response.status_code == 503
    assert response.json()["broker"].startswith("error")


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_started_worker_appears_with_its_queues(client, start_worker):
    worker = start_worker("gpu,default")
    workers = wait_for(lambda: client.get("/api/health").json()["workers"], 60, "the worker's first heartbeat", worker)
    assert [w["queues"] for w in workers] == [["default", "gpu"]]
    assert workers[0]["hostname"].startswith("test-")  # the name it was started with (-n test-...@host)
