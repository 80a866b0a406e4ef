"""POST /api/projects/{id}/exports/ and /imports/, GET /api/exports/{id}/ (+ /download), GET /api/imports/{id}/.

Most jobs run synchronously here (the services directly): pytest-django's transactions never
commit, so nothing is queued. The last tests send them to Redis and run them in a real worker.
"""

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from annotator.choices import ReviewStatus
from annotator.models import ExportJob, ImportJob, Track
from annotator.services import transfers
from tests.annotator.labelled import label_video, project_with_clip, zip_bytes
from tests.broker import queued_tasks
from tests.conftest import wait_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def labelled(cast, ready_video):
    label_video(ready_video, by=cast.alice)
    return ready_video


def start_export(client, project, **body):
    return client.post(f"/api/projects/{project.pk}/exports/", {"format": "coco", **body}, format="json")


def finished_export(clients, cast, **body) -> dict:
    response = start_export(clients.carol, cast.project, **body)
    assert response.status_code == 202, response.json()
    transfers.run_export(response.json()["id"])
    return clients.carol.get(f"/api/exports/{response.json()['id']}/").json()


def test_a_manager_starts_an_export_and_gets_202(clients, cast, labelled):
    response = start_export(clients.carol, cast.project, videos=[labelled.pk], review_status=["accepted"],
                            include_frames=True)
    assert response.status_code == 202, response.json()
    body = response.json()
    assert {k: body[k] for k in ("format", "videos", "review_status", "include_frames", "status", "progress",
                                 "download_url")} == {
        "format": "coco", "videos": [labelled.pk], "review_status": ["accepted"], "include_frames": True,
        "status": "queued", "progress": 0.0, "download_url": None}
    assert ExportJob.objects.get(pk=body["id"]).created_by == cast.carol


def test_include_frames_defaults_per_format(clients, cast, labelled):
    assert start_export(clients.carol, cast.project).json()["include_frames"] is False
    assert start_export(clients.carol, cast.project, format="davis").json()["include_frames"] is True


def test_status_then_download_of_a_finished_export(clients, cast, labelled):
    status = finished_export(clients, cast, format="davis")
    assert (status["status"], status["progress"], status["error"]) == ("succeeded", 1.0, "")
    assert status["download_url"] == f"http://testserver/api/exports/{status['id']}/download"
    response = clients.bob.get(status["download_url"])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == f'attachment; filename="P-davis-{status["id"]}.zip"'
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert "Annotations/clip/00000.png" in archive.namelist()


def test_members_read_exports_and_outsiders_get_404(clients, cast, labelled):
    status = finished_export(clients, cast)
    for url in (f"/api/exports/{status['id']}/", f"/api/exports/{status['id']}/download",
                f"/api/projects/{cast.project.pk}/exports/"):
        for name in ("alice", "bob", "carol"):
            assert getattr(clients, name).get(url).status_code == 200, (name, url)
        assert clients.mallory.get(url).status_code == 404, url
    assert [e["id"] for e in clients.alice.get(f"/api/projects/{cast.project.pk}/exports/").json()["results"]] == [status["id"]]


def test_only_managers_start_exports_and_imports(clients, cast, labelled):
    upload = {"format": "coco", "file": SimpleUploadedFile("x.json", b"{}")}
    for name in ("alice", "bob"):
        assert start_export(getattr(clients, name), cast.project).status_code == 403
        response = getattr(clients, name).post(f"/api/projects/{cast.project.pk}/imports/", upload, format="multipart")
        assert response.status_code == 403
    assert start_export(clients.mallory, cast.project).status_code == 404
    assert clients.mallory.post(f"/api/projects/{cast.project.pk}/imports/", upload,
                                format="multipart").status_code == 404
    assert not ExportJob.objects.exists() and not ImportJob.objects.exists()


def test_downloading_an_unfinished_export_is_a_409(clients, cast, labelled):
    job_id = start_export(clients.carol, cast.project).json()["id"]
    response = clients.carol.get(f"/api/exports/{job_id}/download")
    assert response.status_code == 409
    assert response.json()["detail"].startswith("the export is queued")


@pytest.mark.parametrize("body, message", [
    ({"format": "pascal"}, "format"),
    ({"review_status": ["done"]}, "review_status"),
    ({"videos": [999999]}, "videos 999999 are not in this project"),
])
def test_bad_export_requests_are_400(clients, cast, labelled, body, message):
    response = start_export(clients.carol, cast.project, **body)
    assert response.status_code == 400
    assert message in response.json()["detail"]


def test_a_status_filter_that_keeps_no_track_is_400_not_an_empty_archive(clients, cast, labelled):
    Track.objects.filter(video__project=cast.project, review_status=ReviewStatus.ACCEPTED).update(
        review_status=ReviewStatus.REJECTED)
    response = start_export(clients.carol, cast.project, review_status=["accepted"])
    assert response.status_code == 400
    assert response.json()["detail"] == "no track in this project is accepted: nothing to export"
    response = start_export(clients.carol, cast.project, review_status=["accepted", "in_review"])
    assert response.status_code == 202, response.json()


def test_videos_of_another_project_cannot_be_exported(clients, cast, tmp_path):
    foreign = project_with_clip(name="Q2", by=cast.mallory, tmp_path=tmp_path)
    response = start_export(clients.carol, cast.project, videos=[foreign.videos.get().pk])
    assert response.status_code == 400 and "not in this project" in response.json()["detail"]


