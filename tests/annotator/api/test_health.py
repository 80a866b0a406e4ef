"""GET /api/health: ok/degraded per component for anyone; what failed and which workers, for staff."""

import pytest
from django.utils import timezone

from annotator.models import WorkerHeartbeat
from tests.annotator.conftest import client_for
from tests.conftest import wait_for

CLOSED_BROKER = "redis://127.0.0.1:1/0"  # a real, closed port


def heartbeat(hostname: str, queues: str, seconds_ago: float = 0) -> WorkerHeartbeat:
    seen = timezone.now() - timezone.timedelta(seconds=seconds_ago)
    return WorkerHeartbeat.objects.create(hostname=hostname, queues=queues, device="cpu", started_at=seen,
                                          last_seen=seen)


@pytest.fixture
def staff(make_user):
    user = make_user("operator")
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return client_for(user)


@pytest.mark.django_db
def test_the_public_answer_is_ok_or_degraded_per_component_and_nothing_else(client):
    heartbeat("gpu@host-a", "gpu")
    heartbeat("default@host-b", "default")
    response = client.get("/api/health")
    assert response.status_code == 200, response.json()
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok", "workers": "ok"}


@pytest.mark.django_db
def test_workers_are_degraded_unless_a_live_worker_serves_each_queue(client):
    heartbeat("gpu@host-a", "gpu")
    heartbeat("default@host-b", "default", seconds_ago=3600)  # gone
    response = client.get("/api/health")
    assert response.status_code == 200  # the API itself works; jobs wait for a worker
    assert response.json()["workers"] == "degraded"


@pytest.mark.django_db
def test_a_broken_broker_is_503_without_its_address_for_the_public(client, clients, settings):
    settings.CELERY_BROKER_URL = CLOSED_BROKER
    for caller in (client, clients.carol):  # anonymous, and a project manager who is not staff
        response = caller.get("/api/health")
        assert response.status_code == 503
        assert response.json() == {"status": "degraded", "database": "ok", "broker": "degraded",
                                   "workers": "degraded"}
        assert b"127.0.0.1" not in response.content


@pytest.mark.django_db
def test_staff_see_the_error_the_workers_and_the_checkpoint(staff, settings):
    settings.CELERY_BROKER_URL = CLOSED_BROKER
    heartbeat("gpu@host-a", "gpu,default")
    heartbeat("old@host-b", "gpu", seconds_ago=3600)
    response = staff.get("/api/health")
    assert response.status_code == 503
    details = response.json()["details"]
    assert list(details["errors"]) == ["broker"]
    assert "127.0.0.1:1" in details["errors"]["broker"]
    assert [(w["hostname"], w["queues"]) for w in details["workers"]] == [("gpu@host-a", ["gpu", "default"])]
    assert details["default_checkpoint"] is None
    assert details["outbox"] == {"waiting": 0, "oldest": None}


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_started_worker_appears_with_its_queues(client, start_worker, staff):
    worker = start_worker("gpu,default")
    wait_for(lambda: client.get("/api/health").json()["workers"] == "ok", 60, "the worker's first heartbeat", worker)
    workers = staff.get("/api/health").json()["details"]["workers"]
    assert [w["queues"] for w in workers] == [["default", "gpu"]]
    assert workers[0]["hostname"].startswith("test-")  # the name it was started with (-n test-...@host)
    assert workers[0]["device"] == "cpu"  # a gpu worker reports its device before its first job
