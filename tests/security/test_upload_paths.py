"""Uploads are stored where the server decides and never served back as they came.

A video's file is `MEDIA_ROOT/videos/<pk>/source.<ext>` whatever the uploader called it; its
frames are re-encoded JPEGs reached only through the frame view, which checks membership and
the frame index. No URL serves MEDIA_ROOT.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files import File
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.views import static

import config.settings as configured
from annotator.models import Video
from annotator.services import videos as video_services
from tests import clips

pytestmark = pytest.mark.django_db

HOSTILE_NAMES = [
    "../../../evil.mp4",
    "x/../../a.zip",
    "..\\..\\evil.avi",
    "/etc/cron.d/evil.mkv",
    "evil.html.mp4",
    "%2e%2e%2fevil.mp4",
    "видео\u202egnp.mp4",  # a right-to-left override hiding the real extension
    "nul\x00byte.avi",
    "C:evil.mov",
]


def files_under(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def content_for(name: str, tmp_path: Path) -> bytes:
    if name.endswith(".zip"):
        return clips.write_frames_zip(tmp_path / "upload.zip", n=3).read_bytes()
    return clips.write_video(tmp_path / "upload.avi", n=3).read_bytes()


@pytest.mark.parametrize("filename", HOSTILE_NAMES)
def test_a_hostile_filename_never_becomes_a_path(clients, cast, tmp_path, filename):
    data = content_for(filename, tmp_path)
    before = files_under(tmp_path)
    response = clients.alice.post(f"/api/projects/{cast.project.pk}/videos/",
                                  {"file": SimpleUploadedFile(filename, data)}, format="multipart")
    assert response.status_code == 201, response.json()
    video = Video.objects.get(pk=response.json()["id"])
    ext = Path(video.source_file).suffix
    assert video.source_file == f"videos/{video.pk}/source{ext}"
    assert ext in (".mp4", ".zip", ".avi", ".mkv", ".mov")
    assert files_under(tmp_path) - before == {f"media/videos/{video.pk}/source{ext}"}
    assert (Path(settings.MEDIA_ROOT) / video.source_file).read_bytes() == data
    video = video_services.extract_video_frames(video.pk)
    assert video.status == "ready", video.error
    assert video.frames_dir == Path(settings.MEDIA_ROOT) / "videos" / str(video.pk) / "frames"


@pytest.mark.parametrize("filename", ["../../../evil.mp4", "sub/../../../../evil.zip"])
def test_the_service_ignores_the_name_of_an_unsanitised_file(cast, tmp_path, filename):
    """Callers other than the HTTP parser (the demo seeder, scripts) may pass any name at all."""
    data = content_for(filename, tmp_path)
    upload = File(open(tmp_path / ("upload.zip" if filename.endswith(".zip") else "upload.avi"), "rb"), name=filename)
    before = files_under(tmp_path)
    with upload:
        video = video_services.create_video(project=cast.project, name="", upload=upload, by=cast.alice)
    ext = Path(filename).suffix
    assert video.source_file == f"videos/{video.pk}/source{ext}"
    assert video.name == "evil"
    assert files_under(tmp_path) - before == {f"media/videos/{video.pk}/source{ext}"}
    assert (Path(settings.MEDIA_ROOT) / video.source_file).read_bytes() == data


def test_an_extension_that_is_not_a_video_is_refused_and_nothing_is_stored(clients, cast, tmp_path):
    for filename in ("evil.mp4.html", "evil.svg", "payload.js", "noext"):
        response = clients.alice.post(f"/api/projects/{cast.project.pk}/videos/",
                                      {"file": SimpleUploadedFile(filename, b"<script>alert(1)</script>")},
                                      format="multipart")
        assert response.status_code == 400, filename
    assert not Video.objects.exists()
    assert not Path(settings.MEDIA_ROOT).exists() or files_under(Path(settings.MEDIA_ROOT)) == set()


def test_no_url_serves_media_files(clients, ready_video, cast):
    def views(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from views(pattern.url_patterns)
            elif isinstance(pattern, URLPattern):
                yield pattern.callback

    assert static.serve not in set(views(get_resolver().url_patterns))
    media = Path(configured.MEDIA_ROOT).resolve()
    assert not media.is_relative_to(Path(configured.STATIC_ROOT).resolve())
    assert not Path(configured.STATIC_ROOT).resolve().is_relative_to(media)
    session = Client()
    session.force_login(cast.alice)
    source = (Path(settings.MEDIA_ROOT) / ready_video.source_file).read_bytes()
    for url in (f"/media/{ready_video.source_file}", f"/media/videos/{ready_video.pk}/frames/00000.jpg",
                f"/static/../media/{ready_video.source_file}", f"/static/{ready_video.source_file}"):
        for client in (clients.alice, session):
            assert client.get(url).status_code == 404, url
    # /videos/... is a route of the browser app: it answers with the app's page, never the file
    response = session.get(f"/{ready_video.source_file}")
    assert response["Content-Type"].startswith("text/html")
    assert source not in response.content


def test_frames_come_only_as_jpeg_with_nosniff(clients, ready_video):
    response = clients.alice.get(f"/api/videos/{ready_video.pk}/frames/0.jpg")
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"\xff\xd8")


@pytest.mark.parametrize("frame", ["-1", "12", "99999999999999999999999999", "abc", "1.5", "0x1", "\u0661",
                                   "%2e%2e%2f%2e%2e%2fsource", "..%2F..%2Fsource", "0.jpg/../../source",
                                   "0/../../../source"])
def test_the_frame_view_reads_nothing_but_frames(clients, ready_video, frame):
    response = clients.alice.get(f"/api/videos/{ready_video.pk}/frames/{frame}.jpg")
    assert response.status_code == 404, (frame, response.status_code)
    assert response["Content-Type"] != "image/jpeg"


def test_the_frame_view_serves_nothing_of_a_video_that_is_not_ready(clients, cast, tmp_path):
    upload = SimpleUploadedFile("bad.mp4", b"<html><script>alert(1)</script></html>")
    video = video_services.create_video(project=cast.project, name="bad", upload=upload, by=cast.alice)
    assert clients.alice.get(f"/api/videos/{video.pk}/frames/0.jpg").status_code == 404
    assert video_services.extract_video_frames(video.pk).status == "failed"
    assert clients.alice.get(f"/api/videos/{video.pk}/frames/0.jpg").status_code == 404
