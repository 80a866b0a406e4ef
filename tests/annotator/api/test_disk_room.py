"""Disk you can plan for: frames that would not fit are refused cleanly, at upload and at extraction.

The reserve is set just above the disk's free space (nothing is filled): the check trips on a
real clip, and the same clip passes with room to spare.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from annotator import frames
from annotator.models import Video
from annotator.services.disk import MB, free_bytes
from annotator.services.videos import extract_video_frames
from tests import clips

pytestmark = pytest.mark.django_db


def upload(client, project, path, name="clip"):
    return client.post(f"/api/projects/{project.pk}/videos/",
                       {"file": SimpleUploadedFile(path.name, path.read_bytes()), "name": name}, format="multipart")


def free_mb(settings) -> int:
    return free_bytes(settings.MEDIA_ROOT) // MB


@pytest.fixture
def clip(tmp_path):
    return clips.write_video(tmp_path / "clip.avi", n=24, width=320, height=240)


def test_upload_is_refused_with_nothing_left_behind_when_frames_would_eat_the_reserve(
        clients, cast, clip, settings, media_root):
    settings.SIAMLABEL_DISK_RESERVE_MB = free_mb(settings) + 1
    response = upload(clients.alice, cast.project, clip)
    assert response.status_code == 400
    assert "not enough disk space" in response.json()["detail"]
    assert "reserve" in response.json()["detail"]
    assert not Video.objects.filter(name="clip").exists()
    assert not any((media_root / "videos").glob("*/*")), "the refused upload left files behind"


def test_same_clip_is_accepted_with_room_to_spare(clients, cast, clip, settings):
    settings.SIAMLABEL_DISK_RESERVE_MB = free_mb(settings) - 256
    response = upload(clients.alice, cast.project, clip)
    assert response.status_code == 201, response.json()
    assert extract_video_frames(response.json()["id"]).status == "ready"


def test_extraction_fails_readably_when_the_disk_filled_after_the_upload(clients, cast, clip, settings):
    response = upload(clients.alice, cast.project, clip)
    assert response.status_code == 201
    settings.SIAMLABEL_DISK_RESERVE_MB = free_mb(settings) + 1
    video = extract_video_frames(response.json()["id"])
    assert video.status == "failed"
    assert "not enough disk space" in video.error
    assert not video.frames_dir.exists()
    body = clients.alice.get(f"/api/videos/{video.pk}/").json()
    assert body["status"] == "failed" and "not enough disk space" in body["error"]


def test_upload_over_the_storage_quota_is_refused(clients, cast, clip, settings, media_root):
    settings.SIAMLABEL_STORAGE_QUOTA_MB = 2
    earlier = media_root / "exports" / "1" / "export.zip"  # media already there counts, whatever made it
    earlier.parent.mkdir(parents=True)
    earlier.write_bytes(b"\0" * (2 * MB - clip.stat().st_size - 1000))
    response = upload(clients.alice, cast.project, clip)
    assert response.status_code == 400
    assert "over the storage quota" in response.json()["detail"]
    assert not Video.objects.exists()
    earlier.unlink()
    assert upload(clients.alice, cast.project, clip).status_code == 201


def test_frame_estimate_is_near_what_extraction_writes(clients, cast, clip):
    estimate = frames.estimate_frames_bytes(clip)
    video = extract_video_frames(upload(clients.alice, cast.project, clip).json()["id"])
    written = sum(p.stat().st_size for p in video.frames_dir.glob("*.jpg"))
    assert video.frame_count == 24
    assert 0.8 < estimate / written < 1.25


def test_frame_quality_setting_changes_what_is_stored(clients, cast, clip, settings):
    sizes = {}
    for quality in (95, 50):
        settings.SIAMLABEL_FRAME_JPEG_QUALITY = quality
        video = extract_video_frames(upload(clients.alice, cast.project, clip, name=f"q{quality}").json()["id"])
        sizes[quality] = sum(p.stat().st_size for p in video.frames_dir.glob("*.jpg"))
    assert sizes[50] < 0.7 * sizes[95]


def test_managers_see_storage_use_and_others_do_not(clients, cast, clip, settings):
    settings.SIAMLABEL_STORAGE_QUOTA_MB = 5000
    extract_video_frames(upload(clients.alice, cast.project, clip).json()["id"])
    body = clients.carol.get(f"/api/projects/{cast.project.pk}/storage/").json()
    assert body["quota_bytes"] == 5000 * MB
    assert body["used_bytes"] > clip.stat().st_size  # the source and its frames
    assert body["free_bytes"] > 0 and body["reserve_bytes"] == settings.SIAMLABEL_DISK_RESERVE_MB * MB
    assert clients.alice.get(f"/api/projects/{cast.project.pk}/storage/").status_code == 403
    assert clients.mallory.get(f"/api/projects/{cast.project.pk}/storage/").status_code == 404
