"""manage.py ensure_default_model (run by the container entrypoint) gives workers a model, once."""

import shutil
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from annotator import builtin_weights
from annotator.models import ModelCheckpoint
from annotator.services.checkpoints import register_checkpoint
from tests.builtin_weights import MOBILE, recorded_evaluation, recorded_scores

pytestmark = pytest.mark.django_db


@pytest.fixture()
def image(settings, tmp_path):
    """An image's layout: the shipped weights under BASE_DIR/weights, an empty weights volume."""
    settings.BASE_DIR = tmp_path / "app"
    (settings.BASE_DIR / "weights").mkdir(parents=True)
    settings.SIAMLABEL_WEIGHTS_DIR = tmp_path / "data-weights"
    settings.SIAMLABEL_WEIGHTS_DIR.mkdir()
    return settings


def defaults():
    return list(ModelCheckpoint.objects.filter(is_default=True).values_list("name", "file"))


def test_a_fresh_database_gets_the_built_in_model_from_the_image(image):
    shipped = image.BASE_DIR / "weights" / "mobile.pth"
    shipped.write_bytes(b"mobile")
    call_command("ensure_default_model")
    assert defaults() == [("mobile (built-in)", str(shipped))]
    assert builtin_weights.is_builtin(ModelCheckpoint.objects.get(is_default=True))


def test_a_copy_in_the_weights_dir_is_recorded_by_its_relative_name(image):
    (image.BASE_DIR / "weights" / "mobile.pth").write_bytes(b"mobile")
    (image.SIAMLABEL_WEIGHTS_DIR / "mobile.pth").write_bytes(b"mobile")
    call_command("ensure_default_model")
    assert defaults() == [("mobile (built-in)", "mobile.pth")]


def test_the_light_starter_is_the_fallback(image):
    (image.BASE_DIR / "weights" / "starter.pth").write_bytes(b"starter")
    call_command("ensure_default_model")
    assert [name for name, _ in defaults()] == ["starter (light)"]


def test_running_it_again_changes_nothing(image):
    (image.BASE_DIR / "weights" / "mobile.pth").write_bytes(b"mobile")
    call_command("ensure_default_model")
    first = list(ModelCheckpoint.objects.values_list("pk", "name", "sha256", "is_default"))
    call_command("ensure_default_model")
    assert list(ModelCheckpoint.objects.values_list("pk", "name", "sha256", "is_default")) == first


def test_a_new_image_with_new_built_in_weights_registers_them_again(image):
    shipped = image.BASE_DIR / "weights" / "mobile.pth"
    shipped.write_bytes(b"mobile")
    call_command("ensure_default_model")
    before = ModelCheckpoint.objects.get(is_default=True)
    shipped.write_bytes(b"mobile, recalibrated")  # the next image's file at the same path
    out = StringIO()
    call_command("ensure_default_model", stdout=out)
    after = ModelCheckpoint.objects.get(is_default=True)
    assert (after.pk, after.file) == (before.pk, str(shipped)) and after.sha256 != before.sha256
    assert "registered again" in out.getvalue()
    assert builtin_weights.is_builtin(after)


def test_a_chosen_default_is_never_replaced(image):
    (image.BASE_DIR / "weights" / "mobile.pth").write_bytes(b"mobile")
    (image.SIAMLABEL_WEIGHTS_DIR / "SiamMask_DAVIS.pth").write_bytes(b"official")
    register_checkpoint(name="SiamMask DAVIS", file="SiamMask_DAVIS.pth", make_default=True)
    call_command("ensure_default_model")
    assert defaults() == [("SiamMask DAVIS", "SiamMask_DAVIS.pth")]
    assert ModelCheckpoint.objects.count() == 1


def test_it_fails_loudly_when_there_are_no_weights_at_all(image):
    with pytest.raises(CommandError, match="no default checkpoint and no built-in weights"):
        call_command("ensure_default_model")
    assert defaults() == []


def test_the_built_in_model_is_recorded_with_the_evaluation_its_file_carries(image):
    shutil.copyfile(MOBILE, image.BASE_DIR / "weights" / "mobile.pth")
    out = StringIO()
    call_command("ensure_default_model", stdout=out)
    checkpoint = ModelCheckpoint.objects.get(is_default=True)
    assert {key: checkpoint.metrics[key] for key in ("J", "F", "J&F")} == recorded_scores(MOBILE)
    assert f"J&F {recorded_evaluation(MOBILE)['JF_mean']:.3f}" in out.getvalue()


def test_a_built_in_file_that_does_not_load_is_registered_without_metrics_and_says_why(image):
    (image.BASE_DIR / "weights" / "mobile.pth").write_bytes(b"mobile")
    err = StringIO()
    call_command("ensure_default_model", stderr=err)
    assert ModelCheckpoint.objects.get(is_default=True).metrics == {}
    assert "mobile.pth is not a valid SiamMask mobile checkpoint" in err.getvalue()
