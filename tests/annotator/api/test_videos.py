import io
import zipfile

import cv2
import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from annotator.models import Video
from annotator.services.videos import extract_video_frames
from tests import clips


def upload(client, project, name, data, filename):
    return client.post(f"/api/projects/{project.pk}/videos/",
                       {"file": SimpleUploadedFile(filename, data), "name": name}, format="multipart")


def zip_bytes(entries: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.django_db
def test_uploaded_video_is_extracted_with_decoded_frame_count(clients, cast, tmp_path):
    path = clips.write_video(tmp_path / "c.avi", n=9)
    response = upload(clients.alice, cast.project, "c", path.read_bytes(), "c.avi")
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "uploaded"
    video = extract_video_frames(response.json()["id"])
    body = clients.alice.get(f"/api/videos/{video.pk}/").json()
    assert (body["status"], body["frame_count"], body["width"], body["height"]) == ("ready", 9, 160, 120)
    assert body["fps"] == pytest.approx(10.0)


@pytest.mark.django_db
def test_zip_of_frames_is_extracted_in_natural_order(clients, cast, tmp_path):
    path = clips.write_frames_zip(tmp_path / "f.zip", n=11, ext=".png")
    response = upload(clients.alice, cast.project, "f", path.read_bytes(), "f.zip")
    assert response.status_code == 201
    video = extract_video_frames(response.json()["id"])
    assert (video.status, video.frame_count) == ("ready", 11)
    # frame_10 sorts after frame_9: index 9 must be the 10th synthetic frame

    frame9 = cv2.imread(str(video.frame_path(9))).astype(int)
    differences = [abs(frame9 - f.astype(int)).mean() for f in clips.synthetic_frames(11)]
    assert int(np.argmin(differences)) == 9


@pytest.mark.django_db
@pytest.mark.parametrize("entry, reason", [("../evil.jpg", ".."), ("/abs/evil.jpg", "absolute"),
                                           ("notes.txt", "not a JPEG or PNG")])
def test_unsafe_or_odd_zip_entries_are_refused(clients, cast, entry, reason):
    data = zip_bytes({"a/000.jpg": b"x", entry: b"x"})
    response = upload(clients.alice, cast.project, "z", data, "z.zip")
    assert response.status_code == 400
    assert reason in response.json()["detail"]
    assert not Video.objects.filter(name="z").exists()


@pytest.mark.django_db
def test_zip_with_mixed_frame_sizes_fails_readably(clients, cast, tmp_path):
    data = zip_bytes({"0.jpg": cv2.imencode(".jpg", np.zeros((20, 30, 3), np.uint8))[1].tobytes(),
                      "1.jpg": cv2.imencode(".jpg", np.zeros((21, 30, 3), np.uint8))[1].tobytes()})
    response = upload(clients.alice, cast.project, "m", data, "m.zip")
    video = extract_video_frames(response.json()["id"])
    assert video.status == "failed"
    assert "one size" in video.error


@pytest.mark.django_db
def test_corrupt_video_ends_failed_with_a_readable_error(clients, cast):
    response = upload(clients.alice, cast.project, "bad", b"\x00garbage" * 1000, "bad.mp4")
    assert response.status_code == 201
    video = extract_video_frames(response.json()["id"])
    assert video.status == "failed"
    body = clients.alice.get(f"/api/videos/{video.pk}/").json()
    assert "corrupt" in body["error"]


@pytest.mark.django_db
def test_unsupported_file_type_is_refused(clients, cast):
    response = upload(clients.alice, cast.project, "doc", b"hello", "notes.pdf")
    assert response.status_code == 400
    assert ".pdf" in response.json()["detail"]


@pytest.mark.django_db
def test_oversized_upload_gets_413(clients, cast, settings):
    settings.SIAMLABEL_MAX_UPLOAD_BYTES = 1000
    response = upload(clients.alice, cast.project, "big", b"0" * 5000, "big.mp4")
    assert response.status_code == 413
    assert "limit" in response.json()["detail"]


@pytest.mark.django_db
def test_duplicate_video_name_is_a_conflict(clients, cast, ready_video, tmp_path):
    path = clips.write_video(tmp_path / "c.avi", n=3)
    assert upload(clients.alice, cast.project, "clip", path.read_bytes(), "c.avi").status_code == 409


@pytest.mark.django_db
def test_frames_are_served_with_caching_headers(clients, ready_video):
    response = clients.bob.get(f"/api/videos/{ready_video.pk}/frames/3.jpg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "max-age" in response["Cache-Control"]
    etag = response["ETag"]
    again = clients.bob.get(f"/api/videos/{ready_video.pk}/frames/3.jpg", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304


@pytest.mark.django_db
def test_frame_outside_the_clip_is_404(clients, ready_video):
    assert clients.alice.get(f"/api/videos/{ready_video.pk}/frames/12.jpg").status_code == 404


@pytest.mark.django_db
def test_outsider_cannot_read_video_or_frames(clients, ready_video):
    assert clients.mallory.get(f"/api/videos/{ready_video.pk}/").status_code == 404
    assert clients.mallory.get(f"/api/videos/{ready_video.pk}/frames/0.jpg").status_code == 404
    assert clients.mallory.get(f"/api/videos/{ready_video.pk}/tracks/").status_code == 404
