"""manage.py register_checkpoint: loads the file first, records the variant and evaluation it carries,
and refuses clearly (recording nothing) what is not a checkpoint or not a valid --metrics."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from annotator.models import ModelCheckpoint
from tests.builtin_weights import MOBILE, STARTER, recorded_evaluation, recorded_scores

pytestmark = pytest.mark.django_db


@pytest.fixture()
def weights_dir(settings, tmp_path):
    settings.SIAMLABEL_WEIGHTS_DIR = tmp_path / "weights"
    settings.SIAMLABEL_WEIGHTS_DIR.mkdir()
    return settings.SIAMLABEL_WEIGHTS_DIR


def register(*args) -> str:
    """Run the command; return what it printed."""
    out = StringIO()
    call_command("register_checkpoint", *args, stdout=out)
    return out.getvalue()


def test_a_file_that_is_not_a_checkpoint_is_refused_and_nothing_is_recorded(weights_dir):
    (weights_dir / "page.pth").write_bytes(b"<html><body>This mirror has moved.</body></html>")
    with pytest.raises(CommandError, match=r"page.pth is not a valid SiamMask checkpoint: .*it is an HTML page"):
        register("mirror", "page.pth")
    assert not ModelCheckpoint.objects.exists()


def test_a_variant_the_file_contradicts_is_refused():
    with pytest.raises(CommandError, match="not a valid SiamMask sharp checkpoint: its metadata says it is a mobile"):
        register("mobile", str(MOBILE), "--variant", "sharp")
    assert not ModelCheckpoint.objects.exists()


@pytest.mark.parametrize(("path", "variant"), [(MOBILE, "mobile"), (STARTER, "light")])
def test_the_variant_and_evaluation_come_from_the_file(path, variant):
    out = register("shipped", str(path), "--default")
    checkpoint = ModelCheckpoint.objects.get(name="shipped")
    evaluation = recorded_evaluation(path)
    assert (checkpoint.variant, checkpoint.is_default) == (variant, True)
    assert {key: checkpoint.metrics[key] for key in ("J", "F", "J&F")} == recorded_scores(path)
    assert checkpoint.jf == evaluation["JF_mean"]
    assert checkpoint.metrics["evaluated_on"]["data"] == evaluation["data"]
    assert f"variant {variant}, J&F {evaluation['JF_mean']:.3f}" in out


def test_metrics_given_replace_the_files_evaluation():
    out = register("mobile", str(MOBILE), "--metrics", '{"J": 0.6, "F": 0.62}')
    checkpoint = ModelCheckpoint.objects.get(name="mobile")
    assert (checkpoint.variant, checkpoint.metrics) == ("mobile", {"J": 0.6, "F": 0.62})
    assert "J&F 0.610" in out


@pytest.mark.parametrize(("metrics", "message"), [
    ("{J: 0.6}", "argument --metrics: '{J: 0.6}' is not JSON"),
    ("[0.6, 0.62]", "is not a JSON object"),
    ('{"J": "0.6", "F": 0.62}', "metrics \"J\" must be a number between 0 and 1, not '0.6'"),
    ('{"J&F": 62}', 'metrics "J&F" must be a number between 0 and 1, not 62'),
])
def test_bad_metrics_are_a_clear_error_and_record_nothing(metrics, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        register("mobile", str(MOBILE), "--metrics", metrics)
    assert not ModelCheckpoint.objects.exists()


def test_no_verify_records_the_file_unread_and_needs_a_variant(weights_dir):
    (weights_dir / "later.pth").write_bytes(b"copied before torch was installed")
    with pytest.raises(CommandError, match="--no-verify needs --variant"):
        register("later", "later.pth", "--no-verify")
    register("later", "later.pth", "--no-verify", "--variant", "light")
    assert list(ModelCheckpoint.objects.values_list("name", "variant", "metrics")) == [("later", "light", {})]


def test_a_path_from_the_current_folder_is_recorded_absolute(weights_dir, monkeypatch):
    # `weights/mobile.pth` typed in the repository root is not under SIAMLABEL_WEIGHTS_DIR (a
    # temporary folder here), but it names the file the user means
    monkeypatch.chdir(MOBILE.parent.parent)
    register("typed", f"{MOBILE.parent.name}/{MOBILE.name}")
    assert ModelCheckpoint.objects.get(name="typed").file == str(MOBILE.resolve())
