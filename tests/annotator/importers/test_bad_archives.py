"""Structural problems are refused at upload (400) and leave nothing behind."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from annotator.models import ImportJob
from annotator.services import transfers
from annotator.services.errors import ServiceError, TooLarge
from tests.annotator.labelled import zip_bytes
from tests.broker import queued_tasks

pytestmark = pytest.mark.django_db


def start(project, format, data: bytes, filename: str = "labels.zip"):
    return transfers.start_import(project=project, format=format, upload=SimpleUploadedFile(filename, data), by=None)


def bomb() -> bytes:
    """A 70 MB JSON entry of zeros that deflates to about 70 kB."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("instances.json", b"\0" * (70 * 2**20))
    return out.getvalue()


@pytest.mark.parametrize("format, data, filename, message", [
    ("coco", zip_bytes({"../instances.json": {}}), "labels.zip", "zip entry '../instances.json' contains '..'"),
    ("davis", zip_bytes({"Annotations/../../x/00000.png": b""}), "labels.zip", "contains '..'"),
    ("coco", zip_bytes({"/etc/instances.json": {}}), "labels.zip", "has an absolute path"),
    ("youtube-vis", zip_bytes({"C:\\data\\instances.json": {}}), "labels.zip", "has an absolute path"),
    ("coco", b"PK\x03\x04 not really", "labels.zip", "not a valid zip file"),
    ("coco", zip_bytes({"readme.txt": "hi"}), "labels.zip", "holds no annotation file"),
    ("coco", zip_bytes({"a.json": {}, "b.json": {}}), "labels.zip", "several JSON files (a.json, b.json)"),
    ("davis", zip_bytes({"JPEGImages/clip/00000.jpg": b""}), "labels.zip", "no Annotations/<sequence>/<frame>.png"),
    ("davis", b"{}", "labels.json", "a davis import must be a .zip file, not '.json'"),
    ("coco", b"", "labels.tar", "must be a .zip or .json file"),
    ("youtube-vis", bomb, "labels.zip", "refusing it as a zip bomb"),
])
def test_unsafe_or_incomplete_uploads_are_refused(cast, settings, format, data, filename, message):
    with pytest.raises(ServiceError) as refused:
        start(cast.project, format, data() if callable(data) else data, filename)
    assert refused.value.status_code == 400
    assert message in refused.value.message
    assert not ImportJob.objects.exists()
    assert not list((settings.MEDIA_ROOT / "imports").glob("*/*"))


def test_uploads_over_the_limit_are_refused(cast, settings):
    settings.SIAMLABEL_MAX_UPLOAD_BYTES = 100
    with pytest.raises(TooLarge):
        start(cast.project, "coco", b"x" * 200, "big.json")


def test_a_sound_upload_is_stored_and_queued_after_commit(cast, settings, broker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = start(cast.project, "coco", b'{"images": [], "annotations": [], "categories": []}', "instances.json")
        assert queued_tasks(broker) == []  # not before the transaction commits
    assert queued_tasks(broker) == [("annotator.import_labels", [job.pk])]
    assert (settings.MEDIA_ROOT / job.file).read_bytes().startswith(b'{"images"')
    assert transfers.run_import(job.pk).status == "succeeded"
