import json

import pytest
from django.core.management import CommandError, call_command

from annotator.models import Track
from tests.annotator.labelled import export

pytestmark = pytest.mark.django_db


def test_import_labels_command_loads_an_archive(cast, labelled, tmp_path, capsys):
    archive = export(cast.project, "davis")
    Track.objects.filter(video=labelled).delete()
    call_command("import_labels", str(cast.project.pk), archive.filename, "--format", "davis", "--user", "carol",
                 "--quiet")
    assert "1 videos, 2 tracks, 17 masks, 0 boxes" in capsys.readouterr().out
    assert list(Track.objects.filter(video=labelled).values_list("object_id", "created_by__username")) == [
        (1, "carol"), (2, "carol")]


def test_import_labels_command_fails_with_the_jobs_error(cast, ready_video, tmp_path):
    path = tmp_path / "gt.json"
    path.write_text(json.dumps({"images": [{"id": 1, "file_name": "nope/00000.jpg"}], "annotations": [],
                                "categories": []}))
    with pytest.raises(CommandError, match="videos this project does not: nope"):
        call_command("import_labels", str(cast.project.pk), str(path), "--format", "coco", "--quiet")
