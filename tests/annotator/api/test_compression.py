"""API JSON is gzipped for clients that accept it; pages and the token endpoint never are (BREACH)."""

import gzip
import json

import pytest

from annotator.choices import Source
from annotator.models import FrameAnnotation

pytestmark = pytest.mark.django_db


def test_annotations_are_gzipped_when_the_client_accepts_it(clients, track):
    FrameAnnotation.objects.bulk_create([FrameAnnotation(track=track, frame_index=f, source=Source.PROPAGATED,
                                                         bbox=[1, 1, 4, 4], area=16) for f in range(1, 200)])
    url = f"/api/tracks/{track.pk}/annotations/"
    plain = clients.alice.get(url)
    packed = clients.alice.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert packed["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed["Vary"]
    assert json.loads(gzip.decompress(packed.content)) == plain.json()
    assert len(packed.content) < len(plain.content) / 4
    assert "Content-Encoding" not in plain


def test_the_token_endpoint_is_never_compressed(cast):
    from rest_framework.test import APIClient

    response = APIClient().post("/api/auth/token/", {"username": "alice", "password": "alice-pw-123"}, format="json",
                                HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200 and "token" in response.json()
    assert "Content-Encoding" not in response


def test_html_pages_are_never_compressed(client, cast):
    client.force_login(cast.alice)
    response = client.get("/projects/", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200 and b"csrf" in response.content.lower()
    assert "Content-Encoding" not in response
