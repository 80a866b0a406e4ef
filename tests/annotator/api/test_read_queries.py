"""The reads a busy workspace repeats ask a fixed number of SQL queries, however many rows they answer.

The project list is the small request of bench/long_video.py and the annotation window what its
readers loop over (docs/benchmarks.md, "Small requests"): on a saturated server each query is a
round trip that waits its turn, so a query per row (N+1) must not come back unnoticed.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotator.choices import Role, Source
from annotator.models import FrameAnnotation, Membership
from annotator.services import projects as project_services
from tests.annotator.conftest import client_for

pytestmark = pytest.mark.django_db

PROJECT_LIST_QUERIES = 3  # the token, the page with each project's role, the server's default checkpoint
WINDOW_QUERIES = 3  # the token, the track (scoped by membership), the rows' stamps for the ETag


def queries_of(client, url: str, **headers) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)
    assert response.status_code == 200
    return len(captured), response


def test_the_project_list_asks_the_same_queries_for_one_project_as_for_six(clients, cast):
    one, _ = queries_of(clients.alice, "/api/projects/")
    roles = [Role.MANAGER, Role.REVIEWER, Role.ANNOTATOR, Role.REVIEWER, Role.ANNOTATOR]
    for n, role in enumerate(roles):
        project = project_services.create_project(name=f"extra {n}", by=cast.carol)
        Membership.objects.create(project=project, user=cast.alice, role=role)
    six, response = queries_of(clients.alice, "/api/projects/")
    assert one == six == PROJECT_LIST_QUERIES
    body = response.json()
    assert body["count"] == 6
    assert [p["role"] for p in body["results"]] == [*reversed(roles), Role.ANNOTATOR]  # newest first


def test_a_superuser_is_a_manager_of_every_project_in_the_list(cast, django_user_model):
    root = django_user_model.objects.create_superuser("root", password="root-pw-123")
    count, response = queries_of(client_for(root), "/api/projects/")
    assert count == PROJECT_LIST_QUERIES
    assert {(p["name"], p["role"]) for p in response.json()["results"]} == {("P", "manager"), ("Q", "manager")}


def test_a_full_first_page_is_still_counted(clients, cast):
    for n in range(3):
        project_services.create_project(name=f"extra {n}", by=cast.carol)
    count, response = queries_of(clients.carol, "/api/projects/?page_size=2")
    assert count == PROJECT_LIST_QUERIES + 1  # COUNT(*): the first page cannot tell the total
    body = response.json()
    assert (body["count"], len(body["results"])) == (4, 2) and "page=2" in body["next"]


def test_an_annotation_window_read_asks_the_same_queries_for_few_frames_as_for_many(clients, track):
    url = f"/api/tracks/{track.pk}/annotations/?from=0&to=499"
    queries_of(clients.alice, url, HTTP_ACCEPT_ENCODING="gzip")  # the first read builds the body and caches it
    few, _ = queries_of(clients.alice, url, HTTP_ACCEPT_ENCODING="gzip")
    FrameAnnotation.objects.bulk_create([
        FrameAnnotation(track=track, frame_index=f, source=Source.PROPAGATED, bbox=[1, 1, 4, 4], score=0.9, area=16,
                        mask_rle={"size": [120, 160], "counts": "0"}) for f in range(1, 300)])
    queries_of(clients.alice, url, HTTP_ACCEPT_ENCODING="gzip")
    many, response = queries_of(clients.alice, url, HTTP_ACCEPT_ENCODING="gzip")
    assert few == many == WINDOW_QUERIES
    assert response["ETag"].startswith('W/"')