def test_a_failed_export_reports_its_error(clients, cast, labelled):
    labelled.frame_path(3).unlink()
    status = finished_export(clients, cast, include_frames=True)
    assert status["status"] == "failed"
    assert "frame 3 of video 'clip' is missing from storage" in status["error"]
    assert status["download_url"] is None


def test_an_import_is_accepted_then_readable_by_members(clients, cast, ready_video):
    doc = {"images": [{"id": 1, "file_name": "clip/00002.jpg", "width": 160, "height": 120}],
           "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 2, 30, 40]}],
           "categories": [{"id": 1, "name": "ball"}]}
    response = clients.carol.post(f"/api/projects/{cast.project.pk}/imports/",
                                  {"format": "coco", "file": SimpleUploadedFile("gt.json", json.dumps(doc).encode())},
                                  format="multipart")
    assert response.status_code == 202, response.json()
    job_id = response.json()["id"]
    assert response.json()["status"] == "queued"
    transfers.run_import(job_id)
    body = clients.alice.get(f"/api/imports/{job_id}/").json()
    assert (body["status"], body["progress"], body["error"]) == ("succeeded", 1.0, "")
    assert body["summary"]["tracks"] == 1 and body["summary"]["boxes"] == 1
    assert Track.objects.get(video=ready_video).label.name == "ball"
    assert clients.mallory.get(f"/api/imports/{job_id}/").status_code == 404
    assert [i["id"] for i in clients.bob.get(f"/api/projects/{cast.project.pk}/imports/").json()["results"]] == [job_id]


def test_a_zip_with_dotdot_paths_is_refused_at_upload(clients, cast, ready_video):
    data = zip_bytes({"Annotations/../../../etc/00000.png": b"x"})
    response = clients.carol.post(f"/api/projects/{cast.project.pk}/imports/",
                                  {"format": "davis", "file": SimpleUploadedFile("evil.zip", data)}, format="multipart")
    assert response.status_code == 400
    assert response.json()["detail"] == "zip entry 'Annotations/../../../etc/00000.png' contains '..'"


def test_an_import_that_fails_reports_a_clear_error(clients, cast, ready_video):
    doc = {"images": [{"id": 1, "file_name": "clip/00000.jpg"}],
           "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 2, 3, 4]}],
           "categories": [{"id": 1, "name": "zebra"}]}
    response = clients.carol.post(f"/api/projects/{cast.project.pk}/imports/",
                                  {"format": "coco", "file": SimpleUploadedFile("gt.json", json.dumps(doc).encode())},
                                  format="multipart")
    transfers.run_import(response.json()["id"])
    body = clients.carol.get(f"/api/imports/{response.json()['id']}/").json()
    assert body["status"] == "failed"
    assert body["error"].startswith("unknown categories: zebra. The project's labels are: ball, person")


def test_starting_an_export_queues_it_on_the_default_queue(clients, cast, labelled, broker,
                                                          django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job_id = start_export(clients.carol, cast.project).json()["id"]
    assert queued_tasks(broker, "default") == [("annotator.export", [job_id])]
    assert queued_tasks(broker, "gpu") == []


def test_the_schema_lists_the_transfer_paths(client):
    paths = client.get("/api/schema/?format=json").json()["paths"]
    for stable in ("/api/projects/{id}/exports/", "/api/projects/{id}/imports/", "/api/exports/{id}/",
                   "/api/exports/{id}/download", "/api/imports/{id}/"):
        assert stable in paths, stable


def finished_job(model, pk):
    job = model.objects.get(pk=pk)
    return job if job.status not in ("queued", "running") else None


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_an_export_and_an_import_run_in_a_real_worker(clients, cast, labelled, start_worker):
    worker = start_worker("default")
    export_id = start_export(clients.carol, cast.project, format="davis").json()["id"]
    export = wait_for(lambda: finished_job(ExportJob, export_id), 60, "the export", worker)
    assert (export.status, export.error, export.attempts) == ("succeeded", "", 1)
    download = clients.bob.get(f"/api/exports/{export_id}/download")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert "Annotations/clip/00000.png" in archive.namelist()

    doc = {"images": [{"id": 1, "file_name": "clip/00002.jpg", "width": 160, "height": 120}],
           "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 2, 30, 40]}],
           "categories": [{"id": 1, "name": "ball"}]}
    tracks_before = Track.objects.filter(video=labelled).count()
    response = clients.carol.post(f"/api/projects/{cast.project.pk}/imports/",
                                  {"format": "coco", "file": SimpleUploadedFile("gt.json", json.dumps(doc).encode())},
                                  format="multipart")
    imported = wait_for(lambda: finished_job(ImportJob, response.json()["id"]), 60, "the import", worker)
    assert (imported.status, imported.error, imported.summary["tracks"]) == ("succeeded", "", 1)
    assert Track.objects.filter(video=labelled).count() == tracks_before + 1


def test_the_schemas_example_export_body_starts_an_export(clients, cast, labelled):
    # Swagger UI's "Try it out" sends the first example; it used to invent a video id and get 400
    schema = clients.carol.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    content = schema["paths"]["/api/projects/{id}/exports/"]["post"]["requestBody"]["content"]["application/json"]
    example = next(iter(content["examples"].values()))["value"]
    response = clients.carol.post(f"/api/projects/{cast.project.pk}/exports/", example, format="json")
    assert response.status_code == 202, response.json()
