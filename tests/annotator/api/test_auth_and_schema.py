import pytest


@pytest.mark.django_db
def test_token_is_issued_for_valid_credentials(client, cast):
    response = client.post("/api/auth/token/", {"username": "alice", "password": "alice-pw-123"})
    assert response.status_code == 200
    assert len(response.json()["token"]) == 40


@pytest.mark.django_db
def test_token_is_refused_for_a_wrong_password(client, cast):
    response = client.post("/api/auth/token/", {"username": "alice", "password": "nope"})
    assert response.status_code == 400


@pytest.mark.django_db
def test_anonymous_requests_are_refused(client):
    assert client.get("/api/projects/").status_code in (401, 403)


@pytest.mark.django_db
def test_session_login_reaches_the_api(client, cast):
    assert client.login(username="alice", password="alice-pw-123")
    assert client.get("/api/projects/").status_code == 200


@pytest.mark.django_db
def test_openapi_schema_lists_the_stable_paths(client):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for stable in ["/api/auth/token/", "/api/projects/", "/api/projects/{id}/", "/api/projects/{id}/labels/",
                   "/api/projects/{id}/members/", "/api/projects/{id}/videos/", "/api/videos/{id}/",
                   "/api/videos/{id}/frames/{frame}.jpg", "/api/videos/{id}/tracks/",
                   "/api/tracks/{id}/annotations/", "/api/tracks/{id}/annotations/{frame}/",
                   "/api/tracks/{id}/propagate/", "/api/jobs/{id}/", "/api/jobs/{id}/cancel/", "/api/health"]:
        assert stable in paths, stable


@pytest.mark.django_db
def test_docs_page_renders_without_network_assets(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert b"cdn." not in response.content


@pytest.mark.django_db
def test_malformed_json_gets_a_clear_400(clients, track):
    response = clients.alice.generic(
        "PUT", f"/api/tracks/{track.pk}/annotations/0/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert "JSON" in response.json()["detail"]
