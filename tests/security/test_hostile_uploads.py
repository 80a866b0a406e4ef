"""Hostile files through POST /api/projects/{id}/videos/: each ends in a clear 4xx at upload, or
the video ends `failed` with a readable error once extracted. Never a 5xx, never a video stuck
in `uploaded`/`extracting`, and a refused upload leaves no row and no file behind.

Extraction runs synchronously here, as in tests/annotator/api/test_videos.py (which covers a
plain corrupt file, mixed frame sizes and `..`/absolute zip entries).
"""

import io
import struct
import zipfile
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import FakePayload
from rest_framework.test import APIClient

from annotator.models import Video
from annotator.services.videos import extract_video_frames
from tests import clips

pytestmark = pytest.mark.django_db

HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"


def upload(client, project, filename: str, data: bytes):
    response = client.post(f"/api/projects/{project.pk}/videos/", {"file": SimpleUploadedFile(filename, data)},
                           format="multipart")
    assert response.status_code < 500, response.content
    return response


def media_files() -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def assert_refused(response, reason: str) -> None:
    assert response.status_code == 400, response.json()
    assert reason in response.json()["detail"], response.json()
    assert not Video.objects.exists()
    assert media_files() == set()


def extracted(client, response) -> dict:
    """Run the upload's extraction; return the video as the API shows it afterwards."""
    assert response.status_code == 201, response.json()
    extract_video_frames(response.json()["id"])
    body = client.get(f"/api/videos/{response.json()['id']}/")
    assert body["Content-Type"] == "application/json"
    return body.json()


def assert_failed(video: dict, reason: str) -> None:
    assert video["status"] == "failed", video
    assert reason in video["error"], video["error"]


def write_video(path: Path, *, n: int, width: int, height: int, fourcc: str) -> bytes:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), 10, (width, height))
    assert writer.isOpened(), f"OpenCV cannot write {fourcc}"
    rng = np.random.default_rng(0)
    for _ in range(n):
        writer.write(rng.integers(0, 255, (height, width, 3), dtype=np.uint8))
    writer.release()
    return path.read_bytes()


