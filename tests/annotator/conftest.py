"""The cast: alice (annotator in P), bob (reviewer in P), carol (manager in P), mallory (only in Q).

Tests run against the real PostgreSQL and Redis named by DATABASE_URL and CELERY_BROKER_URL
(the Makefile sets them). Each test gets its own MEDIA_ROOT.
"""

import pytest
import redis
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from annotator.choices import Role
from annotator.models import Membership
from annotator.services import projects as project_services
from annotator.services import videos as video_services
from tests import clips


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Strong hashing costs ~0.3 s per user on these machines; tests don't need it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return settings.MEDIA_ROOT


@pytest.fixture
def broker():
    """The real Redis broker, emptied before and after: read what was sent with tests.broker."""
    client = redis.Redis.from_url(django_settings.CELERY_BROKER_URL)
    client.flushdb()
    yield client
    client.flushdb()


@pytest.fixture
def make_user(django_user_model):
    def make(username):
        return django_user_model.objects.create_user(username=username, password=f"{username}-pw-123")

    return make


@pytest.fixture
def cast(db, make_user):
    """Users and projects P (alice, bob, carol) and Q (mallory)."""
    alice, bob, carol, mallory = (make_user(n) for n in ("alice", "bob", "carol", "mallory"))
    project = project_services.create_project(name="P", by=carol, labels=["person", "ball"])
    Membership.objects.create(project=project, user=alice, role=Role.ANNOTATOR)
    Membership.objects.create(project=project, user=bob, role=Role.REVIEWER)
    other = project_services.create_project(name="Q", by=mallory, labels=["car"])
    return type("Cast", (), {"alice": alice, "bob": bob, "carol": carol, "mallory": mallory,
                             "project": project, "other": other})


def client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


@pytest.fixture
def clients(cast):
    return type("Clients", (), {n: client_for(getattr(cast, n)) for n in ("alice", "bob", "carol", "mallory")})


@pytest.fixture
def ready_video(cast, tmp_path):
    """A 12-frame 160x120 clip in project P, extracted synchronously (no worker needed)."""
    path = clips.write_video(tmp_path / "clip.avi")
    upload = SimpleUploadedFile("clip.avi", path.read_bytes(), content_type="video/x-msvideo")
    video = video_services.create_video(project=cast.project, name="clip", upload=upload, by=cast.alice)
    return video_services.extract_video_frames(video.pk)


@pytest.fixture
def track(cast, ready_video):
    from annotator.services.tracks import create_track

    return create_track(video=ready_video, label=cast.project.labels.first(), frame_index=0,
                        bbox=clips.square_box(0), by=cast.alice)
