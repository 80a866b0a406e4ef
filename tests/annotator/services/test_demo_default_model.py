"""`make run` registers the built-in model as the default, and never overrides a chosen one."""

import shutil

import pytest

from annotator.models import ModelCheckpoint
from annotator.services import demo
from annotator.services.checkpoints import register_checkpoint
from tests.builtin_weights import MOBILE, recorded_scores

pytestmark = pytest.mark.django_db


@pytest.fixture()
def weights_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    settings.SIAMLABEL_WEIGHTS_DIR = tmp_path / "weights"
    settings.SIAMLABEL_WEIGHTS_DIR.mkdir()
    return settings.SIAMLABEL_WEIGHTS_DIR


def defaults():
    return list(ModelCheckpoint.objects.filter(is_default=True).values_list("name", "variant"))


def test_the_mobile_model_is_the_default_when_shipped(weights_dir):
    (weights_dir / "mobile.pth").write_bytes(b"mobile")
    (weights_dir / "starter.pth").write_bytes(b"starter")
    demo.seed_demo(log=lambda message: None)
    assert defaults() == [("mobile (built-in)", "mobile")]


def test_the_light_starter_is_the_fallback(weights_dir):
    (weights_dir / "starter.pth").write_bytes(b"starter")
    demo.seed_demo(log=lambda message: None)
    assert defaults() == [("starter (light)", "light")]


def test_a_database_seeded_with_the_starter_moves_to_the_mobile_model(weights_dir):
    (weights_dir / "starter.pth").write_bytes(b"starter")
    register_checkpoint(name="starter (light)", file="starter.pth", variant="light", make_default=True)
    (weights_dir / "mobile.pth").write_bytes(b"mobile")
    demo.seed_demo(log=lambda message: None)
    assert defaults() == [("mobile (built-in)", "mobile")]


def test_a_default_someone_chose_is_kept(weights_dir):
    (weights_dir / "mobile.pth").write_bytes(b"mobile")
    (weights_dir / "official.pth").write_bytes(b"official")
    register_checkpoint(name="davis", file="official.pth", variant="sharp", make_default=True)
    messages = []
    demo.seed_demo(log=messages.append)
    assert defaults() == [("davis", "sharp")]
    assert not any("registered the built-in" in m for m in messages)


def test_the_generated_demo_clip_is_described_as_what_it_is(weights_dir, settings, monkeypatch, tmp_path):
    from annotator.models import Project

    monkeypatch.setenv("SIAMLABEL_SHARED_DIR", str(tmp_path / "no-shared-data"))
    demo.seed_demo(log=lambda message: None)
    description = Project.objects.get(name=demo.DEMO_PROJECT).description
    assert "generated" in description and "ellipse" in description and "not real footage" in description


def test_the_built_in_model_is_recorded_with_its_j_and_f(weights_dir):
    shutil.copyfile(MOBILE, weights_dir / "mobile.pth")
    demo.seed_demo(log=lambda message: None)
    checkpoint = ModelCheckpoint.objects.get(is_default=True)
    assert {key: checkpoint.metrics[key] for key in ("J", "F", "J&F")} == recorded_scores(MOBILE)


def test_a_built_in_default_whose_file_an_upgrade_replaced_is_registered_again(weights_dir):
    (weights_dir / "mobile.pth").write_bytes(b"mobile")
    demo.seed_demo(log=lambda message: None)
    before = ModelCheckpoint.objects.get(is_default=True)
    messages = []
    demo.seed_demo(log=messages.append)  # unchanged: nothing to do
    assert not any("again" in m for m in messages)
    (weights_dir / "mobile.pth").write_bytes(b"mobile, recalibrated")
    demo.seed_demo(log=messages.append)
    after = ModelCheckpoint.objects.get(is_default=True)
    assert (after.pk, after.name) == (before.pk, "mobile (built-in)") and after.sha256 != before.sha256
    assert any("registered the built-in checkpoint mobile (built-in) (mobile.pth) again" in m for m in messages)