def zip_of(entries: dict[str, bytes], compression=zipfile.ZIP_STORED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return out.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width x height RGB pixels (its data covers one row)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    row = zlib.compress(b"\x00" + bytes(3 * width))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", row) + chunk(b"IEND", b"")


def jpeg_with_payload(frame: np.ndarray) -> bytes:
    """A valid JPEG carrying HTML in a comment segment and after its end marker."""
    data = cv2.imencode(".jpg", frame)[1].tobytes()
    comment = b"\xff\xfe" + struct.pack(">H", len(HTML) + 2) + HTML
    return data[:2] + comment + data[2:] + HTML


@pytest.fixture(scope="session")
def gigabyte_bomb(tmp_path_factory) -> bytes:
    """One entry of 1 GiB of zeros, deflated to about 1 MB."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        with zf.open("frames/00000.png", "w") as entry:
            block = bytes(2**24)
            for _ in range(64):
                entry.write(block)
    return path.read_bytes()


# --- videos that cannot be decoded -----------------------------------------------------------


def test_a_truncated_mp4_ends_failed(clients, cast, tmp_path):
    data = write_video(tmp_path / "whole.mp4", n=12, width=160, height=120, fourcc="mp4v")
    video = extracted(clients.alice, upload(clients.alice, cast.project, "cut.mp4", data[: len(data) // 2]))
    assert_failed(video, "corrupt")


def test_a_video_of_zero_frames_ends_failed(clients, cast, tmp_path):
    data = write_video(tmp_path / "empty.avi", n=0, width=160, height=120, fourcc="MJPG")
    video = extracted(clients.alice, upload(clients.alice, cast.project, "empty.avi", data))
    assert_failed(video, "no frame could be decoded")


def test_a_one_pixel_video_ends_failed_naming_the_minimum_size(clients, cast, tmp_path):
    data = write_video(tmp_path / "dot.avi", n=3, width=1, height=1, fourcc="MJPG")
    video = extracted(clients.alice, upload(clients.alice, cast.project, "dot.avi", data))
    assert_failed(video, "1x1 pixels; frames must be at least 16x16")


def test_a_video_of_the_minimum_size_is_accepted(clients, cast, tmp_path):
    data = write_video(tmp_path / "small.avi", n=3, width=16, height=16, fourcc="MJPG")
    video = extracted(clients.alice, upload(clients.alice, cast.project, "small.avi", data))
    assert (video["status"], video["width"], video["height"]) == ("ready", 16, 16)


# --- zips that would inflate beyond reason ----------------------------------------------------


def test_a_zip_bomb_is_refused_at_upload_before_decoding(clients, cast, gigabyte_bomb):
    assert len(gigabyte_bomb) < 2 * 2**20
    assert_refused(upload(clients.alice, cast.project, "bomb.zip", gigabyte_bomb), "zip bomb")


def test_a_zip_of_too_many_entries_is_refused_at_upload(clients, cast, settings):
    settings.SIAMLABEL_MAX_ZIP_ENTRIES = 100
    data = zip_of({f"{i:05d}.jpg": b"x" for i in range(101)})
    assert_refused(upload(clients.alice, cast.project, "many.zip", data), "101 entries; the limit is 100")


def test_a_zip_over_the_uncompressed_limit_is_refused_at_upload(clients, cast, settings):
    settings.SIAMLABEL_MAX_ZIP_UNCOMPRESSED_BYTES = 2**20
    rng = np.random.default_rng(0)
    data = zip_of({f"{i}.jpg": rng.integers(0, 255, 600_000, dtype=np.uint8).tobytes() for i in range(2)})
    assert_refused(upload(clients.alice, cast.project, "big.zip", data), "the limit is 1 MB")


def test_an_entry_that_inflates_past_its_declared_size_ends_failed(clients, cast):
    """The size checks trust the central directory: zipfile stops at the declared size and fails the CRC."""
    data = bytearray(zip_of({"00000.png": bytes(10_000_000)}, zipfile.ZIP_DEFLATED))
    directory = data.rfind(b"PK\x01\x02")
    struct.pack_into("<I", data, 22, 10)  # uncompressed size in the local header
    struct.pack_into("<I", data, directory + 24, 10)  # and in the central directory
    video = extracted(clients.alice, upload(clients.alice, cast.project, "liar.zip", bytes(data)))
    assert_failed(video, "zip entry '00000.png' is damaged")


@pytest.mark.parametrize("width, height, reason", [
    (10_000, 10_000, "is 10000x10000 pixels; the limit is 33,177,600 pixels"),  # over our limit
    (50_000, 50_000, "declares a giant image"),  # over Pillow's own bomb limit too
    (8, 8, "frames must be at least 16x16"),
])
def test_an_image_declaring_a_size_out_of_bounds_fails_before_it_is_decoded(clients, cast, width, height, reason):
    data = zip_of({"00000.png": png_declaring(width, height)}, zipfile.ZIP_DEFLATED)
    video = extracted(clients.alice, upload(clients.alice, cast.project, "huge.zip", data))
    assert_failed(video, reason)
    assert "00000.png" in video["error"]


@pytest.mark.parametrize("entry", ["..\\evil.jpg", "C:/evil.jpg", "C:\\evil.jpg", "\\\\server\\share\\evil.jpg"])
def test_windows_style_zip_slip_is_refused(clients, cast, entry):
    """Unix-style `..` and absolute entries: tests/annotator/api/test_videos.py."""
    data = zip_of({"000.jpg": b"x", entry: b"x"})
    response = upload(clients.alice, cast.project, "slip.zip", data)
    assert response.status_code == 400
    assert entry in response.json()["detail"]
    assert media_files() == set()


# --- polyglots and files that point elsewhere --------------------------------------------------


def test_html_named_mp4_ends_failed_and_is_never_echoed(clients, cast):
    video = extracted(clients.alice, upload(clients.alice, cast.project, "page.mp4", HTML))
    assert_failed(video, "could not be opened")
    assert "<script" not in video["error"]
    assert clients.alice.get(f"/api/videos/{video['id']}/frames/0.jpg").status_code == 404


def test_a_playlist_named_mp4_cannot_make_the_decoder_read_another_file(clients, cast, ready_video):
    """An HLS playlist or ffconcat list points FFmpeg at other files: ours must not be followed."""
    target = Path(settings.MEDIA_ROOT) / ready_video.source_file
    for name, data in [("hls.mp4", f"#EXTM3U\n#EXTINF:10.0,\nfile://{target}\n#EXT-X-ENDLIST\n"),
                       ("concat.mp4", f"ffconcat version 1.0\nfile {target}\n")]:
        video = extracted(clients.alice, upload(clients.alice, cast.project, name, data.encode()))
        assert_failed(video, "could not be opened")


def test_a_jpeg_zip_polyglot_is_handled_by_its_content(clients, cast):
    """A JPEG with a zip appended is a valid zip: its frames are decoded and re-encoded, payloads dropped."""
    frames = [jpeg_with_payload(frame) for frame in clips.synthetic_frames(3)]
    polyglot = frames[0] + zip_of({f"{i}.jpg": data for i, data in enumerate(frames)})
    video = extracted(clients.alice, upload(clients.alice, cast.project, "photo.zip", polyglot))
    assert (video["status"], video["frame_count"]) == ("ready", 3)
    for i in range(3):
        response = clients.alice.get(f"/api/videos/{video['id']}/frames/{i}.jpg")
        served = b"".join(response.streaming_content)
        assert response["Content-Type"] == "image/jpeg"
        assert b"<script" not in served and b"PK\x03\x04" not in served


def test_a_jpeg_zip_polyglot_holding_html_is_refused(clients, cast):
    polyglot = jpeg_with_payload(next(clips.synthetic_frames(1))) + zip_of({"index.html": HTML})
    assert_refused(upload(clients.alice, cast.project, "photo.zip", polyglot), "not a JPEG or PNG image")


def test_a_jpg_entry_that_is_html_ends_failed(clients, cast):
    video = extracted(clients.alice, upload(clients.alice, cast.project, "frames.zip", zip_of({"0.jpg": HTML})))
    assert_failed(video, "not a readable image")


# --- a body announced larger than any upload ---------------------------------------------------


class CountingPayload(FakePayload):
    """The request body, counting what the server reads of it."""

    bytes_read = 0

    def read(self, size=-1):
        data = super().read(size)
        CountingPayload.bytes_read += len(data)
        return data


@pytest.mark.parametrize("who", ["alice", "anonymous"])
def test_a_declared_50_gb_body_gets_413_before_it_is_read(clients, cast, settings, tmp_path, who):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "upload-tmp")
    Path(settings.FILE_UPLOAD_TEMP_DIR).mkdir()
    client = APIClient() if who == "anonymous" else getattr(clients, who)
    body = (b"--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.mp4\"\r\n"
            b"Content-Type: video/mp4\r\n\r\n" + b"\x00" * 1000 + b"\r\n--B--\r\n")
    CountingPayload.bytes_read = 0
    response = client.generic("POST", f"/api/projects/{cast.project.pk}/videos/", body,
                              content_type="multipart/form-data; boundary=B",
                              CONTENT_LENGTH=str(50 * 2**30), **{"wsgi.input": CountingPayload(body)})
    assert response.status_code == 413
    assert "the limit is 4096 MB" in response.json()["detail"]
    assert CountingPayload.bytes_read == 0
    assert not Video.objects.exists()
    assert media_files() == set()
    assert list(Path(settings.FILE_UPLOAD_TEMP_DIR).iterdir()) == []


def test_a_body_within_the_limit_still_reaches_the_upload_checks(clients, cast, settings):
    settings.SIAMLABEL_MAX_UPLOAD_BYTES = 1000
    response = upload(clients.alice, cast.project, "big.mp4", b"0" * 5000)  # the service's own per-file check
    assert response.status_code == 413
    assert not Video.objects.exists()
