import zipfile

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def test_export_command_writes_the_zip_where_asked(cast, labelled, tmp_path, capsys):
    out = tmp_path / "labels.zip"
    call_command("export", str(cast.project.pk), "--format", "youtube-vis", "--review-status", "accepted",
                 "--include-frames", "--out", str(out), "--user", "carol")
    assert f"{out}" in capsys.readouterr().out
    names = zipfile.ZipFile(out).namelist()
    assert "instances.json" in names and "JPEGImages/clip/00000.jpg" in names


def test_export_command_explains_bad_requests(cast, labelled):
    with pytest.raises(CommandError, match="unknown review status done"):
        call_command("export", str(cast.project.pk), "--format", "coco", "--review-status", "done", "--quiet")
    with pytest.raises(CommandError, match="no project with id 0"):
        call_command("export", "0", "--format", "coco")
