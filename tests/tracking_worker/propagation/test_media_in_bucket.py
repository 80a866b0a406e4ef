"""The whole job path with media in a real S3 bucket (SeaweedFS on loopback), through real workers
that share nothing with the web process but the database, the broker and the bucket."""

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from annotator.models import ExportJob, FrameAnnotation, PropagationJob, Video
from annotator.services.checkpoints import bucket_key
from annotator.services.tracks import create_track
from tests import clips
from tests.conftest import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
FRAMES = 16


def iou(a, b):
    ix = max(0.0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    return ix * iy / (a[2] * a[3] + b[2] * b[3] - ix * iy)


def host_env(s3_media, root, name):
    """A worker 'on another host': its own media root, weights folder and cache, all empty."""
    folders = {var: root / name / var.lower() for var in ("MEDIA_ROOT", "SIAMLABEL_WEIGHTS_DIR", "SIAMLABEL_MEDIA_CACHE_DIR")}
    for folder in folders.values():
        folder.mkdir(parents=True)
    return s3_media.env | {var: str(folder) for var, folder in folders.items()} | {"SIAMLABEL_LOST_PATIENCE": "1000000"}


def finished(model, pk):
    job = model.objects.get(pk=pk)
    return job if job.status not in ("queued", "running") else None


def test_upload_extraction_propagation_and_export_run_with_media_in_the_bucket(
        s3_media, checkpoint, clients, cast, settings, tmp_path, start_worker):
    assert s3_media.keys("checkpoints/") == [bucket_key(checkpoint.sha256)]  # registered into the bucket
    default_env, gpu_env = host_env(s3_media, tmp_path, "cpu-host"), host_env(s3_media, tmp_path, "gpu-host")
    default_worker = start_worker("default", **default_env)
    gpu_worker = start_worker("gpu", **gpu_env)

    clip = clips.write_video(tmp_path / "clip.avi", n=FRAMES)
    response = clients.alice.post(f"/api/projects/{cast.project.pk}/videos/",
                                  {"file": SimpleUploadedFile("clip.avi", clip.read_bytes()), "name": "clip"},
                                  format="multipart")
    assert response.status_code == 201, response.json()
    video = wait_for(lambda: (v := Video.objects.get(pk=response.json()["id"])).status in ("ready", "failed") and v,
                     60, "the extraction", default_worker)
    assert (video.status, video.error, video.frame_count) == ("ready", "", FRAMES)
    frame_keys = [video.frame_key(i) for i in range(FRAMES)]
    assert s3_media.keys(video.frames_key) == frame_keys
    assert s3_media.keys(video.media_key + "/source") == [f"{video.media_key}/source.avi"]
    local_files = [p for host in ("cpu-host", "gpu-host") for p in (tmp_path / host).rglob("*") if p.is_file()]
    assert not (settings.MEDIA_ROOT / "videos").exists() and local_files == []

    frame = clients.bob.get(f"/api/videos/{video.pk}/frames/3.jpg")
    assert frame.status_code == 200 and frame["Content-Type"] == "image/jpeg"
    assert b"".join(frame.streaming_content) == s3_media.client().get_object(
        Bucket="siamlabel-media", Key=frame_keys[3])["Body"].read()

    track = create_track(video=video, label=cast.project.labels.first(), frame_index=0,
                         bbox=clips.square_box(0), by=cast.alice)
    job_id = clients.alice.post(f"/api/tracks/{track.pk}/propagate/", {"frame": 0}, format="json").json()["id"]
    job = wait_for(lambda: finished(PropagationJob, job_id), 180, "the propagation", gpu_worker)
    assert job.status == "succeeded", job.error
    assert job.checkpoint_sha256 == checkpoint.sha256
    cached = list((tmp_path / "gpu-host" / "siamlabel_media_cache_dir" / "checkpoints").glob("*.pth"))
    assert [p.name for p in cached] == [f"{checkpoint.sha256}.pth"]  # fetched from the bucket, by content
    assert FrameAnnotation.objects.filter(track=track).count() == FRAMES

    export_id = clients.carol.post(f"/api/projects/{cast.project.pk}/exports/", {"format": "coco"},
                                   format="json").json()["id"]
    export = wait_for(lambda: finished(ExportJob, export_id), 60, "the export", default_worker)
    assert export.status == "succeeded", export.error
    assert s3_media.keys(f"exports/{export_id}/") == [export.file]
    download = clients.bob.get(f"/api/exports/{export_id}/download")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    coco = json.loads(archive.read("annotations/instances.json"))
    frame_of_image = {image["id"]: int(image["file_name"].rsplit("/", 1)[1].split(".")[0]) for image in coco["images"]}
    boxes = {frame_of_image[a["image_id"]]: a["bbox"] for a in coco["annotations"]}
    assert sorted(boxes) == list(range(FRAMES))
    # the square was tracked through frames read from the bucket: every box is centred on it. The
    # boxes come from the starter model's masks, whose edges are loose, so IoU is checked as a median.
    for i in range(FRAMES):
        x, y, w, h = boxes[i]
        sx, sy, sw, sh = clips.square_box(i)
        assert sx <= x + w / 2 <= sx + sw and sy <= y + h / 2 <= sy + sh, (i, boxes[i], clips.square_box(i))
    ious = sorted(iou(boxes[i], clips.square_box(i)) for i in range(FRAMES))
    assert ious[len(ious) // 2] > 0.5, ious

    assert clients.carol.delete(f"/api/videos/{video.pk}/").status_code == 204
    assert s3_media.keys(video.media_key + "/") == []  # a delete takes the bucket's objects too
