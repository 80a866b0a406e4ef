"""Every list is paged: ?page=&page_size=, a stable order, next links that reach every row once."""

import pytest

from annotator.api.pagination import DEFAULT_PAGE_SIZE, PagePagination
from annotator.services import projects as project_services

pytestmark = pytest.mark.django_db


def every_page(client, url):
    """Follow `next` from `url`; return each page's body."""
    pages = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.json()
        pages.append(response.json())
        url = pages[-1]["next"]
    return pages


def test_a_list_answers_count_next_previous_and_results(clients, cast):
    body = clients.carol.get("/api/projects/").json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert (body["count"], body["next"], body["previous"]) == (1, None, None)


def test_following_next_reaches_every_row_once_in_order(clients, cast):
    for n in range(6):
        project_services.create_project(name=f"extra {n}", by=cast.carol)
    pages = every_page(clients.carol, "/api/projects/?page_size=3")
    assert [len(p["results"]) for p in pages] == [3, 3, 1]
    ids = [row["id"] for page in pages for row in page["results"]]
    assert len(set(ids)) == 7 == pages[0]["count"]
    # the model's order (newest first, id breaks ties), the same on every request
    assert ids == [row["id"] for row in clients.carol.get("/api/projects/?page_size=50").json()["results"]]
    assert pages[1]["previous"].endswith("page_size=3") and "page=3" in pages[1]["next"]


def test_page_size_defaults_and_is_capped(clients, cast, monkeypatch):
    for n in range(3):
        project_services.create_label(project=cast.project, name=f"extra {n}")
    assert DEFAULT_PAGE_SIZE == 50
    monkeypatch.setattr(PagePagination, "max_page_size", 2)
    body = clients.alice.get(f"/api/projects/{cast.project.pk}/labels/?page_size=1000").json()
    assert (len(body["results"]), body["count"]) == (2, 5)


def test_a_page_past_the_end_is_a_404(clients, cast):
    response = clients.alice.get("/api/projects/?page=9")
    assert response.status_code == 404
    assert "page" in response.json()["detail"].lower()


def test_action_lists_are_paged_too(clients, track):
    for text in ("one", "two", "three"):
        assert clients.bob.post(f"/api/tracks/{track.pk}/comments/", {"text": text}, format="json").status_code == 201
    pages = every_page(clients.alice, f"/api/tracks/{track.pk}/comments/?page_size=2")
    assert [c["text"] for p in pages for c in p["results"]] == ["one", "two", "three"]
    tracks = clients.alice.get(f"/api/videos/{track.video_id}/tracks/").json()
    assert [t["id"] for t in tracks["results"]] == [track.pk]


def test_the_schema_documents_the_page_parameters(client):
    schema = client.get("/api/schema/?format=json").json()
    for path in ("/api/projects/", "/api/review/", "/api/videos/{id}/tracks/", "/api/tracks/{id}/comments/"):
        names = {p["name"] for p in schema["paths"][path]["get"].get("parameters", [])}
        assert {"page", "page_size"} <= names, path
    assert "results" in schema["components"]["schemas"]["PaginatedProjectList"]["properties"]
