"""Which weights a job ran with, and whether the default ones are this repository's own."""

import shutil
from pathlib import Path

import pytest

from annotator.models import ModelCheckpoint
from annotator.services.checkpoints import file_sha256

STARTER = Path(__file__).resolve().parents[3] / "weights" / "starter.pth"


@pytest.fixture
def weights_dir(settings, tmp_path):
    settings.SIAMLABEL_WEIGHTS_DIR = tmp_path / "weights"
    settings.SIAMLABEL_WEIGHTS_DIR.mkdir()
    return settings.SIAMLABEL_WEIGHTS_DIR


def checkpoint(name: str, path: Path, *, variant: str, default: bool = True, file: str | None = None):
    """Register a weights file (without loading it: these tests need only its identity)."""
    if default:
        ModelCheckpoint.objects.filter(is_default=True).update(is_default=False)
    return ModelCheckpoint.objects.create(name=name, file=file or path.name, sha256=file_sha256(path),
                                          variant=variant, is_default=default)


@pytest.fixture
def starter_copy(weights_dir):
    """The repository's starter weights copied into another weights folder, as tests and deployments do."""
    return checkpoint("starter (light)", Path(shutil.copy(STARTER, weights_dir / "starter.pth")), variant="light")


@pytest.fixture
def official(weights_dir):
    path = weights_dir / "SiamMask_DAVIS.pth"
    path.write_bytes(b"stand-in for the official weights")
    return checkpoint("SiamMask DAVIS", path, variant="sharp")


@pytest.mark.django_db
def test_a_job_names_the_model_it_runs_with(clients, track, official):
    job = clients.alice.post(f"/api/tracks/{track.pk}/propagate/", {"frame": 0}, format="json").json()
    expected = {"id": official.pk, "name": "SiamMask DAVIS", "variant": "sharp", "builtin": False}
    assert job["model"] == expected
    assert clients.bob.get(f"/api/jobs/{job['id']}/").json()["model"] == expected
    listed = clients.alice.get(f"/api/videos/{track.video_id}/jobs/", {"active": 1}).json()["results"]
    assert [j["model"] for j in listed] == [expected]


@pytest.mark.django_db
def test_a_job_without_a_checkpoint_has_no_model(clients, track):
    job = clients.alice.post(f"/api/tracks/{track.pk}/propagate/", {"frame": 0}, format="json").json()
    assert job["model"] is None


@pytest.mark.skipif(not STARTER.is_file(), reason="weights/starter.pth not present")
@pytest.mark.django_db
def test_a_copy_of_the_starter_weights_is_the_builtin_default(clients, cast, starter_copy):
    project = clients.alice.get(f"/api/projects/{cast.project.pk}/").json()
    assert project["default_model"] == {"id": starter_copy.pk, "name": "starter (light)", "variant": "light",
                                        "builtin": True}
    assert [p["default_model"]["builtin"] for p in clients.carol.get("/api/projects/").json()["results"]] == [True]


@pytest.mark.skipif(not STARTER.is_file(), reason="weights/starter.pth not present")
@pytest.mark.django_db
def test_the_repository_weights_file_itself_is_builtin(clients, cast, weights_dir):
    checkpoint("starter", STARTER, variant="light", file=str(STARTER))
    assert clients.alice.get(f"/api/projects/{cast.project.pk}/").json()["default_model"]["builtin"] is True


@pytest.mark.skipif(not STARTER.is_file(), reason="weights/starter.pth not present")
@pytest.mark.django_db
def test_official_weights_downloaded_beside_the_starter_are_not_builtin(clients, cast, weights_dir, settings):
    settings.BASE_DIR = weights_dir.parent  # this weights folder plays the repository's
    shutil.copy(STARTER, weights_dir / "starter.pth")
    path = weights_dir / "SiamMask_DAVIS.pth"
    path.write_bytes(b"stand-in for the official weights")
    checkpoint("SiamMask DAVIS", path, variant="sharp")
    assert clients.alice.get(f"/api/projects/{cast.project.pk}/").json()["default_model"]["builtin"] is False


@pytest.mark.django_db
def test_no_default_checkpoint_means_no_default_model(clients, cast):
    assert clients.alice.get(f"/api/projects/{cast.project.pk}/").json()["default_model"] is None
